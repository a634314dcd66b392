"""Check one workflow the way Flyte's ``ValidateWorkflow`` does and build its connections."""

from __future__ import annotations

from fcomp.compiler import ir, messages
from fcomp.compiler.passes import bindings, conditions, interfaces
from fcomp.compiler.passes.builder import NodeState, WorkflowBuilder
from fcomp.compiler.passes.graph import build_graph, find_cycle, topological_order, unreachable
from fcomp.compiler.passes.normalize import normalize_workflow
from fcomp.compiler.passes.results import END_NODE, START_NODE, CompiledWorkflow
from fcomp.compiler.passes.scope import Scope


def validate_node(b: WorkflowBuilder, st: NodeState, scope: Scope) -> bool:
    """Check a node: id, interface, aliases, and (for branches) conditions and cases."""
    local = scope.child()
    node = st.node
    if not node.id:
        local.report(messages.VALUE_REQUIRED, node.source, what="Id")
    if node.id in (START_NODE, END_NODE):
        return True
    if interfaces.underlying_interface(b, st, local.child()) is not None:
        interfaces.effective_outputs(st, local.child())
    if isinstance(node.kind, ir.BranchNode):
        _validate_branch(b, st, node.kind, local.child())
    return local.ok


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
        scope=scope.child(),
    )


def compile_workflow(wf: ir.Workflow, catalog: ir.Catalog, scope: Scope) -> CompiledWorkflow | None:
    """Check ``wf`` and return it compiled, or None when an error was reported."""
    local = scope.child()
    if not wf.nodes:
        local.report(messages.NO_NODES, wf.source, workflow=wf.id.render())
        return None
    wf = normalize_workflow(wf)
    b = WorkflowBuilder(wf, catalog)
    interfaces.validate_variables(b.nodes[START_NODE].node, wf.interface.inputs, local)
    interfaces.validate_variables(b.nodes[END_NODE].node, wf.interface.outputs, local)

    top_level: list[str] = []
    for node in wf.nodes:
        st = b.add_node(node, local)
        if st is not None:
            top_level.append(node.id)
            validate_node(b, st, local)

    for node_id, st in list(b.nodes.items()):
        if node_id != START_NODE:
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

    graph = build_graph(b.nodes, b.downstream)
    cycle = find_cycle(graph)
    if cycle is not None:
        local.report(messages.CYCLE, wf.source.at(node=START_NODE), cycle=">".join(cycle))
    else:
        lost = unreachable(graph, b.nodes)
        if lost:
            local.report(messages.UNREACHABLE, wf.source.at(node=START_NODE), nodes=",".join(lost))

    if not local.ok:
        return None
    order = topological_order(graph, top_level)
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
        upstream={k: tuple(sorted(v)) for k, v in sorted(b.upstream.items())},
        downstream={k: tuple(sorted(v)) for k, v in sorted(b.downstream.items())},
        order=order,
    )
