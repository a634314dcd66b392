"""Flyte's built-in testing plugins: ``echo`` (the outputs are the inputs) and ``core-sleep``
(wait for the task's single duration input; no outputs). Both run as a pod of the runtime image
(``fcomp-runtime echo`` / ``sleep``), after the usual input binding."""

from __future__ import annotations

from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.plugins.pods import PRIMARY
from fcomp.compiler.plugins.policy import exec_policy
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, register
from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, PodUnit, Text


def _runtime_pod(ctx: TaskContext, args: list[Any]) -> PodUnit:
    container = {
        "name": PRIMARY,
        "image": ctx.config.runtime_image,
        "command": ["fcomp-runtime"],
        "args": args,
    }
    return PodUnit(
        task=ctx.task,
        pod_spec={"containers": [container], "restartPolicy": "Never"},
        primary=PRIMARY,
        policy=exec_policy(ctx.task, ctx.node, ctx.workflow, ctx.launch_plan),
    )


def _input() -> Text:
    return Text.of(Placeholder(PlaceholderKind.INPUT))


@register("echo")
def lower_echo(ctx: TaskContext) -> PodUnit:
    """``echo``: copy the inputs to the outputs."""
    out = Text.of(Placeholder(PlaceholderKind.OUTPUT_PREFIX))
    return _runtime_pod(ctx, ["echo", "--inputs", _input(), "--output-prefix", out])


@register("core-sleep")
def lower_sleep(ctx: TaskContext) -> PodUnit:
    """``core-sleep``: wait for the duration input (checked here as Flyte checks it)."""
    iface = ctx.task.interface
    problem = ""
    if len(iface.inputs) != 1:
        problem = "requires exactly one duration input"
    elif iface.outputs:
        problem = "does not support outputs"
    else:
        ((name, var),) = iface.inputs.items()
        if not (isinstance(var.type, ir.Simple) and var.type.simple is ir.SimpleType.DURATION):
            problem = f"input [{name}] must be typed as duration"
    if problem:
        raise LoweringError.of(
            codes.INVALID_VALUE,
            f"task '{ctx.task.id.name}' of type [core-sleep] {problem}",
            ctx,
            field="interface",
        )
    return _runtime_pod(ctx, ["sleep", "--inputs", _input()])
