"""Check one workflow the way Flyte's ``ValidateWorkflow`` does and build its connections."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass, replace
from typing import Any

from fcomp.compiler import codes, ir, messages
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.messages import (
    IGNORED_POD_TEMPLATE,
    KUBERNETES_REFUSES,
    NO_CONTAINERS,
    NOT_A_POD_SPEC,
    UNKNOWN_POD_KEYS,
    Message,
)
from fcomp.compiler.passes import bindings, conditions, interfaces
from fcomp.compiler.passes.builder import NodeState, WorkflowBuilder
from fcomp.compiler.passes.graph import (
    find_cycle,
    forward_reachable,
    reachable,
    topological_order,
)
from fcomp.compiler.passes.k8s import overrides_refusals, pod_refusals
from fcomp.compiler.passes.normalize import normalize_workflow
from fcomp.compiler.passes.podspec import known_fields, pod_spec_errors, unknown_fields
from fcomp.compiler.passes.results import END_NODE, START_NODE, CompiledWorkflow
from fcomp.compiler.passes.scope import Scope
from fcomp.compiler.quantity import parse_quantity

# Checks Flyte makes when it turns a compiled workflow into the executable workflow
# (flytepropeller/pkg/compiler/transformers/k8s); fcomp's backends play that part, so the
# compiler reports them.
BAD_TIMEOUT = Message(
    codes.SYNTAX_ERROR, "failed to parse element [node:metadata:timeout]: not a valid duration"
)
BAD_SLEEP = Message(
    codes.SYNTAX_ERROR,
    "failed to parse element [node:gate_node:sleep:duration]: not a valid duration",
)
BAD_RATIO = Message(
    codes.INVALID_VALUE, "min_success_ratio [{value}] of an array node must be between 0 and 1"
)
BAD_RESOURCE_OVERRIDE = Message(
    codes.WORKFLOW_BUILD_ERROR,
    "failed to parse resource override [{name}={value}] as a valid quantity",
)
ID_COLLISION = Message(
    codes.VALUE_COLLISION,
    "node id [{id}] is expected to be unique but is used by two different nodes (a branch "
    "child is renamed <branch id>-<child id>)",
)


def validate_node(b: WorkflowBuilder, st: NodeState, scope: Scope) -> bool:
    """Check a node: id, interface, aliases, and (for branches) conditions and cases."""
    local = scope.child()
    node = st.node
    if not node.id:
        local.report(messages.VALUE_REQUIRED, node.source, what="Id")
    if node.id in (START_NODE, END_NODE):
        return True
    # (Scopes only count errors: reporting into ``local`` counts them where children would.)
    check_executable(node, local)
    _check_pod_templates(b, node, local)
    if interfaces.underlying_interface(b, st, local) is not None and node.output_aliases:
        interfaces.effective_outputs(st, local)
    if isinstance(node.kind, ir.BranchNode):
        _validate_branch(b, st, node.kind, local.child())
    return local.ok


def check_executable(node: ir.Node, scope: Scope) -> None:
    """What Flyte's k8s transformer rejects in a node (and an array node's sub-node): a
    timeout or sleep that is not a valid duration, a resource override that is not a
    quantity, an array node's success ratio outside [0, 1]; and override values Kubernetes
    refuses in the pod."""
    current: ir.Node | None = node
    while current is not None:
        timeout = current.metadata.timeout_s
        if timeout is not None and not math.isfinite(timeout):
            scope.report(BAD_TIMEOUT, current.source.at(field="metadata.timeout"))
        kind = current.kind
        ratio = kind.min_success_ratio if isinstance(kind, ir.ArrayNode) else None
        if ratio is not None and not 0 <= ratio <= 1:
            scope.report(
                BAD_RATIO, current.source.at(field="array_node.min_success_ratio"), value=ratio
            )
        if isinstance(kind, ir.GateNode) and not math.isfinite(kind.sleep_s):
            scope.report(BAD_SLEEP, current.source.at(field="gate_node.sleep.duration"))
        if isinstance(kind, ir.TaskNode):
            resources = kind.overrides.resources
            for group, entries in (("requests", resources.requests), ("limits", resources.limits)):
                for name, value in entries:
                    if parse_quantity(value) is None:
                        scope.report(
                            BAD_RESOURCE_OVERRIDE,
                            current.source.at(field=f"task_node.overrides.resources.{group}"),
                            name=name,
                            value=value,
                        )
            refusals = (
                overrides_refusals(kind.overrides, "task_node.overrides") if kind.overrides else ()
            )
            for refusal in refusals:
                scope.report(
                    KUBERNETES_REFUSES,
                    current.source.at(field=refusal.field),
                    **refusal.fields(),
                )
        current = kind.node if isinstance(kind, ir.ArrayNode) else None


def _check_pod_templates(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> None:
    """A node's pod-template override (and an array node's sub-node's) counts only for a task
    with a container target and only when it names a primary container (Flyte ignores it
    otherwise: a warning); one that counts must decode as a PodSpec and hold values Kubernetes
    takes, and without containers only its labels and annotations apply (a warning)."""
    current: ir.Node | None = node
    while current is not None:
        kind = current.kind
        if isinstance(kind, ir.TaskNode) and kind.overrides.pod_template is not None:
            template = kind.overrides.pod_template
            task = b.task(kind.task) if kind.task is not None else None
            where = current.source.at(field="task_node.overrides.pod_template")
            if task is not None and not isinstance(task.target, ir.Container):
                why = f"task '{task.id.name}' has no container target"
                scope.warn(IGNORED_POD_TEMPLATE, where, why=why)
            elif not template.primary_container_name:
                scope.warn(IGNORED_POD_TEMPLATE, where, why="it names no primary container")
            else:
                _check_applied_pod_template(template, current.source, scope)
        current = kind.node if isinstance(kind, ir.ArrayNode) else None


def _check_applied_pod_template(template: ir.K8sPod, source: Source, scope: Scope) -> None:
    """A pod-template override Flyte applies: its values and its pod spec."""
    for refusal in pod_refusals(template):
        scope.report(KUBERNETES_REFUSES, source.at(field=refusal.field), **refusal.fields())
    where = source.at(field=template.path("pod_spec"))
    if not _check_override_pod_spec(template.pod_spec, where, scope):
        return
    spec = known_fields(template.pod_spec or {})
    unused = sorted(k for k in spec if k != "containers")
    if spec.get("containers") is None and unused:
        scope.warn(NO_CONTAINERS, where, fields=", ".join(unused))


def _check_override_pod_spec(spec: Any, where: Source, scope: Scope) -> bool:
    """Whether a node's pod-template override decodes as a PodSpec (Flyte's executor fails the
    node otherwise: an error); the keys its decoder drops are reported."""
    bad = pod_spec_errors(spec)
    if bad:
        scope.report(NOT_A_POD_SPEC, where, what="pod template override", paths=", ".join(bad))
        return False
    unknown = unknown_fields(spec)
    if unknown:
        scope.warn(UNKNOWN_POD_KEYS, where, keys=", ".join(unknown))
    return True


def _without_sources(obj: object) -> object:
    """``obj`` with every ``source`` field emptied (to compare two nodes as specs)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        changes: dict[str, object] = {}
        for f in fields(obj):
            value = getattr(obj, f.name)
            new = Source() if f.name == "source" else _without_sources(value)
            if new is not value:
                changes[f.name] = new
        return replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple):
        items = tuple(_without_sources(x) for x in obj)
        return items if any(a is not b for a, b in zip(items, obj, strict=True)) else obj
    return obj


