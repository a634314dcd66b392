"""The interface of every node kind (Flyte's ``ValidateUnderlyingInterface``) and output
aliases."""

from __future__ import annotations

from collections.abc import Mapping

from fcomp.compiler import ir, messages
from fcomp.compiler.passes import bindings
from fcomp.compiler.passes.builder import NodeState, WorkflowBuilder
from fcomp.compiler.passes.scope import Scope


def validate_variables(node: ir.Node, variables: Mapping[str, ir.Variable], scope: Scope) -> None:
    """Every variable needs a name and a type."""
    for name, var in variables.items():
        if not name:
            scope.report(messages.VALUE_REQUIRED, node.source, what="paramName")
        if isinstance(var.type, ir.Unset):
            scope.report(messages.VALUE_REQUIRED, node.source, what=f"{name}.type")


def underlying_interface(b: WorkflowBuilder, st: NodeState, scope: Scope) -> ir.Interface | None:
    """The node's interface, computed once; None when it cannot be determined (reported)."""
    if st.done:
        return st.iface
    if st.computing:
        return None
    st.computing = True
    local = scope.child()
    iface = _compute(b, st.node, local)
    if iface is not None and not b.is_checked_interface(iface):
        validate_variables(st.node, iface.inputs, local)
        validate_variables(st.node, iface.outputs, local)
        if local.ok:
            b.checked_interface(iface)
    st.computing = False
    st.done = True
    st.iface = iface if local.ok else None
    return st.iface


