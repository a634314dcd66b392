"""What the loaders hand to the compiler: flyteidl messages, each with where it came from."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from google.protobuf.message import Message

from fcomp.compiler.diagnostics import Diagnostic, Source


class EntityKind(enum.Enum):
    """The normalised kinds of loaded entities.

    Every accepted input form is normalised to one of these messages:

    - ``TASK``: ``flyteidl.core.tasks_pb2.TaskTemplate``
    - ``WORKFLOW``: ``flyteidl.admin.workflow_pb2.WorkflowSpec`` (template + sub_workflows)
    - ``LAUNCH_PLAN``: ``flyteidl.admin.launch_plan_pb2.LaunchPlan`` (id + spec)
    - ``DYNAMIC_JOB``: ``flyteidl.core.dynamic_job_pb2.DynamicJobSpec``
    """

    TASK = "task"
    WORKFLOW = "workflow"
    LAUNCH_PLAN = "launch_plan"
    DYNAMIC_JOB = "dynamic_job"


@dataclass(frozen=True)
class LoadedEntity:
    """One entity read from an input, as a flyteidl message, with its source.

    ``source.file`` is the path as given (``<folder>/<name>`` for a folder's files,
    ``<archive>!<member>`` for an archive member); ``source.entity`` is the identifier's name
    (empty for a dynamic job, which has none).
    """

    kind: EntityKind
    message: Message
    source: Source
    #: True when the workflow came from a compiled closure (its template may already carry
    #: Flyte's start and end nodes).
    compiled: bool = False


@dataclass
class LoadResult:
    """Everything read from the inputs of one run, and what went wrong reading them."""

    entities: list[LoadedEntity] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Bytes of the entity files decoded (a measure of the inputs' size).
    input_bytes: int = 0
