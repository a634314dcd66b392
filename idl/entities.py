"""Build normalised :class:`~fcomp.idl.model.LoadedEntity` objects from flyteidl messages.

Each builder copies what it needs into the normalised message for its kind (see
:class:`~fcomp.idl.model.EntityKind`) and names the entity after its identifier.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import workflow_pb2 as admin_workflow_pb2

from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.idl.model import EntityKind, LoadedEntity, LoadResult


def add_task(template: Any, file: str, out: LoadResult) -> None:
    """Add a ``core.TaskTemplate`` as a TASK entity."""
    out.entities.append(
        LoadedEntity(EntityKind.TASK, template, Source(file=file, entity=template.id.name))
    )


def add_workflow(spec: Any, file: str, out: LoadResult, *, compiled: bool = False) -> None:
    """Add an ``admin.WorkflowSpec`` as a WORKFLOW entity."""
    source = Source(file=file, entity=spec.template.id.name)
    out.entities.append(LoadedEntity(EntityKind.WORKFLOW, spec, source, compiled=compiled))


def add_launch_plan(plan: Any, file: str, out: LoadResult) -> None:
    """Add an ``admin.LaunchPlan`` as a LAUNCH_PLAN entity."""
    source = Source(file=file, entity=plan.id.name)
    out.entities.append(LoadedEntity(EntityKind.LAUNCH_PLAN, plan, source))


def add_dynamic_job(spec: Any, file: str, out: LoadResult) -> None:
    """Add a ``core.DynamicJobSpec`` as a DYNAMIC_JOB entity (it has no name of its own)."""
    out.entities.append(LoadedEntity(EntityKind.DYNAMIC_JOB, spec, Source(file=file)))


def add_workflow_closure(closure: Any, file: str, out: LoadResult) -> None:
    """Add a ``core.WorkflowClosure``: its workflow, then its tasks."""
    add_workflow(admin_workflow_pb2.WorkflowSpec(template=closure.workflow), file, out)
    for template in closure.tasks:
        add_task(template, file, out)


def add_compiled_closure(closure: Any, file: str, out: LoadResult) -> None:
    """Add a ``core.CompiledWorkflowClosure``: its workflow (``compiled=True``), then its tasks.

    The templates keep Flyte's ``start-node``/``end-node``; the compiler front end drops them.
    Compiled launch plans carry no more than their interface and are reported as ignored.
    """
    spec = admin_workflow_pb2.WorkflowSpec(
        template=closure.primary.template,
        sub_workflows=[sub.template for sub in closure.sub_workflows],
    )
    add_workflow(spec, file, out, compiled=True)
    for compiled_task in closure.tasks:
        add_task(compiled_task.template, file, out)
    if closure.launch_plans:
        out.diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                codes.IGNORED_FIELD,
                f"the compiled closure's {len(closure.launch_plans)} launch plan template(s) are "
                "ignored; pass the launch plans themselves",
                Source(file=file, entity=spec.template.id.name, field="launch_plans"),
            )
        )
