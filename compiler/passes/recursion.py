"""Launch plans that start themselves: a launch-plan node whose plan runs, directly or through
subworkflows and other plans, the workflow the node is in. Flyte runs such a plan, each
execution starting the next until a branch stops the recursion, and so do both targets (a
child workflow per level); it is reported as a warning, not refused."""

from __future__ import annotations

from fcomp.compiler import codes, ir
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.passes.references import direct_references


def _plans_started(wf: ir.Workflow, catalog: ir.Catalog) -> list[ir.LaunchPlan]:
    """The launch plans the nodes of ``wf`` and of its subworkflows (any depth) start."""
    found: dict[ir.Ident, ir.LaunchPlan] = {}
    seen: set[ir.Ident] = {wf.id}
    stack = [wf]
    while stack:
        _, plans, subs = direct_references(stack.pop())
        for _, ref in plans:
            lp = catalog.launch_plans.find(ref)
            if lp is not None:
                found.setdefault(lp.id, lp)
        for _, ref in subs:
            sub = catalog.workflows.find(ref)
            if sub is not None and sub.id not in seen:
                seen.add(sub.id)
                stack.append(sub)
    return list(found.values())


def self_starting_plans(program: ir.Program, catalog: ir.Catalog) -> list[Diagnostic]:
    """A warning for each launch plan on a cycle of plans starting plans."""
    edges: list[tuple[ir.Ident, ir.Ident]] = []
    started_by: dict[ir.Ident, list[ir.LaunchPlan]] = {}  # plans share workflows: walk each once
    for lp in program.launch_plans:
        wf = catalog.workflows.find(lp.workflow)
        if wf is None:
            continue
        if wf.id not in started_by:
            started_by[wf.id] = _plans_started(wf, catalog)
        edges += [(lp.id, started.id) for started in started_by[wf.id]]
    if not edges:  # most programs: no plan starts a plan (and networkx stays unloaded)
        return []
    import networkx as nx

    graph = nx.DiGraph(edges)
    on_cycle = {lp_id for lp_id in graph if graph.has_edge(lp_id, lp_id)}
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            on_cycle |= component
    out: list[Diagnostic] = []
    reported: set[ir.Ident] = set()
    for lp in program.launch_plans:
        if lp.id not in on_cycle or lp.id in reported:
            continue
        reported.add(lp.id)
        out.append(
            Diagnostic(
                Severity.WARNING,
                codes.SELF_STARTING_PLAN,
                f"launch plan [{lp.id.render()}] starts itself (its workflow, or a plan it "
                "starts, has a launch-plan node for it): each execution starts another until a "
                "branch stops it",
                lp.source,
            )
        )
    return out
