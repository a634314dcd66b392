"""Legacy map tasks (``container_array``, flytekit's ``map_task`` before ArrayNode): the task's
container runs once per element of its list inputs (Flyte's array plugin,
``flyteplugins/go/tasks/plugins/array``). ``custom`` is a ``flyteidl.plugins.ArrayJob``
(``parallelism``, ``size``, ``min_successes`` or ``min_success_ratio``).

Each element reads the whole ``inputs.pb`` and learns its index from
``BATCH_JOB_ARRAY_INDEX_VAR_NAME``; ``pyflyte-map-execute`` then writes its outputs under
``<outputPrefix>/<index>``, and the outputs are gathered into lists.
"""

from __future__ import annotations

from fcomp.compiler.plugins.custom import Custom
from fcomp.compiler.plugins.pods import build_pod
from fcomp.compiler.plugins.registry import TaskContext, register
from fcomp.compiler.plugins.units import ArrayTaskUnit


@register("container_array")
def lower_container_array(ctx: TaskContext) -> ArrayTaskUnit:
    """A legacy map task: its pod per element, the outputs gathered."""
    job = Custom(ctx.task.custom, ctx)
    element = build_pod(ctx)
    min_successes = job.integer("min_successes") if job.has("min_successes") else None
    ratio = job.raw("min_success_ratio")
    return ArrayTaskUnit(
        task=ctx.task,
        element=element,
        parallelism=job.integer("parallelism") or None,
        min_successes=min_successes,
        min_success_ratio=float(ratio) if isinstance(ratio, int | float) else None,
        policy=element.policy,
    )
