"""A compiled workflow as a :class:`~fcomp.backends.graph.model.Graph`.

One builder per node kind, in :data:`NODE_BUILDERS` (keyed like the targets' lowering
registries): tasks, gates and launch plans are single nodes; subworkflows, branches and maps
over anything but a task are clusters. Edges carry the variables a node's bindings read
(``o0 → x``); dependencies without data are drawn as order edges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from fcomp.backends.graph import labels
from fcomp.backends.graph.model import Cluster, ClusterKind, Edge, EdgeKind, Graph, Kind, Node
from fcomp.compiler import ir
from fcomp.compiler.passes.results import END_NODE, START_NODE, CompiledProgram, CompiledWorkflow


@dataclass(frozen=True, slots=True)
class Ends:
    """Where edges into a drawn node arrive and where edges out of it leave."""

    entry: str
    exit: str


@dataclass(frozen=True, slots=True)
class Scope:
    """Where the nodes of one workflow go: its cluster and the key prefix of its nodes."""

    compiled: CompiledProgram
    graph: Graph
    cluster: Cluster
    prefix: str = ""
    #: Workflows being expanded, outermost first (a workflow never expands inside itself).
    stack: tuple[ir.Ident, ...] = ()

    def key(self, node_id: str) -> str:
        """The picture key of a node of this workflow."""
        return self.prefix + node_id

    def add(self, key: str, kind: Kind, *lines: str) -> Ends:
        """Add one node and return it as both ends."""
        self.cluster.nodes.append(Node(key, kind, tuple(line for line in lines if line)))
        return Ends(key, key)

    def inner(self, key: str, kind: ClusterKind, label: str, prefix: str) -> Scope:
        """A new cluster inside this one, for nodes keyed under ``prefix``."""
        cluster = Cluster(key, kind, label)
        self.cluster.clusters.append(cluster)
        return replace(self, cluster=cluster, prefix=prefix)


Builder = Callable[[Scope, ir.Node], Ends]


def _title(node: ir.Node, fallback: str) -> str:
    return node.metadata.name or labels.short_name(fallback)


def _task(scope: Scope, node: ir.Node) -> Ends:
    kind = node.kind
    assert isinstance(kind, ir.TaskNode)
    task = scope.compiled.catalog.tasks.find(kind.task) if kind.task is not None else None
    name = kind.task.name if kind.task is not None else "?"
    task_type = task.type if task is not None else "?"
    return scope.add(scope.key(node.id), Kind.TASK, node.id, _title(node, name), f"[{task_type}]")


def _launch_plan(scope: Scope, node: ir.Node) -> Ends:
    kind = node.kind
    assert isinstance(kind, ir.LaunchPlanNode)
    title = _title(node, kind.launch_plan.name)
    return scope.add(scope.key(node.id), Kind.LAUNCH_PLAN, node.id, title, "[launch plan]")


def _gate(scope: Scope, node: ir.Node) -> Ends:
    kind = node.kind
    assert isinstance(kind, ir.GateNode)
    what = {
        ir.GateKind.APPROVE: "approve",
        ir.GateKind.SIGNAL: "signal",
        ir.GateKind.SLEEP: f"sleep {labels.duration(kind.sleep_s)}",
        None: "?",
    }[kind.kind]
    title = node.metadata.name or kind.signal_id
    return scope.add(scope.key(node.id), Kind.GATE, node.id, title, f"[gate: {what}]")


def _subworkflow(scope: Scope, node: ir.Node) -> Ends:
    kind = node.kind
    assert isinstance(kind, ir.SubworkflowNode)
    sub = scope.compiled.workflow(kind.workflow)
    title = _title(node, kind.workflow.name)
    key = scope.key(node.id)
    if sub is None or sub.id in scope.stack:
        return scope.add(key, Kind.TASK, node.id, title, "[subworkflow]")
    label = f"{node.id}: {title} [subworkflow]"
    inner = scope.inner(key, ClusterKind.SUBWORKFLOW, label, key + "/")
    return draw_workflow(replace(inner, stack=(*scope.stack, sub.id)), sub)


def _branch(scope: Scope, node: ir.Node) -> Ends:
    kind = node.kind
    assert isinstance(kind, ir.BranchNode)
    key = scope.key(node.id)
    inner = scope.inner(key + "/cases", ClusterKind.BRANCH, f"{node.id}: branch", scope.prefix)
    decide = inner.add(key, Kind.BRANCH, node.id, _title(node, "branch"), "[branch]").entry
    merge = inner.add(key + "/merge", Kind.MERGE).entry
    cases: list[tuple[str, ir.Node | None]] = [
        (("if " if i == 0 else "elif ") + labels.condition(case.condition), case.then_node)
        for i, case in enumerate(kind.cases)
    ]
    if kind.else_node is not None:
        cases.append(("else", kind.else_node))
    for text, then in cases:
        if then is None:
            continue
        ends = draw_node(inner, then)
        scope.graph.edges.append(Edge(decide, ends.entry, EdgeKind.CASE, (text,)))
        scope.graph.edges.append(Edge(ends.exit, merge, EdgeKind.ORDER))
    if kind.else_node is None and kind.error is not None:
        fail = inner.add(key + "/error", Kind.FAIL, "fail", labels.clip(kind.error.message)).entry
        scope.graph.edges.append(Edge(decide, fail, EdgeKind.CASE, ("else",)))
    return Ends(decide, merge)


def _array(scope: Scope, node: ir.Node) -> Ends:
    kind = node.kind
    assert isinstance(kind, ir.ArrayNode)
    sub = kind.node
    key = scope.key(node.id)
    extra = f"parallelism {kind.parallelism}" if kind.parallelism else ""
    if sub is not None and isinstance(sub.kind, ir.TaskNode):
        task_ref = sub.kind.task
        task = scope.compiled.catalog.tasks.find(task_ref) if task_ref is not None else None
        title = labels.mapped_name(task_ref.name) if task_ref is not None else "?"
        task_type = task.type if task is not None else "?"
        return scope.add(key, Kind.MAP, node.id, f"map {title}", f"[{task_type}]", extra)
    if sub is None:
        return scope.add(key, Kind.MAP, node.id, "[map]", extra)
    label = f"{node.id}: map" + (f" ({extra})" if extra else "")
    return draw_node(scope.inner(key, ClusterKind.MAP, label, key + "/"), sub)


def _empty(scope: Scope, node: ir.Node) -> Ends:
    return scope.add(scope.key(node.id), Kind.TASK, node.id, "[empty]")


#: How each node kind is drawn.
NODE_BUILDERS: dict[type, Builder] = {
    ir.TaskNode: _task,
    ir.SubworkflowNode: _subworkflow,
    ir.BranchNode: _branch,
    ir.GateNode: _gate,
    ir.ArrayNode: _array,
    ir.LaunchPlanNode: _launch_plan,
    ir.EmptyNode: _empty,
}


def draw_node(scope: Scope, node: ir.Node) -> Ends:
    """Draw one node of any kind."""
    return NODE_BUILDERS[type(node.kind)](scope, node)


def _mark_failure(cluster: Cluster, key: str) -> None:
    for index, drawn in enumerate(cluster.nodes):
        if drawn.key == key:
            cluster.nodes[index] = replace(
                drawn, kind=Kind.FAILURE, lines=(*drawn.lines, "on failure")
            )


def _bindings_edges(
    scope: Scope,
    ends: dict[str, tuple[int, Ends]],
    dst: str,
    bindings: tuple[ir.Binding, ...],
    kind: EdgeKind,
    short: bool,
) -> set[str]:
    """Add one edge per upstream node feeding ``bindings``; returns the upstream node ids."""
    lines: dict[str, list[str]] = {}
    for binding in bindings:
        for path, promise in labels.promises(binding.data, binding.var):
            src = promise.node_id or START_NODE
            text = labels.promise_text(promise)
            lines.setdefault(src, []).append(text if short or text == path else f"{text} → {path}")
    for src in sorted((s for s in lines if s in ends), key=lambda s: ends[s][0]):
        unique = tuple(dict.fromkeys(lines[src]))
        scope.graph.edges.append(Edge(ends[src][1].exit, ends[dst][1].entry, kind, unique))
    return set(lines)


def draw_workflow(scope: Scope, cw: CompiledWorkflow) -> Ends:
    """Draw a workflow's start and end nodes, its nodes and the edges between them."""
    wf = cw.workflow
    drawn = [(START_NODE, scope.add(scope.key(START_NODE), Kind.START, "start"))]
    drawn += [(node.id, draw_node(scope, node)) for node in wf.nodes]
    drawn.append((END_NODE, scope.add(scope.key(END_NODE), Kind.END, "end")))
    if wf.failure_node is not None:
        failure = wf.failure_node
        drawn.append((failure.id, draw_node(scope, failure)))
        _mark_failure(scope.cluster, drawn[-1][1].entry)
    # node id -> (drawing position, ends); edges are sorted by position, not by name
    ends = {node_id: (i, e) for i, (node_id, e) in enumerate(drawn)}
    for node in wf.nodes:
        short = isinstance(node.kind, ir.BranchNode)  # a branch's input names are internal
        fed = _bindings_edges(scope, ends, node.id, node.inputs, EdgeKind.DATA, short)
        _order_edges(scope, ends, node.id, cw.upstream.get(node.id, ()), fed)
    fed = _bindings_edges(scope, ends, END_NODE, wf.outputs, EdgeKind.DATA, False)
    _order_edges(scope, ends, END_NODE, cw.upstream.get(END_NODE, ()), fed)
    if wf.failure_node is not None:
        failure = wf.failure_node
        _bindings_edges(scope, ends, failure.id, failure.inputs, EdgeKind.FAILURE, False)
    return Ends(ends[START_NODE][1].entry, ends[END_NODE][1].exit)


def _order_edges(
    scope: Scope,
    ends: dict[str, tuple[int, Ends]],
    dst: str,
    upstream: tuple[str, ...],
    fed: set[str],
) -> None:
    """Edges for dependencies that carry no data (``upstream_node_ids`` only)."""
    others = (s for s in set(upstream) - fed if s in ends and s != dst)
    for src in sorted(others, key=lambda s: ends[s][0]):
        scope.graph.edges.append(Edge(ends[src][1].exit, ends[dst][1].entry, EdgeKind.ORDER))


def build_graph(compiled: CompiledProgram, cw: CompiledWorkflow) -> Graph:
    """The picture of one compiled workflow."""
    name = cw.id.name
    graph = Graph(name, Cluster("", ClusterKind.SUBWORKFLOW, name))
    draw_workflow(Scope(compiled, graph, graph.root, stack=(cw.id,)), cw)
    return graph
