"""Per-workflow compile state: nodes by id, their interfaces, and the connection sets."""

from __future__ import annotations

from dataclasses import dataclass

from fcomp.compiler import ir, messages
from fcomp.compiler.passes.results import END_NODE, START_NODE
from fcomp.compiler.passes.scope import Scope
from fcomp.compiler.passes.typing import is_castable


@dataclass
class NodeState:
    """What the compiler knows about one node while checking its workflow."""

    node: ir.Node
    iface: ir.Interface | None = None
    computing: bool = False
    done: bool = False


class WorkflowBuilder:
    """The graph being built for one workflow (Flyte's ``workflowBuilder``)."""

    def __init__(self, wf: ir.Workflow, catalog: ir.Catalog) -> None:
        self.wf = wf
        self.catalog = catalog
        self.nodes: dict[str, NodeState] = {}
        self._sub_states: dict[int, NodeState] = {}
        # Lookups by the identity of the (shared, immutable) reference or interface; each
        # entry keeps its key object alive, so an id is never reused while it is cached.
        self._tasks: dict[int, tuple[ir.Ident, ir.Task | None]] = {}
        self._checked: dict[int, ir.Interface] = {}
        self._casts: dict[tuple[int, int], tuple[ir.LiteralType, ir.LiteralType, bool]] = {}
        self.upstream: dict[str, set[str]] = {}
        self.downstream: dict[str, set[str]] = {}
        start = ir.Node(START_NODE, ir.EmptyNode(), source=wf.source.at(node=START_NODE))
        end = ir.Node(
            END_NODE, ir.EmptyNode(), inputs=wf.outputs, source=wf.source.at(node=END_NODE)
        )
        self.nodes[START_NODE] = NodeState(
            start, ir.Interface({}, dict(wf.interface.inputs)), done=True
        )
        self.nodes[END_NODE] = NodeState(
            end, ir.Interface(dict(wf.interface.outputs), {}), done=True
        )

    # --- nodes ------------------------------------------------------------------------------
    def state(self, node: ir.Node) -> NodeState:
        """The state of a top-level node, or of a nested one (branch case, array sub-node)."""
        top = self.nodes.get(node.id)
        if top is not None and top.node is node:
            return top
        key = id(node)
        found = self._sub_states.get(key)
        if found is None:
            found = self._sub_states[key] = NodeState(node)
        return found

    def add_node(self, node: ir.Node, scope: Scope) -> NodeState | None:
        """Register a top-level node; a second node with the same id is reported and skipped."""
        if node.id in self.nodes:
            scope.report(messages.DUPLICATE_NODE, node.source, id=node.id)
            return None
        st = self.nodes[node.id] = NodeState(node)
        return st

    def nested_states(self) -> list[NodeState]:
        """States of nested nodes (branch cases, array sub-nodes, failure node)."""
        return list(self._sub_states.values())

    # --- edges ------------------------------------------------------------------------------
    def add_upstream_edge(self, provider: str, dependent: str) -> None:
        """Record that ``dependent`` depends on ``provider`` (connections.upstream)."""
        self.upstream.setdefault(dependent, set()).add(provider or START_NODE)

    def add_downstream_edge(self, provider: str, dependent: str) -> None:
        """Record that ``provider`` feeds ``dependent`` (connections.downstream)."""
        self.downstream.setdefault(provider or START_NODE, set()).add(dependent)

    def add_execution_edge(self, provider: str, dependent: str) -> None:
        """Record both directions of an edge."""
        provider = provider or START_NODE
        down = self.downstream.get(provider)
        if down is None:
            self.downstream[provider] = {dependent}
        else:
            down.add(dependent)
        up = self.upstream.get(dependent)
        if up is None:
            self.upstream[dependent] = {provider}
        else:
            up.add(provider)

    # --- lookups ----------------------------------------------------------------------------
    def task(self, ref: ir.Ident) -> ir.Task | None:
        """The task a reference names."""
        hit = self._tasks.get(id(ref))
        if hit is not None and hit[0] is ref:
            return hit[1]
        task = self.catalog.tasks.find(ref)
        self._tasks[id(ref)] = (ref, task)
        return task

    def castable(self, upstream: ir.LiteralType, downstream: ir.LiteralType) -> bool:
        """:func:`~fcomp.compiler.passes.typing.is_castable`, remembered per pair of type
        objects (nodes of the same tasks ask about the same pairs)."""
        key = (id(upstream), id(downstream))
        hit = self._casts.get(key)
        if hit is not None and hit[0] is upstream and hit[1] is downstream:
            return hit[2]
        result = is_castable(upstream, downstream)
        self._casts[key] = (upstream, downstream, result)
        return result

    def is_checked_interface(self, iface: ir.Interface) -> bool:
        """Whether ``iface``'s variables were already found valid in this workflow."""
        return self._checked.get(id(iface)) is iface

    def checked_interface(self, iface: ir.Interface) -> None:
        """Record that ``iface``'s variables are valid (names and types set)."""
        self._checked[id(iface)] = iface

    def launch_plan(self, ref: ir.Ident) -> ir.LaunchPlan | None:
        """The launch plan a reference names."""
        return self.catalog.launch_plans.find(ref)

    def workflow(self, ref: ir.Ident) -> ir.Workflow | None:
        """The workflow a reference names."""
        return self.catalog.workflows.find(ref)
