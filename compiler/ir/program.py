"""A program: every entity of one compiler run, with reference lookup."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from fcomp.compiler.ir.identifiers import Ident
from fcomp.compiler.ir.tasks import Task
from fcomp.compiler.ir.workflows import DynamicJob, LaunchPlan, Workflow

E = TypeVar("E", Task, Workflow, LaunchPlan)


class Index(Generic[E]):
    """Entities of one kind by name; a reference matches on name and every part it sets."""

    def __init__(self, entities: Iterable[E]) -> None:
        self._by_name: dict[str, list[E]] = {}
        for entity in entities:
            self._by_name.setdefault(entity.id.name, []).append(entity)

    def find(self, ref: Ident) -> E | None:
        """The entity ``ref`` names, or None. Among several matches the first loaded wins."""
        for entity in self._by_name.get(ref.name, ()):
            if ref.matches(entity.id):
                return entity
        return None

    def __contains__(self, ref: Ident) -> bool:
        return self.find(ref) is not None


@dataclass(frozen=True, slots=True)
class Program:
    """Every task, workflow (top-level and sub), launch plan and dynamic job of a run.

    ``primary`` lists the workflows that were registered as workflows (not only carried as
    another workflow's subworkflow), in load order.
    """

    tasks: tuple[Task, ...] = ()
    workflows: tuple[Workflow, ...] = ()
    launch_plans: tuple[LaunchPlan, ...] = ()
    primary: tuple[Ident, ...] = ()
    dynamic_jobs: tuple[DynamicJob, ...] = ()


class Catalog:
    """Reference lookup over a program."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.tasks: Index[Task] = Index(program.tasks)
        self.workflows: Index[Workflow] = Index(program.workflows)
        self.launch_plans: Index[LaunchPlan] = Index(program.launch_plans)
