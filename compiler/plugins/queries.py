"""Query tasks (Sql target): ``hive``, ``presto``, ``bigquery_query_job_task``, ``snowflake``.

BigQuery and Snowflake tasks run through flytekit's connectors (a client-image pod on targets
with no native operator). Hive (``QuboleHiveJob``) and Presto (``PrestoQuery``) are run by
Flyte's backend plugins against a Qubole account and a Presto service; flytekit has no
connector for them, so only targets with a native operator can run them.
"""

from __future__ import annotations

from typing import Any

from fcomp.compiler.plugins.connectors import connector_unit
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
    """BigQuery and Snowflake queries: run by flytekit's connector."""
    return connector_unit(ctx, ctx.task.type, _config(ctx), runnable=True)


@register(*SERVICE_TYPES)
def lower_service_query(ctx: TaskContext) -> ConnectorUnit:
    """Hive and Presto queries: only a native operator of the target can run them."""
    reason = f"flytekit has no connector for it; {SERVICE_TYPES[ctx.task.type]}"
    return connector_unit(ctx, ctx.task.type, _config(ctx), runnable=False, reason=reason)
