"""Workflow nodes of every kind, workflows, launch plans and dynamic job specs."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from fcomp.compiler.diagnostics import Source
from fcomp.compiler.frozen import fast_init
from fcomp.compiler.ir.identifiers import Ident, Interface, Parameter
from fcomp.compiler.ir.literals import Binding, BoolExpr, Literal
from fcomp.compiler.ir.tasks import ExtendedResources, K8sPod, KeyValues, Resources
from fcomp.compiler.ir.types import Collection, LiteralType


@dataclass(frozen=True, slots=True)
class NodeMetadata:
    """``flyteidl.core.NodeMetadata``; ``None`` means not set on the node."""

    name: str = ""
    timeout_s: float | None = None
    retries: int | None = None
    interruptible: bool | None = None
    cacheable: bool | None = None
    cache_version: str | None = None
    cache_serializable: bool | None = None
    config: KeyValues = ()


@dataclass(frozen=True, slots=True)
class TaskOverrides:
    """``flyteidl.core.TaskNodeOverrides``: node-level settings that win over the task's."""

    resources: Resources = Resources()
    extended_resources: ExtendedResources = ExtendedResources()
    container_image: str = ""
    pod_template: K8sPod | None = None

    def __bool__(self) -> bool:
        return bool(
            self.resources
            or self.extended_resources
            or self.container_image
            or self.pod_template is not None
        )


@dataclass(frozen=True, slots=True)
class TaskNode:
    """Runs a task."""

    task: Ident | None
    overrides: TaskOverrides = TaskOverrides()


@dataclass(frozen=True, slots=True)
class SubworkflowNode:
    """Runs a subworkflow of the same package, inline."""

    workflow: Ident


@dataclass(frozen=True, slots=True)
class LaunchPlanNode:
    """Starts a child execution of a launch plan."""

    launch_plan: Ident


@dataclass(frozen=True, slots=True)
class IfBlock:
    """One ``if``/``elif`` case of a branch."""

    condition: BoolExpr | None
    then_node: Node | None


@dataclass(frozen=True, slots=True)
class BranchError:
    """The ``error`` default of a branch: fail the node with this message."""

    failed_node_id: str
    message: str


@dataclass(frozen=True, slots=True)
class BranchNode:
    """If/elif/else; the first case is ``cases[0]`` (Flyte's ``case``), then ``other``."""

    cases: tuple[IfBlock, ...]
    else_node: Node | None = None
    error: BranchError | None = None


class GateKind(enum.Enum):
    """What a gate waits for."""

    APPROVE = "approve"
    SIGNAL = "signal"
    SLEEP = "sleep"


@dataclass(frozen=True, slots=True)
class GateNode:
    """Waits for an approval, a signal, or a duration; ``kind`` None when nothing is set."""

    kind: GateKind | None
    signal_id: str = ""
    signal_type: LiteralType | None = None
    output_variable_name: str = ""
    sleep_s: float = 0.0


@dataclass(frozen=True, slots=True)
class ArrayNode:
    """Maps its sub-node over the bound lists."""

    node: Node | None
    parallelism: int | None = None
    min_successes: int | None = None
    min_success_ratio: float | None = None
    execution_mode: str = "MINIMAL_STATE"
    is_original_sub_node_interface: bool | None = None
    data_mode: str = "SINGLE_INPUT_FILE"
    bound_inputs: tuple[str, ...] = ()
    run_all_sub_nodes: bool = False

    def mapped_inputs(self, iface: Interface) -> tuple[str, ...]:
        """The inputs of the node's interface it maps over: its lists not bound whole."""
        bound = set(self.bound_inputs)
        return tuple(
            n for n, v in iface.inputs.items() if isinstance(v.type, Collection) and n not in bound
        )


@dataclass(frozen=True, slots=True)
class EmptyNode:
    """A node with no target (only the start and end nodes may be like this)."""


NodeKind = (
    TaskNode | SubworkflowNode | LaunchPlanNode | BranchNode | GateNode | ArrayNode | EmptyNode
)


@fast_init
@dataclass(frozen=True, slots=True)
class Node:
    """A workflow node."""

    id: str
    kind: NodeKind
    inputs: tuple[Binding, ...] = ()
    upstream: tuple[str, ...] = ()
    output_aliases: tuple[tuple[str, str], ...] = ()
    metadata: NodeMetadata = NodeMetadata()
    source: Source = Source()


class FailurePolicy(enum.IntEnum):
    """``WorkflowMetadata.OnFailurePolicy``."""

    FAIL_IMMEDIATELY = 0
    FAIL_AFTER_EXECUTABLE_NODES_COMPLETE = 1


@dataclass(frozen=True, slots=True)
class WorkflowMetadata:
    """``flyteidl.core.WorkflowMetadata`` plus the metadata defaults."""

    on_failure: FailurePolicy = FailurePolicy.FAIL_IMMEDIATELY
    quality_of_service: str = ""
    tags: KeyValues = ()
    interruptible: bool = False


@dataclass(frozen=True, slots=True)
class Workflow:
    """A workflow template (a top-level workflow or a subworkflow)."""

    id: Ident
    interface: Interface
    nodes: tuple[Node, ...]
    outputs: tuple[Binding, ...] = ()
    failure_node: Node | None = None
    metadata: WorkflowMetadata = WorkflowMetadata()
    source: Source = Source()


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A cron expression with an optional ISO-8601 offset; ``aws`` when it came from the
    deprecated ``cron_expression`` (the AWS scheduler's six-field form)."""

    schedule: str
    offset: str = ""
    aws: bool = False


@dataclass(frozen=True, slots=True)
class FixedRate:
    """Every ``value`` ``unit`` (``MINUTE``, ``HOUR``, ``DAY``)."""

    value: int
    unit: str


@dataclass(frozen=True, slots=True)
class Schedule:
    """A launch plan's schedule; ``kickoff_time_input_arg`` receives the scheduled time."""

    expression: CronSchedule | FixedRate
    kickoff_time_input_arg: str = ""


@dataclass(frozen=True, slots=True)
class ConcurrencyPolicy:
    """How many executions of a launch plan may run at once."""

    max_concurrency: int
    behavior: str = "SKIP"


@dataclass(frozen=True, slots=True)
class LaunchPlan:
    """A launch plan: a workflow with inputs, schedule and execution settings."""

    id: Ident
    workflow: Ident
    default_inputs: tuple[Parameter, ...] = ()
    fixed_inputs: tuple[tuple[str, Literal], ...] = ()
    schedule: Schedule | None = None
    labels: KeyValues = ()
    annotations: KeyValues = ()
    service_account: str = ""
    iam_role: str = ""
    raw_output_prefix: str = ""
    max_parallelism: int = 0
    interruptible: bool | None = None
    overwrite_cache: bool = False
    envs: KeyValues = ()
    notifications: int = 0
    active: bool = True
    concurrency: ConcurrencyPolicy | None = None
    cluster_assignment: str = ""
    quality_of_service: str = ""
    source: Source = Source()


@dataclass(frozen=True, slots=True)
class DynamicJob:
    """A ``DynamicJobSpec``: the workflow a dynamic task asks to run."""

    nodes: tuple[Node, ...]
    outputs: tuple[Binding, ...]
    min_successes: int = 0
    source: Source = Source()
