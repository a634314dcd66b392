"""The containers of a plugin's pod overlay that Flyte drops: ``MergeOverlayPodSpecOntoBase``
keeps only the containers (and init containers) of the pod it merges onto, the task's pod with
the primary container named as the plugin names it, and merges overlay containers into them by
name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fcomp.compiler import ir
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
