"""The compiler's pass sequence: check tasks, order workflows by their subworkflow references,
check references, compile every workflow, check launch plans, compile dynamic jobs.

Errors never stop the sequence early (every error of a run is reported), except that a
workflow whose tasks or launch plans are missing is not checked further, as in Flyte.
"""

from __future__ import annotations

from dataclasses import replace

from fcomp.compiler import ir, messages
from fcomp.compiler.diagnostics import Diagnostic, Diagnostics, Severity
from fcomp.compiler.passes.graph import nx_cycle, topological_order
from fcomp.compiler.passes.launch_plans import check_launch_plan
from fcomp.compiler.passes.recursion import self_starting_plans
from fcomp.compiler.passes.references import direct_references, transitive_workflows
from fcomp.compiler.passes.results import END_NODE, CompiledProgram, CompiledWorkflow
from fcomp.compiler.passes.scope import Scope
from fcomp.compiler.passes.tasks import check_task
from fcomp.compiler.passes.workflow import compile_workflow


def _workflow_order(
    program: ir.Program, catalog: ir.Catalog, scope: Scope
) -> tuple[list[ir.Workflow], set[ir.Ident]]:
    """Workflows with subworkflows first; the ids of workflows on a reference cycle."""
    users: dict[ir.Ident, dict[ir.Ident, None]] = {wf.id: {} for wf in program.workflows}
    for wf in program.workflows:
        for _, ref in direct_references(wf)[2]:
            sub = catalog.workflows.find(ref)
            if sub is not None:
                users.setdefault(sub.id, {})[wf.id] = None
    by_id = {wf.id: wf for wf in program.workflows}
    ordered = topological_order(users, list(by_id))
    if len(ordered) == len(by_id):
        return [by_id[i] for i in ordered], set()
    return _cyclic_workflow_order(program, catalog, scope)


def _cyclic_workflow_order(
    program: ir.Program, catalog: ir.Catalog, scope: Scope
) -> tuple[list[ir.Workflow], set[ir.Ident]]:
    """:func:`_workflow_order` when subworkflow references form a cycle: each cycle reported
    once, the workflows on it left out."""
    import networkx as nx

    g = nx.DiGraph()
    for wf in program.workflows:
        g.add_node(wf.id)
        for _, ref in direct_references(wf)[2]:
            sub = catalog.workflows.find(ref)
            if sub is not None:
                g.add_edge(sub.id, wf.id)
    cyclic: set[ir.Ident] = set()
    for component in nx.strongly_connected_components(g):
        members = sorted(component)
        if len(members) > 1 or g.has_edge(members[0], members[0]):
            cyclic.update(members)
            head = members[0]
            head_wf = catalog.workflows.find(head)
            assert head_wf is not None
            cycle = nx_cycle(g.subgraph(members), head)
            path: list[object] = [str(p) for p in cycle] if cycle else [head]
            scope.report(
                messages.SUBWORKFLOW_CYCLE,
                head_wf.source,
                workflow=head.name,
                cycle=">".join(p.name if isinstance(p, ir.Ident) else str(p) for p in path),
            )
    rank = {wf.id: i for i, wf in enumerate(program.workflows)}
    acyclic = g.subgraph([n for n in g if n not in cyclic])
    ordered = nx.lexicographical_topological_sort(acyclic, key=lambda n: rank[n])
    by_id = {wf.id: wf for wf in program.workflows}
    return [by_id[i] for i in ordered], cyclic


def _check_requirements(wf: ir.Workflow, catalog: ir.Catalog, scope: Scope) -> bool:
    """Flyte's ``validateAllRequirements``: every task, launch plan and subworkflow ``wf``
    (and, through them, its subworkflows) uses must be in the input."""
    local = scope.child()
    for sub in transitive_workflows(wf, catalog):
        tasks, plans, subs = direct_references(sub)
        for node, ref in subs:
            if catalog.workflows.find(ref) is None:
                local.report(
                    messages.WORKFLOW_NOT_FOUND, node.source, what="subworkflow", ref=ref.render()
                )
        for node, ref in tasks:
            if catalog.tasks.find(ref) is None:
                local.report(messages.TASK_NOT_FOUND, node.source, ref=ref.render())
        for node, ref in plans:
            if catalog.launch_plans.find(ref) is None and not ref.matches(wf.id):
                local.report(
                    messages.WORKFLOW_NOT_FOUND, node.source, what="launch plan", ref=ref.render()
                )
    return local.ok


