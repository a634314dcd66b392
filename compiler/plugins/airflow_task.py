"""``airflow`` tasks: an Airflow operator wrapped as a Flyte task (``flytekitplugins-airflow``;
``custom`` holds ``task_module``, ``task_name`` and ``task_config``). flytekit runs them through
its Airflow connector; targets with no native operator run that connector in a client image
with Airflow installed (configuration ``connector_images.airflow``)."""

from __future__ import annotations

from fcomp.compiler.plugins.connectors import connector_unit
from fcomp.compiler.plugins.registry import TaskContext, register
from fcomp.compiler.plugins.units import ConnectorUnit


@register("airflow")
def lower_airflow(ctx: TaskContext) -> ConnectorUnit:
    """Airflow operator tasks: run by flytekit's Airflow connector."""
    custom = ctx.task.custom
    config = dict(custom) if isinstance(custom, dict) else {}
    return connector_unit(ctx, "airflow", config, runnable=True)