def _branch_children(node: ir.Node) -> list[ir.Node]:
    """The nodes Flyte's transformer lists after ``node``: its branch children, recursively."""
    out: list[ir.Node] = []
    stack = [node]
    while stack:
        cur = stack.pop()
        kind = cur.kind
        if isinstance(kind, ir.BranchNode):
            children = [c.then_node for c in kind.cases if c.then_node is not None]
            if kind.else_node is not None:
                children.append(kind.else_node)
            out.extend(children)
            stack.extend(reversed(children))
    return out


def check_id_collisions(wf: ir.Workflow, scope: Scope) -> None:
    """Flyte's transformer flattens branch children next to the top-level nodes; a renamed
    child whose id another, different node has is a ``ValueCollision``."""
    seen: dict[str, ir.Node] = {n.id: n for n in wf.nodes}
    for top in wf.nodes:
        for child in _branch_children(top):
            other = seen.get(child.id)
            if other is None:
                seen[child.id] = child
            elif _without_sources(other) != _without_sources(child):
                scope.report(ID_COLLISION, child.source, id=child.id)


def _validate_branch(b: WorkflowBuilder, st: NodeState, kind: ir.BranchNode, scope: Scope) -> None:
    node = st.node
    if not kind.cases:
        scope.report(messages.BRANCH_NO_CONDITION, node.source)
    subs: list[NodeState] = []
    for case in kind.cases:
        conditions.validate_expression(st, case.condition, scope)
        if case.then_node is None:
            scope.report(messages.BRANCH_NOT_ASSIGNED, node.source)
        else:
            subs.append(b.state(case.then_node))
    if kind.else_node is not None:
        subs.append(b.state(kind.else_node))
    elif kind.error is None:
        scope.report(messages.BRANCH_NO_DEFAULT, node.source)
    discovered = [sub for sub in subs if validate_node(b, sub, scope)]
    if scope.ok:
        for sub in discovered:
            add_edges(b, sub, "upstream", scope.child())


