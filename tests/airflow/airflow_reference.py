"""The Airflow tasks and edges a compiled workflow should become, worked out independently of
the backend's graph builder (a test oracle, kept deliberately simple).

Rules: the root has ``start`` and ``outputs``; a task, gate or launch-plan node is one task
named after the node id; a subworkflow is a task group of its nodes (``<id>.<inner id>``); a
branch is a decision task ``<id>``, its cases, and a join ``<id>-join``; a map is ``<id>``,
``<id>-map`` and ``<id>-gather``; a failure node waits for every node task. A node's first
tasks wait for the last tasks of the nodes it depends on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fcomp.compiler import ir
from fcomp.compiler.config import Config
from fcomp.compiler.passes.results import END_NODE, START_NODE, CompiledProgram, CompiledWorkflow
from fcomp.compiler.plugins.registry import TaskContext, lower_task
from fcomp.compiler.plugins.units import K8sResourceUnit, PodUnit


@dataclass
class Expected:
    """Task ids, (upstream, downstream) edges, and the node kind behind some tasks
    (``branch``, ``size``, ``gather``, ``launchplan``, ``signal``, ``resource``, ``dynamic``,
    ``cached``, ``cached-dynamic``)."""

    tasks: set[str] = field(default_factory=set)
    edges: set[tuple[str, str]] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)

    def split(self) -> Expected:
        """The graph of the kubernetes flavour, where a pod's result is acted on by a second
        task: ``X`` + ``X-choose`` (branch), ``S`` + ``S-indexes`` (map size), ``G-guard`` +
        ``G`` (gather), ``L-bind`` + ``L`` (launch plan), ``S`` + ``S-write`` (signal),
        ``R-bind`` + ``R`` (a task run as a Kubernetes object), ``D`` + ``D-futures`` +
        ``D-child`` (dynamic task), and around a cached task ``C``: ``C-cache-check`` +
        ``C-cache`` before it, ``C-cache-put`` + ``C-cached`` after it (and its dynamic steps),
        with ``C-cache`` going on to ``C-cached`` as well."""
        out = Expected(set(self.tasks), set(self.edges), dict(self.kinds))
        for task, kind in sorted(self.kinds.items()):
            if kind in ("dynamic", "cached", "cached-dynamic"):
                _split_task(out, task, kind)
                continue
            if kind in ("branch", "size", "signal"):
                new = task + {"branch": "-choose", "size": "-indexes", "signal": "-write"}[kind]
                out.edges = {(new if u == task else u, d) for u, d in out.edges} | {(task, new)}
            elif kind in ("gather", "launchplan", "resource"):
                new = task + ("-guard" if kind == "gather" else "-bind")
                out.edges = {(u, new if d == task else d) for u, d in out.edges} | {(new, task)}
            else:
                continue
            out.tasks.add(new)
        return out


def _split_task(out: Expected, task: str, kind: str) -> None:
    """A dynamic or cached task's steps (see :meth:`Expected.split`)."""
    last = task
    if kind.endswith("dynamic"):
        futures, child = task + "-futures", task + "-child"
        out.edges = {(child if u == task else u, d) for u, d in out.edges}
        out.edges |= {(task, futures), (futures, child)}
        out.tasks |= {futures, child}
        last = child
    if kind.startswith("cached"):
        check, choose = task + "-cache-check", task + "-cache"
        put, done = task + "-cache-put", task + "-cached"
        out.edges = {(done if u == last else u, d) for u, d in out.edges}
        out.edges = {(u, check if d == task else d) for u, d in out.edges}
        out.edges |= {(check, choose), (choose, task), (last, put), (put, done), (choose, done)}
        out.tasks |= {check, choose, put, done}


def expected_graph(compiled: CompiledProgram, cw: CompiledWorkflow) -> Expected:
    """Tasks and edges of the root workflow's DAG."""
    out = Expected({"start", "outputs"})
    done: dict[str, tuple[list[str], list[str]]] = {START_NODE: (["start"], ["start"])}
    _workflow(compiled, cw, "", out, done)
    ends = _ups(cw, END_NODE, done) or ["start"]
    out.edges |= {(u, "outputs") for u in ends}
    node = cw.workflow.failure_node
    if node is not None:
        before = set(out.tasks) - {"start", "outputs"}
        first, _last = _node(compiled, cw, node, "", out, done)
        out.edges |= {(u, f) for f in first for u in before}
    return out


