"""What workflows reference: tasks, launch plans and subworkflows, walked without recursion."""

from __future__ import annotations

from collections.abc import Iterator

from fcomp.compiler import ir


def walk_nodes(wf: ir.Workflow) -> Iterator[ir.Node]:
    """Every node of a workflow: top-level, nested in branches and arrays, and the failure node."""
    stack = list(reversed(wf.nodes))
    if wf.failure_node is not None:
        stack.insert(0, wf.failure_node)
    while stack:
        node = stack.pop()
        yield node
        kind = node.kind
        if isinstance(kind, ir.BranchNode):
            nested = [c.then_node for c in kind.cases] + [kind.else_node]
            stack.extend(n for n in reversed(nested) if n is not None)
        elif isinstance(kind, ir.ArrayNode) and kind.node is not None:
            stack.append(kind.node)


def direct_references(
    wf: ir.Workflow,
) -> tuple[
    list[tuple[ir.Node, ir.Ident]], list[tuple[ir.Node, ir.Ident]], list[tuple[ir.Node, ir.Ident]]
]:
    """The (node, reference) pairs of tasks, launch plans and subworkflows in ``wf`` itself."""
    tasks: list[tuple[ir.Node, ir.Ident]] = []
    plans: list[tuple[ir.Node, ir.Ident]] = []
    subs: list[tuple[ir.Node, ir.Ident]] = []
    for node in walk_nodes(wf):
        kind = node.kind
        if isinstance(kind, ir.TaskNode) and kind.task is not None:
            tasks.append((node, kind.task))
        elif isinstance(kind, ir.LaunchPlanNode):
            plans.append((node, kind.launch_plan))
        elif isinstance(kind, ir.SubworkflowNode):
            subs.append((node, kind.workflow))
    return tasks, plans, subs


def transitive_workflows(wf: ir.Workflow, catalog: ir.Catalog) -> list[ir.Workflow]:
    """``wf`` and every subworkflow it reaches, each once, in discovery order."""
    seen: dict[ir.Ident, ir.Workflow] = {wf.id: wf}
    stack = [wf]
    while stack:
        cur = stack.pop()
        for _, ref in direct_references(cur)[2]:
            sub = catalog.workflows.find(ref)
            if sub is not None and sub.id not in seen:
                seen[sub.id] = sub
                stack.append(sub)
    return list(seen.values())
