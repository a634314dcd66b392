"""Convert workflow nodes, bindings and branch conditions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from flyteidl.core import condition_pb2, literals_pb2, workflow_pb2

from fcomp.compiler import ir
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.frontend.structs import checked_seconds
from fcomp.compiler.frontend.tasks import (
    convert_extended,
    convert_ident,
    convert_k8s_pod,
    convert_resources,
)
from fcomp.compiler.frontend.types import (
    convert_primitive,
    convert_scalar,
    convert_type,
)


def convert_binding_data(b: literals_pb2.BindingData) -> ir.BindingData:
    """Convert one binding value."""
    union = convert_type(b.union.targetType) if b.HasField("union") else None
    kind = b.WhichOneof("value")
    if kind == "promise":
        p = b.promise
        return ir.Promise(p.node_id, p.var, _attr_path(p.attr_path), union)
    if kind == "scalar":
        return ir.Scalar(convert_scalar(b.scalar), union)
    if kind == "collection":
        return ir.BindingCollection(
            tuple(convert_binding_data(x) for x in b.collection.bindings), union
        )
    if kind == "map":
        return ir.BindingMap(
            tuple((k, convert_binding_data(b.map.bindings[k])) for k in sorted(b.map.bindings)),
            union,
        )
    if kind == "offloaded_metadata":
        o = b.offloaded_metadata
        inferred = convert_type(o.inferred_type) if o.HasField("inferred_type") else None
        return ir.Offloaded(o.uri, o.size_bytes, inferred, union)
    return ir.NoValue(union)


def convert_bindings(
    bindings: Iterable[literals_pb2.Binding], source: Source
) -> tuple[ir.Binding, ...]:
    """Convert a node's input bindings (or a workflow's output bindings), keeping order."""
    out = []
    for b in bindings:
        var = b.var
        data = b.binding
        if data.WhichOneof("value") == "promise" and not data.HasField("union"):
            p = data.promise
            value: ir.BindingData = (
                ir.Promise(p.node_id, p.var, _attr_path(p.attr_path))
                if p.attr_path
                else ir.Promise(p.node_id, p.var)
            )
        else:
            value = convert_binding_data(data)
        out.append(ir.Binding(var, value, source))
    return tuple(out)


def _attr_path(path: Iterable[object]) -> tuple[str | int, ...]:
    return tuple(
        a.string_value if a.WhichOneof("value") == "string_value" else a.int_value  # type: ignore[attr-defined]
        for a in path
    )


def _operand(o: condition_pb2.Operand) -> ir.Operand:
    kind = o.WhichOneof("val")
    if kind == "var":
        return ir.OperandVar(o.var)
    if kind == "primitive":
        return ir.OperandValue(convert_primitive(o.primitive))
    if kind == "scalar":
        return ir.OperandValue(convert_scalar(o.scalar))
    return ir.OperandUnset()


def convert_expr(e: condition_pb2.BooleanExpression) -> ir.BoolExpr:
    """Convert a branch condition."""
    kind = e.WhichOneof("expr")
    if kind == "comparison":
        c = e.comparison
        return ir.Comparison(
            ir.ComparisonOp(c.operator), _operand(c.left_value), _operand(c.right_value)
        )
    if kind == "conjunction":
        j = e.conjunction
        return ir.Conjunction(
            ir.LogicalOp(j.operator),
            convert_expr(j.left_expression),
            convert_expr(j.right_expression),
        )
    return ir.ExprUnset()


def _metadata(m: workflow_pb2.NodeMetadata) -> ir.NodeMetadata:
    return ir.NodeMetadata(
        name=m.name,
        # NaN marks a timeout that is not a valid duration (reported by the compiler).
        timeout_s=checked_seconds(m.timeout) if m.HasField("timeout") else None,
        retries=m.retries.retries if m.HasField("retries") else None,
        interruptible=m.interruptible if m.HasField("interruptible") else None,
        cacheable=m.cacheable if m.HasField("cacheable") else None,
        cache_version=m.cache_version if m.HasField("cache_version") else None,
        cache_serializable=m.cache_serializable if m.HasField("cache_serializable") else None,
        config=tuple(sorted(m.config.items())),
    )


def _if_block(b: workflow_pb2.IfBlock, parent: Source) -> ir.IfBlock:
    return ir.IfBlock(
        condition=convert_expr(b.condition) if b.HasField("condition") else None,
        then_node=convert_node(b.then_node, parent) if b.HasField("then_node") else None,
    )


def _branch(b: workflow_pb2.BranchNode, source: Source) -> ir.BranchNode:
    ie = b.if_else
    # A missing ``case`` stays a case with neither condition nor node, so that the compiler
    # reports it rather than taking the first ``other`` block for the ``if``.
    cases = [_if_block(ie.case, source) if ie.HasField("case") else ir.IfBlock(None, None)]
    cases.extend(_if_block(o, source) for o in ie.other)
    default = ie.WhichOneof("default")
    return ir.BranchNode(
        cases=tuple(cases),
        else_node=convert_node(ie.else_node, source) if default == "else_node" else None,
        error=ir.BranchError(ie.error.failed_node_id, ie.error.message)
        if default == "error"
        else None,
    )


def _gate(g: workflow_pb2.GateNode) -> ir.GateNode:
    kind = g.WhichOneof("condition")
    if kind == "approve":
        return ir.GateNode(ir.GateKind.APPROVE, signal_id=g.approve.signal_id)
    if kind == "signal":
        s = g.signal
        return ir.GateNode(
            ir.GateKind.SIGNAL,
            signal_id=s.signal_id,
            signal_type=convert_type(s.type) if s.HasField("type") else None,
            output_variable_name=s.output_variable_name,
        )
    if kind == "sleep":
        # NaN marks a duration that is not valid (reported by the compiler).
        return ir.GateNode(ir.GateKind.SLEEP, sleep_s=checked_seconds(g.sleep.duration))
    return ir.GateNode(None)


def _array(a: workflow_pb2.ArrayNode, source: Source) -> ir.ArrayNode:
    criteria = a.WhichOneof("success_criteria")
    return ir.ArrayNode(
        node=convert_node(a.node, source) if a.HasField("node") else None,
        parallelism=a.parallelism if a.WhichOneof("parallelism_option") else None,
        min_successes=a.min_successes if criteria == "min_successes" else None,
        min_success_ratio=a.min_success_ratio if criteria == "min_success_ratio" else None,
        execution_mode=workflow_pb2.ArrayNode.ExecutionMode.Name(a.execution_mode),
        is_original_sub_node_interface=a.is_original_sub_node_interface.value
        if a.HasField("is_original_sub_node_interface")
        else None,
        data_mode=workflow_pb2.ArrayNode.DataMode.Name(a.data_mode),
        bound_inputs=tuple(a.bound_inputs),
        run_all_sub_nodes=a.run_all_sub_nodes,
    )


def _kind(n: workflow_pb2.Node, source: Source) -> ir.NodeKind:
    target = n.WhichOneof("target")
    if target == "task_node":
        t = n.task_node
        o = t.overrides
        return ir.TaskNode(
            task=convert_ident(t.reference_id) if t.HasField("reference_id") else None,
            overrides=ir.TaskOverrides(
                resources=convert_resources(o.resources),
                extended_resources=convert_extended(o.extended_resources),
                container_image=o.container_image,
                pod_template=convert_k8s_pod(o.pod_template, "task_node.overrides.pod_template")
                if o.HasField("pod_template")
                else None,
            ),
        )
    if target == "workflow_node":
        w = n.workflow_node
        if w.WhichOneof("reference") == "launchplan_ref":
            return ir.LaunchPlanNode(convert_ident(w.launchplan_ref))
        return ir.SubworkflowNode(convert_ident(w.sub_workflow_ref))
    if target == "branch_node":
        return _branch(n.branch_node, source)
    if target == "gate_node":
        return _gate(n.gate_node)
    if target == "array_node":
        return _array(n.array_node, source)
    return ir.EmptyNode()


def convert_node(n: workflow_pb2.Node, parent: Source) -> ir.Node:
    """Convert a node and, recursively, the nodes it contains (branch cases, array sub-node).

    Protobuf parsing bounds message nesting, so this recursion is bounded too.
    """
    node_id = n.id
    source = Source(parent.file, parent.entity, node_id, "")
    target = n.WhichOneof("target")
    if target == "task_node":
        # Nodes running the same task with the same overrides (and metadata) share one
        # converted value: large workflows repeat a few tasks many times.
        key = n.task_node.SerializeToString()
        kind = _SHARED_KINDS.get(key)
        if kind is None:
            kind = _shared(_SHARED_KINDS, key, _kind(n, source))
    else:
        kind = _kind(n, source)
    meta_key = n.metadata.SerializeToString()
    metadata = _SHARED_METADATA.get(meta_key)
    if metadata is None:
        metadata = _shared(_SHARED_METADATA, meta_key, _metadata(n.metadata))
    return ir.Node(
        node_id,
        kind,
        convert_bindings(n.inputs, source),
        tuple(n.upstream_node_ids),
        tuple((a.var, a.alias) for a in n.output_aliases) if n.output_aliases else (),
        metadata,
        source,
    )


#: Converted task-node targets and node metadata by their serialized message (equal bytes give
#: equal values; the IR is immutable, so nodes may share them). Bounded: cleared when full.
_SHARED_KINDS: dict[bytes, ir.NodeKind] = {}
_SHARED_METADATA: dict[bytes, ir.NodeMetadata] = {}
_SHARED_MAX = 4096

V = TypeVar("V")


def _shared(table: dict[bytes, V], key: bytes, value: V) -> V:
    if len(table) >= _SHARED_MAX:
        table.clear()
    table[key] = value
    return value