def _compute(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> ir.Interface | None:
    kind = node.kind
    handler = _HANDLERS.get(type(kind))
    if handler is None:
        scope.report(messages.VALUE_REQUIRED, node.source, what="Target")
        return None
    return handler(b, node, scope)


def _task(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> ir.Interface | None:
    assert isinstance(node.kind, ir.TaskNode)
    ref = node.kind.task
    if ref is None:
        scope.report(messages.VALUE_REQUIRED, node.source, what="TaskNode.ReferenceId")
        return None
    task = b.task(ref)
    if task is None:
        scope.report(messages.TASK_NOT_FOUND, node.source, ref=ref.render())
        return None
    return task.interface


def _subworkflow(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> ir.Interface | None:
    assert isinstance(node.kind, ir.SubworkflowNode)
    wf = b.workflow(node.kind.workflow)
    if wf is None:
        scope.report(
            messages.WORKFLOW_NOT_FOUND,
            node.source,
            what="subworkflow",
            ref=node.kind.workflow.render(),
        )
        return None
    return wf.interface


def launch_plan_interface(
    b: WorkflowBuilder, lp: ir.LaunchPlan, node: ir.Node, scope: Scope
) -> ir.Interface | None:
    """A launch-plan node's interface: the plan's required inputs plus the optional ones the
    node binds; outputs are those of the plan's workflow."""
    bound = {x.var for x in node.inputs}
    inputs = [p.var for p in lp.default_inputs if p.required or p.var.name in bound]
    wf = b.workflow(lp.workflow)
    if wf is None:
        scope.report(
            messages.WORKFLOW_NOT_FOUND,
            node.source,
            what=f"workflow of launch plan '{lp.id.name}'",
            ref=lp.workflow.render(),
        )
        return None
    return ir.Interface.of(inputs, wf.interface.outputs.values())


def _launch_plan(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> ir.Interface | None:
    assert isinstance(node.kind, ir.LaunchPlanNode)
    ref = node.kind.launch_plan
    if ref.name == b.wf.id.name and ref.matches(b.wf.id):
        return b.wf.interface
    lp = b.launch_plan(ref)
    if lp is None:
        scope.report(messages.WORKFLOW_NOT_FOUND, node.source, what="launch plan", ref=ref.render())
        return None
    return launch_plan_interface(b, lp, node, scope)


def _branch(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> ir.Interface | None:
    kind = node.kind
    assert isinstance(kind, ir.BranchNode)
    if not kind.cases:
        scope.report(messages.VALUE_REQUIRED, node.source, what="Branch.IfElse.Case")
        return None
    if kind.cases[0].then_node is None:
        scope.report(messages.VALUE_REQUIRED, node.source, what="Branch.IfElse.Case.ThenNode")
        return None
    cases: list[ir.Node] = []
    for case in kind.cases:
        if case.then_node is None:
            scope.report(messages.VALUE_REQUIRED, node.source, what="IfElse.Case.ThenNode")
            continue
        cases.append(case.then_node)
    if kind.else_node is not None:
        cases.append(kind.else_node)

    outputs: dict[str, ir.Variable] | None = None
    common: set[str] = set()
    for case_node in cases:
        iface = underlying_interface(b, b.state(case_node), scope.child())
        if iface is None:
            continue
        if outputs is None:
            outputs = dict(iface.outputs)
            common = set(outputs)
            continue
        common &= set(iface.outputs)
        for name in sorted(common, key=ir.natural_key):
            first, other = outputs[name].type, iface.outputs[name].type
            if first != other:
                scope.report(
                    messages.MISMATCHING_BRANCH_OUTPUT,
                    case_node.source,
                    var=name,
                    got=ir.render_type(other),
                    want=ir.render_type(first),
                    case=case_node.id,
                )
    inputs = bindings.validate_bindings(
        b, node, node.inputs, None, validate_types=False, direction="upstream", scope=scope.child()
    )
    if not scope.ok or outputs is None:
        return None
    return ir.Interface(inputs, {k: v for k, v in outputs.items() if k in common})


def _gate(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> ir.Interface | None:
    kind = node.kind
    assert isinstance(kind, ir.GateNode)
    if kind.kind is ir.GateKind.APPROVE:
        found = bindings.validate_bindings(
            b,
            node,
            node.inputs,
            None,
            validate_types=False,
            direction="upstream",
            scope=scope.child(),
        )
        return ir.Interface(found, dict(found))
    if kind.kind is ir.GateKind.SIGNAL:
        if kind.signal_type is None:
            scope.report(messages.VALUE_REQUIRED, node.source, what="GateNode.Signal.Type")
            return None
        if not kind.output_variable_name:
            scope.report(
                messages.VALUE_REQUIRED, node.source, what="GateNode.Signal.OutputVariableName"
            )
            return None
        out = ir.Variable(kind.output_variable_name, kind.signal_type)
        return ir.Interface({}, {out.name: out})
    if kind.kind is ir.GateKind.SLEEP:
        return ir.EMPTY_INTERFACE
    scope.report(messages.NO_GATE_CONDITION, node.source)
    return None


def _array(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> ir.Interface | None:
    kind = node.kind
    assert isinstance(kind, ir.ArrayNode)
    if kind.node is None:
        scope.report(messages.VALUE_REQUIRED, node.source, what="ArrayNode.Node")
        return None
    sub = underlying_interface(b, b.state(kind.node), scope.child())
    if sub is None or not kind.is_original_sub_node_interface:
        return sub
    # The sub-node kept its element-typed interface: the array node maps over lists, except for
    # inputs bound whole.
    bound = set(kind.bound_inputs)
    return ir.Interface(
        {
            n: v if n in bound else ir.Variable(n, ir.Collection(elem=v.type), v.description)
            for n, v in sub.inputs.items()
        },
        {
            n: ir.Variable(n, ir.Collection(elem=v.type), v.description)
            for n, v in sub.outputs.items()
        },
    )


def _empty(b: WorkflowBuilder, node: ir.Node, scope: Scope) -> ir.Interface | None:
    scope.report(messages.VALUE_REQUIRED, node.source, what="Target")
    return None


_HANDLERS = {
    ir.TaskNode: _task,
    ir.SubworkflowNode: _subworkflow,
    ir.LaunchPlanNode: _launch_plan,
    ir.BranchNode: _branch,
    ir.GateNode: _gate,
    ir.ArrayNode: _array,
    ir.EmptyNode: _empty,
}


def effective_outputs(st: NodeState, scope: Scope) -> Mapping[str, ir.Variable] | None:
    """The node's outputs after its output aliases (None when its interface is unknown)."""
    node = st.node
    if not node.output_aliases:
        return None if st.iface is None else st.iface.outputs
    aliases: dict[str, str] = {}
    for original, alias in node.output_aliases:
        if original in aliases:
            scope.report(messages.DUPLICATE_ALIAS, node.source, alias=alias)
        else:
            aliases[original] = alias
    if st.iface is None:
        return None
    outputs: dict[str, ir.Variable] = {}
    for name, var in st.iface.outputs.items():
        renamed = aliases.pop(name, None)
        if renamed is not None:
            outputs[renamed] = ir.Variable(renamed, var.type, var.description)
        else:
            outputs[name] = var
    for leftover in aliases.values():
        scope.report(messages.NOT_BOUND, node.source, var=leftover)
    return outputs
