"""Pods of the ``kubernetes`` flavour, as plain PodSpec dicts for ``full_pod_spec``.

Airflow never renders ``full_pod_spec`` (it is not a templated field), so user strings there
stay exactly as written. The run-time values a pod needs (execution id, attempt, map index)
come from pod annotations the operator sets (its only templated strings, all fcomp's own), and
the containers read them through the downward API as ``$(FCOMP_EXEC)``, ``$(FCOMP_ATTEMPT)``,
``$(FCOMP_INDEX)``, which Kubernetes expands in ``command`` and ``args``, as Flyte's own pods
get ``$(...)`` expanded. The task's pod keeps every field the plugin set; the runtime's
``bind`` step runs as its first init container (a map element with retries, which binds
nothing, runs the runtime's retry check there instead).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.backends.common.plans import b64
from fcomp.compiler.config import Config
from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, PodUnit, Text

ANNOTATION_EXEC = "fcomp.dev/exec"
ANNOTATION_ATTEMPT = "fcomp.dev/attempt"
ANNOTATION_INDEX = "fcomp.dev/index"
EXEC, ATTEMPT, INDEX = "$(FCOMP_EXEC)", "$(FCOMP_ATTEMPT)", "$(FCOMP_INDEX)"
BIND_CONTAINER = "fcomp-bind"
RETRY_CHECK_CONTAINER = "fcomp-retry-check"
#: Where a KubernetesPodOperator's XCom sidecar reads a pod's result.
XCOM_FILE = "/airflow/xcom/return.json"


def _downward(name: str, annotation: str) -> dict[str, Any]:
    path = f"metadata.annotations['{annotation}']"
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}


#: The run-time variables every fcomp container gets.
RUN_ENV = [
    _downward("FCOMP_EXEC", ANNOTATION_EXEC),
    _downward("FCOMP_ATTEMPT", ANNOTATION_ATTEMPT),
]
INDEX_ENV = [_downward("FCOMP_INDEX", ANNOTATION_INDEX)]
#: Environment telling flytekit which array element a map task's pod runs.
ARRAY_ENV = [
    {"name": "BATCH_JOB_ARRAY_INDEX_VAR_NAME", "value": "FLYTE_K8S_ARRAY_INDEX"},
    {"name": "FLYTE_K8S_ARRAY_INDEX", "value": INDEX},
    {"name": "BATCH_JOB_ARRAY_INDEX_OFFSET", "value": "0"},
]


def literal_arg(text: str) -> str:
    """Text Kubernetes passes on unchanged (``$`` doubled, so no ``$(...)`` expands)."""
    return text.replace("$", "$$")


def child_settings(config: Config) -> dict[str, str]:
    """The build settings a dynamic task's child DAG is built with (like its parent's)."""
    return {
        "storage_prefix": config.storage_prefix,
        "raw_output_prefix": config.raw_output_prefix,
        "airflow_flavour": config.airflow_flavour,
        "runtime_image": config.runtime_image,
        "namespace": config.namespace,
        "service_account": config.service_account,
    }


@dataclass(frozen=True)
class NodeDirs:
    """Where one node's (or array element's) data lives, as container text."""

    prefix: str
    raw_prefix: str
    node: str
    element: bool = False
    #: A legacy map task's element writes into its ``data`` folder (no attempt folder).
    legacy: bool = False

    @property
    def own(self) -> str:
        """The node's own path (an element's ``<node>/<index>``)."""
        return f"{self.node}/{INDEX}" if self.element else self.node

    @property
    def data(self) -> str:
        """The node's data directory (an element reads its array node's inputs)."""
        return f"{literal_arg(self.prefix.rstrip('/'))}/{EXEC}/{self.node}/data"

    @property
    def raw(self) -> str:
        """The attempt's raw output directory."""
        return f"{literal_arg(self.raw_prefix.rstrip('/'))}/{EXEC}/{self.own}/{ATTEMPT}"


_PLACEHOLDERS: dict[PlaceholderKind, Callable[[NodeDirs], str]] = {
    PlaceholderKind.INPUT: lambda d: f"{d.data}/inputs.pb",
    PlaceholderKind.INPUT_PREFIX: lambda d: d.data,
    PlaceholderKind.OUTPUT_PREFIX: lambda d: (
        f"{literal_arg(d.prefix.rstrip('/'))}/{EXEC}/{d.own}/data"
        + ("" if d.legacy else f"/{ATTEMPT}")
    ),
    PlaceholderKind.RAW_OUTPUT_PREFIX: lambda d: d.raw,
    PlaceholderKind.CHECKPOINT_PREFIX: lambda d: f"{d.raw}/_flytecheckpoints",
    PlaceholderKind.PREV_CHECKPOINT: lambda d: '""',
    PlaceholderKind.PER_RETRY_UNIQUE_KEY: lambda d: (
        f"{EXEC}-{d.node}-{INDEX if d.element else ''}-{ATTEMPT}"
    ),
    PlaceholderKind.TASK_TEMPLATE_PATH: lambda d: f"{d.data}/task.pb",
    PlaceholderKind.NAMESPACE: lambda d: "$(FCOMP_NAMESPACE)",
    PlaceholderKind.EXECUTION_ID: lambda d: EXEC,
    PlaceholderKind.ATTEMPT: lambda d: ATTEMPT,
}