def add_edges(
    b: WorkflowBuilder, st: NodeState, direction: bindings.Direction, scope: Scope
) -> None:
    """Explicit upstream edges and the implicit edges of the node's bindings."""
    if st.iface is None:
        return
    node = st.node
    if direction != "upstream":
        for up in node.upstream:
            if up not in b.nodes:
                scope.report(
                    messages.NODE_NOT_FOUND, node.source.at(field="upstream_node_ids"), ref=up
                )
            b.add_execution_edge(up, node.id)
    bindings.validate_bindings(
        b,
        node,
        node.inputs,
        st.iface.inputs,
        validate_types=True,
        direction=direction,
        scope=scope,
    )


def _plain_edges(b: WorkflowBuilder, st: NodeState) -> bool:
    """:func:`add_edges` (both directions) for the common node whose checks all pass: every
    input bound once to a plain promise (no index, attribute path or union) of an output of
    a checked node, castable to the input's type, and its explicit upstream nodes known.
    Records the same edges and reports nothing; False (nothing recorded) when the node is not
    that simple, and :func:`add_edges` checks it and reports what is wrong."""
    node, iface = st.node, st.iface
    if iface is None or isinstance(node.kind, ir.BranchNode) or node.id == END_NODE:
        return False
    params = iface.inputs
    inputs = node.inputs
    if len(inputs) != len(params):
        return False
    nodes = b.nodes
    castable = b.castable
    parse = bindings.parse_var_name
    providers: list[str] = []
    for binding in inputs:
        data = binding.data
        if type(data) is not ir.Promise or data.attr_path or data.union is not None:
            return False
        param = params.get(binding.var)
        up = nodes.get(data.node_id)
        if param is None or up is None or not up.done:
            return False
        up_iface = up.iface
        if up_iface is None or up.node.output_aliases:
            return False
        parsed = parse(data.var)
        if parsed is None or parsed[0] is not None:
            return False
        output = up_iface.outputs.get(parsed[1])
        if output is None or not castable(output.type, param.type):
            return False
        providers.append(data.node_id)
    count = len(inputs)  # == len(params): an input bound twice leaves another one unbound
    if count == 2:
        if inputs[0].var == inputs[1].var:
            return False
    elif count > 2 and len({x.var for x in inputs}) != count:
        return False
    for u in node.upstream:
        if u not in nodes:
            return False
    # the edges, as add_execution_edge records them (inlined: this runs once per node)
    edges = (*node.upstream, *providers)
    if not edges:
        return True
    dependent = node.id
    downstream, upstream = b.downstream, b.upstream
    ups = upstream.get(dependent)
    if ups is None:
        ups = upstream[dependent] = set()
    for u in edges:
        u = u or START_NODE
        ups.add(u)
        down = downstream.get(u)
        if down is None:
            downstream[u] = {dependent}
        else:
            down.add(dependent)
    return True


