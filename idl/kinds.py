"""The table entry describing one accepted message type, and the entries for Flyte's specs.

A :class:`MessageKind` says how to recognise a message once parsed (``plausible``: the parts
that tell it apart from other messages which happen to parse from the same bytes), what its
name is, and how to turn it into normalised entities. The admin objects printed by ``flytectl``
have their entries in :mod:`fcomp.idl.admin`; :mod:`fcomp.idl.detect` tries them all in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, dynamic_job_pb2, workflow_closure_pb2
from google.protobuf.message import Message

from fcomp.idl import entities
from fcomp.idl.model import LoadResult


@dataclass(frozen=True, slots=True)
class MessageKind:
    """One message type the loaders accept, with its plausibility check and normaliser."""

    #: Short name used in messages, e.g. ``TaskSpec``.
    name: str
    message_type: type[Message]
    #: Whether a parsed message really is of this kind (required, distinguishing parts set).
    plausible: Callable[[Any], bool]
    #: Add the normalised entities of a message of this kind to a result.
    add: Callable[[Any, str, LoadResult], None]
    #: The parts ``plausible`` requires, for error messages.
    requires: str = ""
    #: The message's own name, empty when it has none (used to sanity-check suffix-typed files).
    name_of: Callable[[Any], str] = lambda _message: ""


def named(value: str) -> bool:
    """Whether ``value`` looks like a Flyte name: non-empty and printable."""
    return bool(value) and value.isprintable()


def task_template_ok(template: Any) -> bool:
    """A ``core.TaskTemplate`` with a name and a type."""
    return named(template.id.name) and named(template.type)


def workflow_template_ok(template: Any) -> bool:
    """A ``core.WorkflowTemplate`` with a name and nodes."""
    return named(template.id.name) and len(template.nodes) > 0


def launch_plan_ok(plan: Any) -> bool:
    """An ``admin.LaunchPlan`` with a name and the workflow it launches."""
    return named(plan.id.name) and named(plan.spec.workflow_id.name)


def compiled_closure_ok(closure: Any) -> bool:
    """A ``core.CompiledWorkflowClosure`` with a primary workflow and well-formed parts."""
    return (
        workflow_template_ok(closure.primary.template)
        and all(workflow_template_ok(s.template) for s in closure.sub_workflows)
        and all(task_template_ok(t.template) for t in closure.tasks)
    )


def _task_spec(spec: Any, file: str, out: LoadResult) -> None:
    entities.add_task(spec.template, file, out)


def _dynamic_job_ok(spec: Any) -> bool:
    return (
        len(spec.nodes) > 0
        and named(spec.nodes[0].id)
        and all(task_template_ok(t) for t in spec.tasks)
        and all(workflow_template_ok(w) for w in spec.subworkflows)
    )


TASK_SPEC = MessageKind(
    "TaskSpec",
    task_pb2.TaskSpec,
    requires="template.id.name and template.type",
    plausible=lambda m: task_template_ok(m.template),
    add=_task_spec,
    name_of=lambda m: m.template.id.name,
)
WORKFLOW_SPEC = MessageKind(
    "WorkflowSpec",
    workflow_pb2.WorkflowSpec,
    requires="template.id.name and template.nodes",
    plausible=lambda m: (
        workflow_template_ok(m.template) and all(map(workflow_template_ok, m.sub_workflows))
    ),
    add=entities.add_workflow,
    name_of=lambda m: m.template.id.name,
)
LAUNCH_PLAN = MessageKind(
    "LaunchPlan",
    launch_plan_pb2.LaunchPlan,
    requires="id.name and spec.workflow_id.name",
    plausible=launch_plan_ok,
    add=entities.add_launch_plan,
    name_of=lambda m: m.id.name,
)
WORKFLOW_CLOSURE = MessageKind(
    "WorkflowClosure",
    workflow_closure_pb2.WorkflowClosure,
    requires="workflow.id.name",
    plausible=lambda m: named(m.workflow.id.name) and all(task_template_ok(t) for t in m.tasks),
    add=entities.add_workflow_closure,
    name_of=lambda m: m.workflow.id.name,
)
COMPILED_WORKFLOW_CLOSURE = MessageKind(
    "CompiledWorkflowClosure",
    compiler_pb2.CompiledWorkflowClosure,
    requires="primary.template.id.name and primary.template.nodes",
    plausible=compiled_closure_ok,
    add=entities.add_compiled_closure,
    name_of=lambda m: m.primary.template.id.name,
)
DYNAMIC_JOB_SPEC = MessageKind(
    "DynamicJobSpec",
    dynamic_job_pb2.DynamicJobSpec,
    requires="nodes with ids",
    plausible=_dynamic_job_ok,
    add=entities.add_dynamic_job,
)

#: Flyte's own spec and closure messages, in the order they are tried.
SPEC_KINDS: tuple[MessageKind, ...] = (
    TASK_SPEC,
    WORKFLOW_SPEC,
    LAUNCH_PLAN,
    WORKFLOW_CLOSURE,
    COMPILED_WORKFLOW_CLOSURE,
    DYNAMIC_JOB_SPEC,
)

#: The kind ``pyflyte package`` marks with the ``_<k>.pb`` suffix of a file name.
SUFFIX_KINDS: dict[str, MessageKind] = {"1": TASK_SPEC, "2": WORKFLOW_SPEC, "3": LAUNCH_PLAN}
