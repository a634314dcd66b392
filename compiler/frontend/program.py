"""Build the IR program from loaded entities: convert, deduplicate, report conflicts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from flyteidl.admin import launch_plan_pb2, workflow_pb2
from flyteidl.core import dynamic_job_pb2, tasks_pb2

from fcomp.compiler import codes, ir
from fcomp.compiler.diagnostics import Diagnostics, Source
from fcomp.compiler.frontend.tasks import convert_task
from fcomp.compiler.frontend.types import TooDeepError
from fcomp.compiler.frontend.workflows import (
    convert_dynamic_job,
    convert_launch_plan,
    convert_workflow,
)
from fcomp.idl.model import EntityKind, LoadedEntity

T = TypeVar("T")


class _Table(Generic[T]):
    """Entities of one kind keyed by identifier, first one kept, conflicts reported."""

    def __init__(self, what: str, code: str, diags: Diagnostics) -> None:
        self.what = what
        self.code = code
        self.diags = diags
        self.items: dict[ir.Ident, tuple[bytes, T]] = {}

    def add(self, ident: ir.Ident, fingerprint: bytes, entity: T, source: Source) -> bool:
        seen = self.items.get(ident)
        if seen is None:
            self.items[ident] = (fingerprint, entity)
            return True
        if seen[0] != fingerprint:
            self.diags.error(
                self.code,
                f"two different {self.what}s named '{ident.render()}'; the first one is used",
                source,
            )
        return False

    def values(self) -> list[T]:
        return [e for _, e in self.items.values()]


class ProgramBuilder:
    """Collects converted entities into a :class:`~fcomp.compiler.ir.Program`."""

    def __init__(self, diags: Diagnostics) -> None:
        self.diags = diags
        self.tasks: _Table[ir.Task] = _Table("task", codes.DUPLICATE_ENTITY, diags)
        self.workflows: _Table[ir.Workflow] = _Table("workflow", codes.DUPLICATE_ID, diags)
        self.launch_plans: _Table[ir.LaunchPlan] = _Table(
            "launch plan", codes.DUPLICATE_ENTITY, diags
        )
        self.primary: list[ir.Ident] = []
        self.dynamic_jobs: list[ir.DynamicJob] = []

    def _guard(self, source: Source, convert: Callable[[], T]) -> T | None:
        try:
            return convert()
        except TooDeepError:
            self.diags.error(
                codes.LIMIT_EXCEEDED,
                "a type or literal is nested deeper than fcomp's limit of 100 levels",
                source,
            )
        except (ValueError, TypeError) as exc:
            self.diags.error(codes.LOAD_ERROR, f"cannot read entity: {exc}", source)
        return None

    def add_task(self, t: tasks_pb2.TaskTemplate, source: Source) -> None:
        """Add a task template."""
        src = Source(source.file, t.id.name)
        task = self._guard(src, lambda: convert_task(t, src))
        if task is not None:
            self.tasks.add(task.id, task.pb, task, src)

    def add_workflow_spec(
        self, spec: workflow_pb2.WorkflowSpec, source: Source, compiled: bool
    ) -> None:
        """Add a workflow spec: its template (primary) and its subworkflows."""
        wf = self._guard(source, lambda: convert_workflow(spec.template, source, compiled=compiled))
        if wf is not None:
            key = spec.template.SerializeToString(deterministic=True)
            self.workflows.add(wf.id, key, wf, wf.source)
            if wf.id not in self.primary:
                self.primary.append(wf.id)
        self.add_subworkflows(spec.sub_workflows, source, compiled)

    def add_subworkflows(self, templates: Iterable[object], source: Source, compiled: bool) -> None:
        """Add subworkflow templates carried by a workflow spec or dynamic job."""
        for sub in templates:
            sw = self._guard(source, lambda s=sub: convert_workflow(s, source, compiled=compiled))  # type: ignore[misc]
            if sw is not None:
                key = sub.SerializeToString(deterministic=True)  # type: ignore[attr-defined]
                self.workflows.add(sw.id, key, sw, sw.source)

    def add_launch_plan(self, lp: launch_plan_pb2.LaunchPlan, source: Source) -> None:
        """Add a launch plan."""
        plan = self._guard(source, lambda: convert_launch_plan(lp, source))
        if plan is not None:
            self.launch_plans.add(
                plan.id, lp.spec.SerializeToString(deterministic=True), plan, plan.source
            )

    def add_dynamic_job(self, d: dynamic_job_pb2.DynamicJobSpec, source: Source) -> None:
        """Add a dynamic job spec with its tasks and subworkflows."""
        for t in d.tasks:
            self.add_task(t, source)
        self.add_subworkflows(d.subworkflows, source, compiled=False)
        job = self._guard(source, lambda: convert_dynamic_job(d, source))
        if job is not None:
            self.dynamic_jobs.append(job)

    def build(self) -> ir.Program:
        """The program of everything added so far."""
        return ir.Program(
            tasks=tuple(self.tasks.values()),
            workflows=tuple(self.workflows.values()),
            launch_plans=tuple(self.launch_plans.values()),
            primary=tuple(self.primary),
            dynamic_jobs=tuple(self.dynamic_jobs),
        )


_ADDERS: dict[EntityKind, Callable[[ProgramBuilder, LoadedEntity], None]] = {
    EntityKind.TASK: lambda b, e: b.add_task(e.message, e.source),
    EntityKind.WORKFLOW: lambda b, e: b.add_workflow_spec(
        e.message,
        e.source,
        e.compiled,
    ),
    EntityKind.LAUNCH_PLAN: lambda b, e: b.add_launch_plan(e.message, e.source),
    EntityKind.DYNAMIC_JOB: lambda b, e: b.add_dynamic_job(e.message, e.source),
}


def build_program(entities: Iterable[LoadedEntity], diags: Diagnostics) -> ir.Program:
    """Convert loaded entities into one program; conflicts and bad entities are reported."""
    builder = ProgramBuilder(diags)
    for entity in entities:
        _ADDERS[entity.kind](builder, entity)
    return builder.build()