def compile_dynamic(
    job: ir.DynamicJob,
    catalog: ir.Catalog,
    scope: Scope,
    interface: ir.Interface | None = None,
    name: str = "dynamic",
) -> CompiledWorkflow | None:
    """Compile a dynamic job spec as Flyte does: a workflow ``dynamic_<node>`` whose interface
    is the dynamic task's (inferred from the output bindings when not given)."""
    wf = ir.Workflow(
        id=ir.Ident(ir.ResourceType.WORKFLOW, name),
        interface=ir.EMPTY_INTERFACE,
        nodes=job.nodes,
        outputs=job.outputs,
        source=job.source,
    )
    if not _check_requirements(wf, catalog, scope):
        return None
    if interface is None:
        interface = _infer_dynamic_interface(job, catalog)
    return compile_workflow(replace(wf, interface=interface), catalog, scope)


def _infer_dynamic_interface(job: ir.DynamicJob, catalog: ir.Catalog) -> ir.Interface:
    from fcomp.compiler.passes import bindings
    from fcomp.compiler.passes.builder import WorkflowBuilder
    from fcomp.compiler.passes.normalize import normalize_workflow

    probe = normalize_workflow(
        ir.Workflow(
            ir.Ident(ir.ResourceType.WORKFLOW, "probe"), ir.EMPTY_INTERFACE, job.nodes, job.outputs
        )
    )
    b = WorkflowBuilder(probe, catalog)
    for node in probe.nodes:
        b.add_node(node, Scope.trial())
    found = bindings.validate_bindings(
        b,
        b.nodes[END_NODE].node,
        probe.outputs,
        None,
        validate_types=False,
        direction="upstream",
        scope=Scope.trial(),
    )
    return ir.Interface.of((), found.values())


def compile_program(program: ir.Program, diags: Diagnostics) -> CompiledProgram | None:
    """Run every pass over ``program``; None when any error was reported."""
    sink: list[Diagnostic] = []
    root = Scope(sink)
    catalog = ir.Catalog(program)

    # 1. Tasks, as Flyte's task compiler checks them.
    for task in program.tasks:
        for d in check_task(task):
            sink.append(d)
            if d.severity is Severity.ERROR:
                root.errors += 1

    # 2. Workflows, subworkflows first, each once.
    ordered, _cyclic = _workflow_order(program, catalog, root)
    compiled: dict[ir.Ident, CompiledWorkflow] = {}
    for wf in ordered:
        if not _check_requirements(wf, catalog, root):
            continue
        result = compile_workflow(wf, catalog, root)
        if result is not None:
            compiled[wf.id] = result

    # 3. Launch plans.
    for lp in program.launch_plans:
        for d in check_launch_plan(lp, catalog):
            sink.append(d)
            if d.severity is Severity.ERROR:
                root.errors += 1

    for d in self_starting_plans(program, catalog):  # warnings: no error counted
        sink.append(d)

    # 4. Dynamic job specs given as input.
    dynamic: list[CompiledWorkflow] = []
    for job in program.dynamic_jobs:
        result = compile_dynamic(job, catalog, root)
        if result is not None:
            dynamic.append(result)

    _dedupe_into(sink, diags)
    if not root.ok:
        return None
    return CompiledProgram(program, catalog, compiled, tuple(dynamic))


def _dedupe_into(sink: list[Diagnostic], diags: Diagnostics) -> None:
    seen: set[Diagnostic] = set()
    for d in sink:
        if d not in seen:
            seen.add(d)
            diags.add(d)