def render(value: Any, dirs: NodeDirs) -> Any:
    """A manifest with every :class:`Text` rendered for the node (plain strings unchanged):
    new dicts and lists throughout (tuples become lists), the other leaves shared."""
    if isinstance(value, Text):
        return "".join(
            _PLACEHOLDERS[p.kind](dirs) if isinstance(p, Placeholder) else p for p in value.parts
        )
    if isinstance(value, dict):
        return {k: render(v, dirs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render(v, dirs) for v in value]
    return value


def fresh(value: Any) -> Any:
    """A copy of a tree of dicts and lists (its leaves are immutable: shared)."""
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh(v) for v in value]
    return value


def runtime_container(
    config: Config,
    name: str,
    command: str,
    args: list[str],
    xcom: bool = False,
    quoted: bool = False,
) -> dict[str, Any]:
    """A container running ``fcomp-runtime COMMAND --prefix P --exec $(FCOMP_EXEC) ARGS``;
    with ``xcom``, what it prints becomes the task's XCom (through the sidecar's file), as
    JSON (a number) or, ``quoted``, as a string (a word with no quotes or backslashes)."""
    argv = [command, "--prefix", literal_arg(config.storage_prefix), "--exec", EXEC, *args]
    container: dict[str, Any] = {"name": name, "image": config.runtime_image}
    container["command"] = ["fcomp-runtime", *argv]
    if xcom:
        print_to_xcom(container, quoted)
    container["env"] = fresh(RUN_ENV)
    return container


def print_to_xcom(container: dict[str, Any], quoted: bool = False) -> None:
    """Make what ``container`` prints the task's XCom (the sidecar reads the file): JSON as
    printed or, ``quoted``, a word with no quotes or backslashes made a JSON string."""
    argv = [*(container.pop("command", None) or []), *(container.pop("args", None) or [])]
    form = "'\"%s\"'" if quoted else "%s"
    script = f'set -e; out="$("$@")"; mkdir -p /airflow/xcom; printf {form} "$out" > {XCOM_FILE}'
    container["command"] = ["sh", "-c", script, "sh", *argv]


def runtime_pod(
    config: Config,
    command: str,
    args: list[str],
    xcom: bool = False,
    index: bool = False,
    quoted: bool = False,
) -> dict[str, Any]:
    """A pod with one runtime step."""
    container = runtime_container(config, "base", command, args, xcom, quoted)
    if index:
        container["env"] += fresh(INDEX_ENV)
    spec: dict[str, Any] = {"containers": [container], "restartPolicy": "Never"}
    if config.service_account:
        spec["serviceAccountName"] = config.service_account
    return pod_object(config, spec, {}, {})


def pod_object(
    config: Config,
    spec: dict[str, Any],
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
) -> dict[str, Any]:
    """A Pod object around a PodSpec."""
    metadata: dict[str, Any] = {}
    if config.namespace:
        metadata["namespace"] = config.namespace
    if labels:
        metadata["labels"] = dict(labels)
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def checks_retries(unit: PodUnit, element: bool, legacy: bool) -> bool:
    """Whether the task's pod checks each retry first (``bind --attempt``, or an element's
    ``retry-check``): a task with retries, except a legacy map task's element, whose attempts
    share one folder."""
    return unit.policy.retries > 0 and not (element and legacy)


def task_pod(
    unit: PodUnit,
    config: Config,
    node: str,
    plan: str,
    element: bool = False,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    legacy: bool = False,
) -> dict[str, Any]:
    """The pod running a task node (or, ``element``, one element of a map)."""
    dirs = NodeDirs(config.storage_prefix, config.raw_prefix, node, element, legacy)
    spec: dict[str, Any] = render(dict(unit.pod_spec), dirs)
    containers = spec.get("containers", [])
    primary = next(c for c in containers if c.get("name") == unit.primary)
    # KubernetesPodOperator merges its own container settings into the first container.
    spec["containers"] = [primary, *(c for c in containers if c is not primary)]
    run_env = [*RUN_ENV, *(INDEX_ENV if element else [])]
    namespace_env = {
        "name": "FCOMP_NAMESPACE",
        "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
    }
    for c in [*spec["containers"], *(spec.get("initContainers") or [])]:
        extra = [*run_env, namespace_env]
        if c is primary:
            extra += ARRAY_ENV if element else []  # the unit sets FLYTE_FAIL_ON_ERROR
        c["env"] = fresh(extra) + list(c.get("env") or [])
    init = list(spec.get("initContainers") or [])
    if not element:
        args = ["--node", node, "--plan", literal_arg(plan)]
        if unit.needs_task_template:
            args += ["--task-template", b64(unit.task.pb)]
        if checks_retries(unit, element, legacy):  # a retry of a non-recoverable error is refused
            args += ["--attempt", ATTEMPT]
        init.insert(0, runtime_container(config, BIND_CONTAINER, "bind", args))
    elif checks_retries(unit, element, legacy):  # an element binds nothing: the check alone
        args = ["--node", f"{node}/{INDEX}", "--attempt", ATTEMPT]
        check = runtime_container(config, RETRY_CHECK_CONTAINER, "retry-check", args)
        check["env"] += fresh(INDEX_ENV)
        init.insert(0, check)
    if init:
        spec["initContainers"] = init
    if config.service_account and "serviceAccountName" not in spec:
        spec["serviceAccountName"] = config.service_account
    all_labels = {**dict(unit.labels), **dict(labels or {})}
    all_annotations = {**dict(unit.annotations), **dict(annotations or {})}
    return pod_object(config, spec, all_labels, all_annotations)
