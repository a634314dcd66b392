"""Query tasks (Sql target): ``hive``, ``presto``, ``bigquery_query_job_task``, ``snowflake``.

BigQuery and Snowflake tasks run through flytekit's connectors (a client-image pod on targets
with no native operator); their units also have the steps around a target's own operator for
the engine. Hive (``QuboleHiveJob``) and Presto (``PrestoQuery``) are run by
Flyte's backend plugins against a Qubole account and a Presto service, and flytekit has no
connector for them: they run in a query client container when one is configured for the
engine (:mod:`.query_clients`), or, on a target with its own operator for the engine, with
that operator (the unit's ``query`` steps); a target that can do neither refuses them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fcomp.compiler.plugins.connectors import connector_unit
from fcomp.compiler.plugins.query_clients import (
    client_configured,
    query_pod,
    query_steps,
)
from fcomp.compiler.plugins.registry import TaskContext, register
from fcomp.compiler.plugins.units import ConnectorUnit

#: Task types flytekit runs through a connector (``flytekitplugins-bigquery``, ``-snowflake``).
CONNECTOR_TYPES = ("bigquery_query_job_task", "snowflake")
#: Task types only Flyte's backend plugins run, and which service they need.
SERVICE_TYPES = {
    "hive": "Flyte runs it through its Qubole plugin (a Qubole account)",
    "presto": "Flyte runs it through its Presto plugin (a Presto service)",
}


def _config(ctx: TaskContext) -> dict[str, Any]:
    custom = ctx.task.custom
    return dict(custom) if isinstance(custom, dict) else {}


@register(*CONNECTOR_TYPES)
def lower_connector_query(ctx: TaskContext) -> ConnectorUnit:
    """BigQuery and Snowflake queries: run by flytekit's connector, or by the steps around a
    target's own operator for the engine."""
    custom = _config(ctx)
    unit = connector_unit(ctx, ctx.task.type, custom, runnable=True)
    return replace(unit, query=query_steps(ctx, ctx.task.type, custom))


@register(*SERVICE_TYPES)
def lower_service_query(ctx: TaskContext) -> ConnectorUnit:
    """Hive and Presto queries: the client container configured for the engine
    (:mod:`.query_clients`) as the unit's pod, and the steps around a target's own operator."""
    engine = ctx.task.type
    custom = _config(ctx)
    steps = query_steps(ctx, engine, custom)
    if client_configured(ctx, engine):
        return replace(
            connector_unit(ctx, engine, custom, runnable=False),
            pod=query_pod(ctx, engine, custom),
            query=steps,
        )
    reason = (
        f"flytekit has no connector for it; {SERVICE_TYPES[engine]}; configure a client "
        f"container for it (query_client_images.{engine}, query_client_commands.{engine})"
    )
    return replace(connector_unit(ctx, engine, custom, runnable=False, reason=reason), query=steps)