Done = dict[str, tuple[list[str], list[str]]]


def _ups(cw: CompiledWorkflow, node_id: str, done: Done) -> list[str]:
    return [t for u in cw.upstream.get(node_id, ()) if u in done for t in done[u][1]]


def _legacy_map(compiled: CompiledProgram, kind: ir.NodeKind) -> bool:
    """A task node of a legacy map task (``container_array``) is lowered like a map."""
    if not isinstance(kind, ir.TaskNode) or kind.task is None:
        return False
    task = compiled.catalog.tasks.find(kind.task)
    return task is not None and task.type == "container_array"


def _task_kind(compiled: CompiledProgram, cw: CompiledWorkflow, node: ir.Node) -> str:
    """``resource`` (run as a Kubernetes object), ``dynamic``, ``cached``, ``cached-dynamic``
    or nothing, by the unit of the node's task's plugin."""
    kind = node.kind
    if not isinstance(kind, ir.TaskNode) or kind.task is None:
        return ""
    task = compiled.catalog.tasks.find(kind.task)
    assert task is not None
    unit = lower_task(TaskContext(task, node, cw.workflow, Config()))
    if isinstance(unit, K8sResourceUnit):
        return "resource"
    if not isinstance(unit, PodUnit):
        return ""
    flags = ["cached"] * (unit.policy.cache is not None) + ["dynamic"] * unit.dynamic
    return "-".join(flags)


def _workflow(
    compiled: CompiledProgram,
    cw: CompiledWorkflow,
    prefix: str,
    out: Expected,
    done: dict[str, tuple[list[str], list[str]]],
) -> None:
    for node_id in cw.order:
        node = cw.node(node_id)
        first, last = _node(compiled, cw, node, prefix, out, done)
        out.edges |= {(u, f) for f in first for u in _ups(cw, node_id, done)}
        done[node_id] = (first, last)


def _node(
    compiled: CompiledProgram,
    cw: CompiledWorkflow,
    node: ir.Node,
    prefix: str,
    out: Expected,
    done: dict[str, tuple[list[str], list[str]]],
) -> tuple[list[str], list[str]]:
    name = prefix + node.id
    kind = node.kind
    if isinstance(kind, ir.SubworkflowNode):
        sub = compiled.workflow(kind.workflow)
        assert sub is not None
        inner: dict[str, tuple[list[str], list[str]]] = {}
        before = set(out.tasks)
        _workflow(compiled, sub, name + ".", out, inner)
        added = set(out.tasks) - before
        firsts = [t for t in added if not any(d == t and u in added for u, d in out.edges)]
        lasts = [t for t in added if not any(u == t and d in added for u, d in out.edges)]
        return sorted(firsts), sorted(lasts)
    if isinstance(kind, ir.BranchNode):
        out.tasks |= {name, name + "-join"}
        out.kinds[name] = "branch"
        cases = [c.then_node for c in kind.cases if c.then_node is not None]
        if kind.else_node is not None:
            cases.append(kind.else_node)
        lasts: list[str] = []
        for case in cases:
            first, last = _node(compiled, cw, case, prefix, out, done)
            own = [u for u in _ups(cw, case.id, done) if u != name]
            out.edges |= {(u, f) for f in first for u in [name, *own]}
            lasts += last
        out.edges |= {(u, name + "-join") for u in (lasts or [name])}
        return [name], [name + "-join"]
    if isinstance(kind, ir.ArrayNode) or _legacy_map(compiled, kind):
        out.tasks |= {name, name + "-map", name + "-gather"}
        out.kinds |= {name: "size", name + "-gather": "gather"}
        run, gather = name + "-map", name + "-gather"
        out.edges |= {(name, run), (name, gather), (run, gather)}
        return [name], [name + "-gather"]
    out.tasks.add(name)
    task_kind = _task_kind(compiled, cw, node)
    if task_kind:
        out.kinds[name] = task_kind
    if isinstance(kind, ir.LaunchPlanNode):
        out.kinds[name] = "launchplan"
    if isinstance(kind, ir.GateNode) and kind.kind is ir.GateKind.SIGNAL:
        out.kinds[name] = "signal"
    return [name], [name]
