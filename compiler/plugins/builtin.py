"""Plugins for the task types that run as a plain pod, and the import of every built-in plugin
module (each registers its task types when imported)."""

from __future__ import annotations

from importlib import import_module

from fcomp.compiler.plugins.pods import build_pod
from fcomp.compiler.plugins.registry import TaskContext, register
from fcomp.compiler.plugins.units import Unit


@register("python-task", "container", "sidecar")
def lower_pod_task(ctx: TaskContext) -> Unit:
    """Container, python, sidecar and pod-template tasks: one pod."""
    return build_pod(ctx)


#: Plugin modules, one per task-type family (see each module's docstring).
MODULES = (
    "copilot",
    "spark",
    "ray",
    "dask",
    "kubeflow",
    "queries",
    "airflow_task",
    "testing",
    "legacy_map",
)

for _module in MODULES:
    import_module(f"fcomp.compiler.plugins.{_module}")
