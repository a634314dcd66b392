"""What each Airflow task of a generated DAG does, independent of the operator flavour.

Every value here is plain data from compile time (node paths, binding plans as JSON text,
base64 protobuf) plus, for task steps, the plugin's execution unit. Flavours map each step
type to an operator; the runtime commands they call are those of ``runtime/CONTRACT.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fcomp.backends.airflow.native import NativeCall
from fcomp.compiler.plugins.units import ConnectorUnit, K8sResourceUnit, PodUnit


@dataclass(frozen=True)
class Start:
    """Write the workflow inputs: ``types`` (base64 LiteralType by input, in order),
    ``fixed`` literals, ``defaults`` (base64 Literal) of inputs whose default has no text
    form, ``shift`` offsets of a cron plan's kickoff input."""

    types: Mapping[str, str]
    fixed: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    shift: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Element:
    """An array element: it reads the array node's inputs (``mapped``: the inputs mapped
    over) and runs at ``<node>/<index>``; a ``legacy`` map task's element writes its outputs
    into ``<node>/<index>/data`` itself (no attempt folder). ``parallelism``: at most that
    many mapped task instances run at once (None: no limit of its own)."""

    inputs: Mapping[str, str]
    mapped: tuple[str, ...]
    node: str
    legacy: bool = False
    parallelism: int | None = None


@dataclass(frozen=True)
class Cache:
    """The cache key parts (JSON) of a cached task; the runtime hashes them with the inputs."""

    key: str


@dataclass(frozen=True)
class Task:
    """Bind the node's inputs, then run the task's pod (or process): ``node`` path, binding
    ``plan`` JSON; for an array element, ``element`` instead of a fixed node and plan."""

    node: str
    plan: str
    unit: PodUnit
    element: Element | None = None
    cache: Cache | None = None
    #: The primary container prints JSON that becomes the task's XCom.
    xcom: bool = False
    #: (variable, task id) pairs: each variable of the containers holds that task's XCom.
    env_from: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Resource:
    """Create a Kubernetes object for a task (SparkApplication, ...) and wait for it."""

    node: str
    plan: str
    unit: K8sResourceUnit


@dataclass(frozen=True)
class Outputs:
    """Resolve the workflow's output plan and write the end node's outputs."""

    plan: str


@dataclass(frozen=True)
class Branch:
    """Evaluate a branch node's cases; ``targets`` are the task ids each case index starts
    (the ``else`` case last; none for an ``error`` case)."""

    node: str
    plan: str
    cases: str
    targets: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Join:
    """Nothing: a point where branch cases (or a cache hit and a run) meet."""


@dataclass(frozen=True)
class ArraySize:
    """Bind an array node's inputs and return its elements as chunks of indices."""

    node: str
    plan: str
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Gather:
    """Gather the elements' outputs (``outputs``: JSON of base64 types by name); the size
    comes from the task ``size_from``."""

    node: str
    outputs: str
    size_from: str
    min_successes: int | None = None
    min_success_ratio: float | None = None


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` from when the task starts."""

    seconds: float


@dataclass(frozen=True)
class Approve:
    """Wait for a person to approve (rejecting fails the node)."""

    subject: str
    body: str


@dataclass(frozen=True)
class Native:
    """Run the Airflow operator ``call`` a task's ``unit`` wraps, under the unit's execution
    policy; the task has no inputs to bind or outputs to write."""

    node: str
    call: NativeCall
    unit: ConnectorUnit


@dataclass(frozen=True)
class SqlQuery:
    """Run what the ``rendered_by`` task returned (its XCom: a query, or a job's query
    configuration) with the provider's operator for the ``unit``'s engine on connection
    ``conn_id``, under the unit's policy; ``settings`` are the task's for the engine (a
    schema, a project and location)."""

    node: str
    conn_id: str
    rendered_by: str
    unit: ConnectorUnit
    settings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Signal:
    """Wait for a value of a type from a person, then write it as the node's output ``var``."""

    node: str
    signal_id: str
    type: str
    var: str
    schema: Mapping[str, object]


@dataclass(frozen=True)
class Child:
    """Bind a launch-plan node's inputs, then run the child DAG ``dag_id`` and wait for it.
    ``params`` are stand-in values for the child's required params (Airflow refuses a run
    without them; the child's start step takes the values the node bound instead)."""

    node: str
    plan: str
    dag_id: str
    params: Mapping[str, object] = field(default_factory=dict)


# --- steps the kubernetes flavour adds around its pods (see :mod:`.splits`) ----------------


@dataclass(frozen=True)
class Choose:
    """Follow the case whose index the branch pod ``decided_by`` printed."""

    decided_by: str
    targets: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Indexes:
    """List a map's elements from the count its size pod ``size_from`` printed."""

    size_from: str


@dataclass(frozen=True)
class Guard:
    """Before a map's gather: skip with the map, fail without its element list."""

    indexes_from: str


@dataclass(frozen=True)
class Bind:
    """Write a node's ``inputs.pb`` (and ``task.pb`` when ``template`` is given) from its
    plan, before a step that runs elsewhere."""

    node: str
    plan: str
    template: str = ""


@dataclass(frozen=True)
class Trigger:
    """Run DAG ``dag_id`` as a child run of the launch-plan node ``node``, and wait for it."""

    node: str
    dag_id: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class WaitSignal:
    """A person enters a signal's value (the step after it writes the node's output)."""

    signal_id: str
    var: str
    schema: Mapping[str, object]


@dataclass(frozen=True)
class WriteSignal:
    """Write the value entered at ``entered_by`` as the signal node's output."""

    node: str
    type: str
    var: str
    entered_by: str


@dataclass(frozen=True)
class CacheCheck:
    """Bind a cached task node's inputs and look its outputs up (writing them on a hit)."""

    node: str
    plan: str
    key: str


@dataclass(frozen=True)
class CacheChoose:
    """Follow ``run`` on a cache miss, ``hit`` on a hit, as ``decided_by`` found."""

    decided_by: str
    run: tuple[str, ...]
    hit: tuple[str, ...]


@dataclass(frozen=True)
class CachePut:
    """Store a cached task node's outputs under the key of its inputs."""

    node: str
    key: str


@dataclass(frozen=True)
class Futures:
    """After a dynamic task ran: compile the ``futures.pb`` it wrote (if any) into a child
    DAG module, given to the next step as XCom; ``task`` is the base64 TaskTemplate."""

    node: str
    task: str


@dataclass(frozen=True)
class RunChild:
    """Run the child DAG module ``module_from`` returned (none: the task wrote outputs) for
    the dynamic node ``node``, and wait for it."""

    node: str
    module_from: str


Step = (
    Start
    | Task
    | Resource
    | Outputs
    | Branch
    | Join
    | ArraySize
    | Gather
    | Sleep
    | Approve
    | Signal
    | SqlQuery
    | Child
    | Choose
    | Indexes
    | Guard
    | Bind
    | Trigger
    | WaitSignal
    | WriteSignal
    | CacheCheck
    | CacheChoose
    | CachePut
    | Futures
    | RunChild
    | Native
)
