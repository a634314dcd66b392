"""What compilation produces: compiled workflows and the compiled program."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fcomp.compiler import ir

#: Ids of the nodes Flyte's compiler adds to every workflow.
START_NODE = "start-node"
END_NODE = "end-node"


@dataclass(frozen=True, slots=True)
class CompiledWorkflow:
    """A workflow after Flyte's compiler: renamed branch nodes, promises pointing at real
    nodes (workflow inputs at :data:`START_NODE`), effective node interfaces and connections.
    """

    workflow: ir.Workflow
    interfaces: Mapping[str, ir.Interface]
    upstream: Mapping[str, tuple[str, ...]]
    downstream: Mapping[str, tuple[str, ...]]
    order: tuple[str, ...] = ()
    #: Top-level nodes by id, filled on first lookup.
    _by_id: dict[str, ir.Node] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def id(self) -> ir.Ident:
        """The workflow's identifier."""
        return self.workflow.id

    def node(self, node_id: str) -> ir.Node:
        """A top-level node by id."""
        by_id = self._by_id
        if not by_id:
            for n in self.workflow.nodes:
                by_id.setdefault(n.id, n)
        return by_id[node_id]


@dataclass(frozen=True, slots=True)
class CompiledProgram:
    """Every workflow of a program compiled, plus the program and its lookup catalog."""

    program: ir.Program
    catalog: ir.Catalog = field(compare=False)
    workflows: Mapping[ir.Ident, CompiledWorkflow]
    dynamic_jobs: tuple[CompiledWorkflow, ...] = ()

    def workflow(self, ident: ir.Ident) -> CompiledWorkflow | None:
        """The compiled workflow ``ident`` names (matching on name and set parts)."""
        found = self.catalog.workflows.find(ident)
        return self.workflows.get(found.id) if found is not None else None
