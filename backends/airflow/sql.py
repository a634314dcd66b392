"""Query tasks the Airflow target runs with the providers' own operators on an Airflow
connection (``airflow_sql_connections``): ``hive`` and ``presto`` with common-sql's
``SQLExecuteQueryOperator`` (the operator the Hive, Presto and Trino providers document for
running SQL), ``bigquery_query_job_task`` with the Google provider's
``BigQueryInsertJobOperator``, ``snowflake`` with ``SQLExecuteQueryOperator`` on the Snowflake
provider's hook (the operator that provider documents for SQL).

The connection is chosen by the task's routing setting (Hive's cluster label, Presto's
catalog, BigQuery's project, Snowflake's account: ``"hive:<label>"``), else by the engine
alone. Presto's schema becomes the operator's ``database`` (the schema over the connection's
own); a Presto routing group has nothing to go to on a connection and is refused, as is
caching the three steps such a query takes (render, run, outputs), an input of a type Flyte's
BigQuery connector cannot pass as a query parameter (it fails such a task when it runs), one
fcomp cannot carry to the Snowflake client, and a Snowflake task whose ``config`` lacks a
setting Flyte's connector needs.
"""

from __future__ import annotations

from collections.abc import Callable

from fcomp.compiler import ir
from fcomp.compiler.config import SQL_ENGINES, Config
from fcomp.compiler.plugins.units import ConnectorUnit

#: The task setting that routes a query, by engine (it may pick the connection).
ROUTING = {
    "hive": "cluster_label",
    "presto": "catalog",
    "bigquery_query_job_task": "project",
    "snowflake": "account",
}
#: Input types Flyte's BigQuery connector passes as query parameters.
BIGQUERY_PARAMETERS = frozenset(
    {
        ir.SimpleType.INTEGER,
        ir.SimpleType.FLOAT,
        ir.SimpleType.STRING,
        ir.SimpleType.BOOLEAN,
        ir.SimpleType.DATETIME,
    }
)
#: Input types whose values Flyte's Snowflake connector binds (and lists of them).
SNOWFLAKE_PARAMETERS = BIGQUERY_PARAMETERS | {ir.SimpleType.DURATION}


def sql_connection(config: Config, unit: ConnectorUnit) -> str | None:
    """The connection id the unit's query runs on; None when none is configured for it."""
    if unit.engine not in SQL_ENGINES or unit.query is None:
        return None
    connections = config.airflow_sql_connections
    routed = unit.query.settings.get(ROUTING.get(unit.engine, ""), "")
    if routed and f"{unit.engine}:{routed}" in connections:
        return connections[f"{unit.engine}:{routed}"]
    return connections.get(unit.engine)


def sql_problem(unit: ConnectorUnit) -> str:
    """Why the query cannot run on a connection as the task asks (empty: it can)."""
    assert unit.query is not None
    if unit.policy.cache is not None:
        return "caching a query run on an Airflow connection is not supported"
    check = ENGINE_CHECKS.get(unit.engine)
    return check(unit) if check is not None else ""


def _presto(unit: ConnectorUnit) -> str:
    assert unit.query is not None
    group = unit.query.settings.get("routing_group", "")
    if group:
        return (
            f"it sets the Presto routing group '{group}', which an Airflow connection cannot "
            "take (configure a query client for presto instead)"
        )
    return ""


def _unpassable(unit: ConnectorUnit, simple: frozenset[ir.SimpleType], lists: bool) -> str:
    """The first input whose type is not one of ``simple`` (``lists``: or a list of them,
    nested any depth), as ``'name' (type)``; empty when there is none."""
    for name, variable in unit.task.interface.inputs.items():
        kind = variable.type
        while lists and isinstance(kind, ir.Collection):
            kind = kind.elem
        if not (isinstance(kind, ir.Simple) and kind.simple in simple):
            return f"'{name}' ({ir.render_type(variable.type)})"
    return ""


def _bigquery(unit: ConnectorUnit) -> str:
    found = _unpassable(unit, BIGQUERY_PARAMETERS, lists=False)
    if found:
        return (
            f"input {found} cannot be a BigQuery query parameter (Flyte's connector passes "
            "integers, floats, strings, booleans and datetimes)"
        )
    return ""


def _snowflake(unit: ConnectorUnit) -> str:
    assert unit.query is not None
    missing = [k for k, v in unit.query.settings.items() if not v]
    if missing:
        return (
            f"its config does not set {', '.join(missing)} (Flyte's connector needs each of "
            "user, account, database, schema and warehouse)"
        )
    found = _unpassable(unit, SNOWFLAKE_PARAMETERS, lists=True)
    if found:
        return (
            f"input {found} cannot be a Snowflake query parameter (fcomp passes integers, "
            "floats, strings, booleans, datetimes, durations and lists of them)"
        )
    return ""


#: The further checks of a query run on a connection, by engine.
ENGINE_CHECKS: dict[str, Callable[[ConnectorUnit], str]] = {
    "presto": _presto,
    "bigquery_query_job_task": _bigquery,
    "snowflake": _snowflake,
}
