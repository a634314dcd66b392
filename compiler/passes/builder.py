"""Per-workflow compile state: nodes by id, their interfaces, and the connection sets."""

from __future__ import annotations

from dataclasses import dataclass

from fcomp.compiler import ir, messages
from fcomp.compiler.passes.results import END_NODE, START_NODE
from fcomp.compiler.passes.scope import Scope


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
        self.add_downstream_edge(provider, dependent)
        self.add_upstream_edge(provider, dependent)

    # --- lookups ----------------------------------------------------------------------------
    def task(self, ref: ir.Ident) -> ir.Task | None:
        """The task a reference names."""
        return self.catalog.tasks.find(ref)

    def launch_plan(self, ref: ir.Ident) -> ir.LaunchPlan | None:
        """The launch plan a reference names."""
        return self.catalog.launch_plans.find(ref)

    def workflow(self, ref: ir.Ident) -> ir.Workflow | None:
        """The workflow a reference names."""
        return self.catalog.workflows.find(ref)
