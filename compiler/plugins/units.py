"""Execution units: target-neutral descriptions of what runs for a task.

Plugins build units; backends lower them. Strings that depend on the run (data paths, the
attempt, an input's value) are :class:`Text` values made of plain parts and
:class:`Placeholder` parts; each backend renders placeholders in its own syntax and escapes the
plain parts so the target never interprets them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fcomp.compiler import ir


class PlaceholderKind(enum.Enum):
    """Run-time values a task's command may refer to (Flyte's template variables)."""

    INPUT = "input"  # <node data dir>/inputs.pb
    INPUT_PREFIX = "inputPrefix"  # <node data dir>
    OUTPUT_PREFIX = "outputPrefix"  # <node data dir>/<attempt>
    RAW_OUTPUT_PREFIX = "rawOutputDataPrefix"
    CHECKPOINT_PREFIX = "checkpointOutputPrefix"
    PREV_CHECKPOINT = "prevCheckpointPrefix"
    PER_RETRY_UNIQUE_KEY = "perRetryUniqueKey"
    TASK_TEMPLATE_PATH = "taskTemplatePath"
    NAMESPACE = "namespace"
    INPUT_VALUE = "inputs"  # an input's value as text; ``arg`` is the input name
    EXECUTION_ID = "executionId"
    ATTEMPT = "attempt"


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A run-time value inside a :class:`Text`."""

    kind: PlaceholderKind
    arg: str = ""


@dataclass(frozen=True, slots=True)
class Text:
    """A string made of plain parts and placeholders."""

    parts: tuple[str | Placeholder, ...]

    @staticmethod
    def of(*parts: str | Placeholder) -> Text:
        """A text of the given parts (adjacent plain parts merged, empty ones dropped)."""
        merged: list[str | Placeholder] = []
        for p in parts:
            if isinstance(p, str) and merged and isinstance(merged[-1], str):
                merged[-1] += p
            elif p != "":
                merged.append(p)
        return Text(tuple(merged))

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        """The placeholders in this text."""
        return tuple(p for p in self.parts if isinstance(p, Placeholder))

    def plain(self) -> str | None:
        """The text when it has no placeholders, else None."""
        if self.placeholders:
            return None
        return "".join(p for p in self.parts if isinstance(p, str))


#: JSON-like data (dicts, lists, scalars) whose strings may be :class:`Text`.
Manifest = Any


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Flyte's task caching: same task, cache version and inputs give the cached outputs."""

    version: str
    serializable: bool = False
    ignore_inputs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExecPolicy:
    """How a unit is run: retries, timeouts, interruptibility, caching."""

    retries: int = 0
    #: Per-attempt timeout (the task's ``metadata.timeout``).
    attempt_timeout_s: float | None = None
    #: Whole-node timeout, retries included (the node's ``metadata.timeout``).
    node_timeout_s: float | None = None
    interruptible: bool = False
    cache: CachePolicy | None = None


@dataclass(frozen=True, slots=True)
class PodUnit:
    """A Kubernetes pod: ``pod_spec`` is a PodSpec (JSON form) whose container named
    ``primary`` runs the task."""

    task: ir.Task
    pod_spec: Mapping[str, Any]
    primary: str
    labels: ir.KeyValues = ()
    annotations: ir.KeyValues = ()
    policy: ExecPolicy = ExecPolicy()
    #: Whether the task reads its template from ``{{.taskTemplatePath}}``.
    needs_task_template: bool = False
    #: Inputs whose values the command refers to (``{{.inputs.x}}``).
    input_values: tuple[str, ...] = ()
    #: Raw-container data movement (Flyte's copilot), when the task asks for it.
    data_config: ir.DataLoadingConfig | None = None
    #: Whether the task may be dynamic (write ``futures.pb`` instead of outputs).
    dynamic: bool = False


@dataclass(frozen=True, slots=True)
class Condition:
    """``path op values``, over the created object (``status.phase in (Failed, Error)``)."""

    path: str
    op: str  # "==", "in" or ">"
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class K8sResourceUnit:
    """A Kubernetes object created for the task (SparkApplication, RayJob, ...), done when
    ``success`` holds and failed when ``failure`` holds."""

    task: ir.Task
    api_version: str
    kind: str
    manifest: Mapping[str, Any]
    success: tuple[Condition, ...]
    failure: tuple[Condition, ...]
    policy: ExecPolicy = ExecPolicy()
    needs_task_template: bool = False
    #: Dotted path of a container list in the manifest where the input-binding init container
    #: goes (e.g. ``spec.driver.initContainers``); empty: bind in a step before creating it.
    bind_at: str = ""
    #: Extra data a backend may use (e.g. the Airflow provider operator to use).
    hints: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ArrayTaskUnit:
    """A task that runs its pod once per element of its list inputs (the legacy
    ``container_array`` map task): element ``i`` reads the whole inputs and writes its outputs
    under ``<outputPrefix>/<i>``; the outputs are gathered into lists."""

    task: ir.Task
    element: PodUnit
    parallelism: int | None = None
    min_successes: int | None = None
    min_success_ratio: float | None = None
    policy: ExecPolicy = ExecPolicy()


@dataclass(frozen=True, slots=True)
class QuerySteps:
    """A query task as steps around an engine a target runs with its own operator:
    ``render`` prints what the operator runs, as JSON (the query rendered for the node, a
    BigQuery job's query configuration, a Snowflake statement and its parameters) and records
    where its results go; ``outputs`` then writes the node's outputs.
    ``settings`` are the task's settings for the engine (``cluster_label``, ``catalog``,
    ``schema``, ``routing_group``, ``project``, Snowflake's ``user``, ``account``, ...; empty
    when unset)."""

    render: PodUnit
    outputs: PodUnit
    settings: Mapping[str, str] = field(default_factory=dict)
    #: The variable ``outputs`` reads what the engine's operator returned from (a BigQuery
    #: job's destination table, a Snowflake query's results); empty when it needs nothing
    #: from it.
    results_env: str = ""


@dataclass(frozen=True, slots=True)
class ConnectorUnit:
    """A task Flyte runs through a service (a query engine, an Airflow operator): ``engine``
    names it, ``statement`` is the query (with placeholders) for Sql-target tasks, ``config``
    the task's ``custom`` settings. ``pod`` runs the task's flytekit connector (or the
    configured query client) in a client image, for targets with no native operator for the
    engine; None when there is none (``reason`` says why). ``query``: the steps a target with
    its own operator for the engine runs around it."""

    task: ir.Task
    engine: str
    pod: PodUnit | None
    statement: Text | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    policy: ExecPolicy = ExecPolicy()
    reason: str = ""
    query: QuerySteps | None = None


Unit = PodUnit | K8sResourceUnit | ArrayTaskUnit | ConnectorUnit
