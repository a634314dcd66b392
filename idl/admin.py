"""The flyteadmin objects that ``flytectl get task|workflow|launchplan -o json|yaml`` prints.

``admin.Task`` holds ``closure.compiled_task.template``; ``admin.Workflow`` holds
``closure.compiled_workflow`` (a ``core.CompiledWorkflowClosure``); launch plans are
``admin.LaunchPlan``, the message ``pyflyte package`` writes too (see :mod:`fcomp.idl.kinds`).
flytectl prints one object or a JSON array of them; admin list responses
(``{"tasks": [...]}``, ``{"workflows": [...]}``, ``{"launchPlans": [...]}``) are accepted too.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

from fcomp.idl import entities
from fcomp.idl.kinds import (
    MessageKind,
    compiled_closure_ok,
    launch_plan_ok,
    named,
    task_template_ok,
)
from fcomp.idl.model import LoadResult


def _task_ok(task: Any) -> bool:
    return named(task.id.name) and task_template_ok(task.closure.compiled_task.template)


def _workflow_ok(workflow: Any) -> bool:
    return named(workflow.id.name) and compiled_closure_ok(workflow.closure.compiled_workflow)


def _add_task(task: Any, file: str, out: LoadResult) -> None:
    entities.add_task(task.closure.compiled_task.template, file, out)


def _add_workflow(workflow: Any, file: str, out: LoadResult) -> None:
    entities.add_compiled_closure(workflow.closure.compiled_workflow, file, out)


def _add_tasks(tasks: Any, file: str, out: LoadResult) -> None:
    for task in tasks.tasks:
        _add_task(task, file, out)


def _add_workflows(workflows: Any, file: str, out: LoadResult) -> None:
    for workflow in workflows.workflows:
        _add_workflow(workflow, file, out)


def _add_launch_plans(plans: Any, file: str, out: LoadResult) -> None:
    for plan in plans.launch_plans:
        entities.add_launch_plan(plan, file, out)


ADMIN_TASK = MessageKind(
    "admin.Task",
    task_pb2.Task,
    requires="id.name, closure.compiled_task.template.id.name and .type",
    plausible=_task_ok,
    add=_add_task,
    name_of=lambda m: m.id.name,
)
ADMIN_WORKFLOW = MessageKind(
    "admin.Workflow",
    workflow_pb2.Workflow,
    requires="id.name and closure.compiled_workflow.primary.template",
    plausible=_workflow_ok,
    add=_add_workflow,
    name_of=lambda m: m.id.name,
)
ADMIN_TASK_LIST = MessageKind(
    "admin.TaskList",
    task_pb2.TaskList,
    requires="a non-empty list of tasks",
    plausible=lambda m: len(m.tasks) > 0 and all(map(_task_ok, m.tasks)),
    add=_add_tasks,
)
ADMIN_WORKFLOW_LIST = MessageKind(
    "admin.WorkflowList",
    workflow_pb2.WorkflowList,
    requires="a non-empty list of workflows",
    plausible=lambda m: len(m.workflows) > 0 and all(map(_workflow_ok, m.workflows)),
    add=_add_workflows,
)
ADMIN_LAUNCH_PLAN_LIST = MessageKind(
    "admin.LaunchPlanList",
    launch_plan_pb2.LaunchPlanList,
    requires="a non-empty list of launch plans",
    plausible=lambda m: len(m.launch_plans) > 0 and all(map(launch_plan_ok, m.launch_plans)),
    add=_add_launch_plans,
)

#: The admin objects, in the order they are tried (after the spec messages).
ADMIN_KINDS: tuple[MessageKind, ...] = (
    ADMIN_TASK,
    ADMIN_WORKFLOW,
    ADMIN_TASK_LIST,
    ADMIN_WORKFLOW_LIST,
    ADMIN_LAUNCH_PLAN_LIST,
)