def compile_workflow(wf: ir.Workflow, catalog: ir.Catalog, scope: Scope) -> CompiledWorkflow | None:
    """Check ``wf`` and return it compiled, or None when an error was reported."""
    local = scope.child()
    if not wf.nodes:
        local.report(messages.NO_NODES, wf.source, workflow=wf.id.render())
        return None
    wf = normalize_workflow(wf)
    b = WorkflowBuilder(wf, catalog)
    # As in Flyte, a workflow whose own interface is broken is not checked further.
    iface_scope = local.child()
    interfaces.validate_variables(b.nodes[START_NODE].node, wf.interface.inputs, iface_scope)
    interfaces.validate_variables(b.nodes[END_NODE].node, wf.interface.outputs, iface_scope)
    if not iface_scope.ok:
        return None

    top_level: list[str] = []
    for node in wf.nodes:
        st = b.add_node(node, local)
        if st is not None:
            top_level.append(node.id)
            validate_node(b, st, local)

    for node_id, st in list(b.nodes.items()):
        if node_id != START_NODE and not _plain_edges(b, st):
            add_edges(b, st, "bidirectional", local)

    if wf.failure_node is not None:
        fst = b.state(wf.failure_node)
        validate_node(b, fst, local)
        add_edges(b, fst, "upstream", local)

    for node_id in top_level:
        if node_id not in b.upstream:
            b.add_execution_edge(START_NODE, node_id)
        if node_id not in b.downstream:
            b.add_execution_edge(node_id, END_NODE)

    # Nodes usually come in an order every edge follows: then there is no cycle, and that
    # order is the topological order (see :func:`topological_order`).
    found = forward_reachable(b.downstream, [START_NODE, *top_level, END_NODE])
    forward = found is not None
    reached = found if found is not None else reachable(b.downstream, START_NODE)
    cycle = None if forward else find_cycle(b.nodes, b.downstream, reached)
    if cycle is not None:
        local.report(messages.CYCLE, wf.source.at(node=START_NODE), cycle=">".join(cycle))
    else:
        lost = [n for n in b.nodes if n not in reached and n != END_NODE]
        if lost:
            local.report(messages.UNREACHABLE, wf.source.at(node=START_NODE), nodes=",".join(lost))

    if local.ok:
        check_id_collisions(wf, local)
    if not local.ok:
        return None
    order = tuple(top_level) if forward else topological_order(b.downstream, top_level)
    node_ifaces: dict[str, ir.Interface] = {}
    for st in b.nodes.values():
        if st.iface is not None:
            node_ifaces[st.node.id] = st.iface
    for st in b.nested_states():
        if st.iface is not None:
            node_ifaces.setdefault(st.node.id, st.iface)
    return CompiledWorkflow(
        workflow=wf,
        interfaces=node_ifaces,
        upstream={
            k: tuple(sorted(v)) if len(v) > 1 else (*v,) for k, v in sorted(b.upstream.items())
        },
        downstream={
            k: tuple(sorted(v)) if len(v) > 1 else (*v,) for k, v in sorted(b.downstream.items())
        },
        order=order,
    )
