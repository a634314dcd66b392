"""Plugins for the task types that run as a plain pod."""

from __future__ import annotations

from fcomp.compiler.plugins.pods import build_pod
from fcomp.compiler.plugins.registry import TaskContext, register
from fcomp.compiler.plugins.units import Unit


@register("python-task", "container", "sidecar", "raw-container")
def lower_pod_task(ctx: TaskContext) -> Unit:
    """Container, python, sidecar and pod-template tasks: one pod."""
    return build_pod(ctx)
