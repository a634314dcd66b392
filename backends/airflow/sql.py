"""Query tasks (``hive``, ``presto``) the Airflow target runs with common-sql's
``SQLExecuteQueryOperator`` on an Airflow connection (``airflow_sql_connections``), the
operator the Hive, Presto and Trino providers document for running SQL.

The connection is chosen by the task's routing setting (Hive's cluster label, Presto's
catalog: ``"hive:<label>"``), else by the engine alone. Presto's schema becomes the
operator's ``database`` (the schema over the connection's own); a Presto routing group has
nothing to go to on a connection and is refused, as is caching the three steps such a query
takes (render, run, outputs).
"""

from __future__ import annotations

from fcomp.compiler.config import SQL_ENGINES, Config
from fcomp.compiler.plugins.units import ConnectorUnit

#: The task setting that routes a query, by engine (it may pick the connection).
ROUTING = {"hive": "cluster_label", "presto": "catalog"}


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
    group = unit.query.settings.get("routing_group", "")
    if group:
        return (
            f"it sets the Presto routing group '{group}', which an Airflow connection cannot "
            "take (configure a query client for presto instead)"
        )
    if unit.policy.cache is not None:
        return "caching a query run on an Airflow connection is not supported"
    return ""
