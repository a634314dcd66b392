"""A stand-in for the Snowflake provider's ``SnowflakeHook`` (provider 6.x), for tests with
no Snowflake account: the same constructor arguments (``snowflake_conn_id`` and the session
settings it takes over the connection's) and ``run`` signature, with ``query_ids`` set as
``run`` sets it; each run appends what it was asked to run, with the parameters as the Python
values it got, to ``FCOMP_SNOWFLAKE_RECORD`` (a pickle per run) and fails when
``FCOMP_SNOWFLAKE_FAIL`` is set, as a failing query does.

This folder is put on the Airflow process's path only; ``airflow`` and ``airflow.providers``
are namespace portions here (no ``__init__``), so the real packages stay in place.
"""

import os
import pickle
from collections.abc import Iterable
from typing import Any

#: The session settings the real hook takes as keyword arguments.
SETTINGS = ("account", "warehouse", "database", "region", "role", "schema", "authenticator")


class SnowflakeHook:
    """Records the statements it runs instead of calling Snowflake."""

    def __init__(self, *args: Any, snowflake_conn_id: str = "snowflake_default", **kwargs: Any):
        unknown = set(kwargs) - set(SETTINGS) - {"session_parameters"}
        if unknown or args:
            raise TypeError(f"SnowflakeHook got unexpected arguments {sorted(unknown)} {args}")
        self.snowflake_conn_id = snowflake_conn_id
        self.settings = kwargs
        self.query_ids: list[str] = []

    def run(
        self,
        sql: str | Iterable[str],
        autocommit: bool = False,
        parameters: Any = None,
        handler: Any = None,
        split_statements: bool = True,
        return_last: bool = True,
        return_dictionaries: bool = False,
    ) -> Any:
        self.query_ids = []
        statements = [sql] if isinstance(sql, str) else list(sql)
        record = {
            "conn_id": self.snowflake_conn_id,
            "settings": self.settings,
            "sql": sql,
            "autocommit": autocommit,
            "parameters": parameters,
        }
        with open(os.environ["FCOMP_SNOWFLAKE_RECORD"], "ab") as handle:
            pickle.dump(record, handle)
        if os.environ.get("FCOMP_SNOWFLAKE_FAIL"):
            raise RuntimeError("SQL compilation error: Object 'CUSTOMERS' does not exist")
        for n, _ in enumerate(statements):
            self.query_ids.append(f"01b0fcomp-{n:04d}-0000-0000-000000000001")
        return None
