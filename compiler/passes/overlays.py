"""What of a plugin's pods Flyte drops. ``MergeOverlayPodSpecOntoBase`` keeps only the
containers (and init containers) of the pod it merges an overlay onto, the task's pod with the
primary container named as the plugin names it, and merges overlay containers into them by
name; a Spark driver or executor then carries only some fields of its pod."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fcomp.compiler import ir
from fcomp.compiler.frontend.structs import json_field
from fcomp.compiler.passes.podspec import known_fields
from fcomp.compiler.plugins.pods import PRIMARY

#: By plugin (task type) that merges overlays: the name its pod gives the task's primary
#: container for the overlay at a path (None: the task's own name).
PRIMARY_NAMES: dict[str, Callable[[str], str | None]] = {
    "spark": lambda path: None,
    "ray": lambda path: "ray-head" if ".headGroupSpec." in path else "ray-worker",
}


def _names(containers: Any) -> list[str]:
    return [str(c.get("name") or "") for c in containers or [] if isinstance(c, dict)]


def _base_names(task: ir.Task, primary_as: str | None) -> dict[str, set[str]]:
    """Container and init container names of the task's pod, primary renamed."""
    target = task.target
    if isinstance(target, ir.K8sPod):
        spec = known_fields(target.pod_spec or {})
        primary = target.primary_container_name or task.config_value("primary_container_name")
        containers, init = _names(spec.get("containers")), _names(spec.get("initContainers"))
    else:
        primary, containers, init = PRIMARY, [PRIMARY], []
    if primary_as is not None:
        containers = [primary_as if name == primary else name for name in containers]
    return {"containers": set(containers), "initContainers": set(init)}


def dropped_containers(task: ir.Task, path: str, spec: Any) -> list[str]:
    """``group[i] (name)`` of each container of the overlay at ``path`` (a decoded pod spec)
    that no container of the base pod matches by name."""
    rename = PRIMARY_NAMES.get(task.type)
    if rename is None or not isinstance(spec, dict):
        return []
    base = _base_names(task, rename(path))
    spec = known_fields(spec)
    return [
        f"{group}[{i}] ({name or 'no name'})"
        for group in ("containers", "initContainers")
        for i, name in enumerate(_names(spec.get(group)))
        if name not in base[group]
    ]


#: What of a pod a Spark driver or executor carries (Flyte's ``createSparkPodSpec``), and of
#: its primary container (the executor's arguments are the application's, a driver's are not
#: carried); its other containers are not carried.
SPARK_POD_FIELDS = frozenset(
    {
        "affinity",
        "containers",
        "dnsConfig",
        "hostNetwork",
        "nodeSelector",
        "schedulerName",
        "securityContext",
        "tolerations",
    }
)
SPARK_CONTAINER_FIELDS = frozenset({"args", "env", "image", "name"})


def _uncarried(spec: Any, primary: str, others: bool, args: bool) -> list[str]:
    """The fields of pod spec ``spec`` a Spark pod does not carry; ``others``: report the
    containers besides the primary; ``args``: the primary's arguments are carried (as the
    application's, from the executor's pod)."""
    spec = known_fields(spec)
    carried = SPARK_CONTAINER_FIELDS if args else SPARK_CONTAINER_FIELDS - {"args"}
    out = sorted(k for k in spec if k not in SPARK_POD_FIELDS)
    for i, c in enumerate(spec.get("containers") or []):
        if not isinstance(c, dict):
            continue
        if c.get("name") == primary:
            out += [f"containers[{i}].{k}" for k in c if k not in carried]
        elif others:
            out.append(f"containers[{i}]")
    return out


def spark_uncarried(task: ir.Task, overlays: list[tuple[str, Any, Any]]) -> dict[str, list[str]]:
    """Field path -> the fields a Spark task gives its pods there that its driver and executor
    do not carry: in its own pod spec and in the overlays (``(path, pod spec, K8sPod)``, all
    decoded)."""
    target = task.target
    primary = PRIMARY
    out: dict[str, list[str]] = {}
    if isinstance(target, ir.K8sPod):
        primary = target.primary_container_name or task.config_value("primary_container_name")
        spec = target.pod_spec or {}
        out[target.path("pod_spec")] = _uncarried(spec, primary, others=True, args=True)
    if task.extended_resources.shared_memory is not None:
        out["extended_resources.shared_memory"] = ["its memory volume"]
    for path, spec, k8s_pod in overlays:
        named = json_field(k8s_pod, "primaryContainerName", "primary_container_name")
        name = named if isinstance(named, str) and named else primary
        executor = ".executorPod." in path
        out[path] = _uncarried(spec, name, others=False, args=executor)
    return {path: fields for path, fields in out.items() if fields}


#: Of the fields a plugin's pods are given, those it does not carry (``(path, pod spec,
#: K8sPod)`` of its overlays -> field path -> fields).
Uncarried = Callable[[ir.Task, list[tuple[str, Any, Any]]], dict[str, list[str]]]

#: By plugin (task type): its uncarried fields and what it carries, in words.
UNCARRIED: dict[str, tuple[Uncarried, str]] = {
    "spark": (
        spark_uncarried,
        f"{', '.join(sorted(SPARK_POD_FIELDS - {'containers'}))}, the primary container's "
        "env and image, and the executor's args (as the application's)",
    ),
}
