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


Pairs = tuple[tuple[ir.Node, ir.Ident], ...]


def direct_references(wf: ir.Workflow) -> tuple[Pairs, Pairs, Pairs]:
    """The (node, reference) pairs of tasks, launch plans and subworkflows in ``wf`` itself.

    Several passes ask about the same workflow; the IR is immutable, so the answer for a
    workflow object is kept (the last few workflows, by identity) rather than walked again.
    """
    hit = _DIRECT.get(id(wf))
    if hit is not None and hit[0] is wf:
        return hit[1]
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
    found = (tuple(tasks), tuple(plans), tuple(subs))
    if len(_DIRECT) >= _DIRECT_MAX:
        _DIRECT.clear()
    _DIRECT[id(wf)] = (wf, found)
    return found


#: :func:`direct_references` answers by workflow identity (the workflow kept with its answer).
_DIRECT: dict[int, tuple[ir.Workflow, tuple[Pairs, Pairs, Pairs]]] = {}
_DIRECT_MAX = 64


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
