"""The operator of a Snowflake query task run on an Airflow connection: common-sql's
``SQLExecuteQueryOperator`` on the Snowflake provider's hook.

fcomp never imports this module: :mod:`fcomp.backends.airflow.module` copies its source into
the generated DAG files that need it.
"""

from typing import Any

from airflow.providers.common.sql.operators.sql import (  # noqa: TID251
    SQLExecuteQueryOperator,
)
from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook  # noqa: TID251

from fcomp.backends.airflow.prelude.sqlparams import fcomp_sql_parameter


class FcompSnowflakeQuery(SQLExecuteQueryOperator):
    """Run the statement the ``rendered_by`` task returned as one statement with its
    parameters bound by the Snowflake client, as Flyte's connector runs it (committed as it
    runs; nothing rendered by Jinja) in the task's account, warehouse, database and schema
    (``hook_params``; the connection gives the credentials); return the results' location as
    the connector reports it (``results`` followed by the query id)."""

    template_fields = ()

    def __init__(self, *, rendered_by: str, results: str, **kwargs: Any) -> None:
        super().__init__(sql=[], **kwargs)
        self.rendered_by = rendered_by
        self.results = results

    def get_db_hook(self) -> Any:
        return SnowflakeHook(snowflake_conn_id=self.conn_id, **self.hook_params)

    def execute(self, context: Any) -> str:
        rendered = context["ti"].xcom_pull(task_ids=self.rendered_by)
        parameters = rendered["parameters"]
        if parameters is not None:
            parameters = {k: fcomp_sql_parameter(v) for k, v in parameters.items()}
        hook = self.get_db_hook()
        hook.run([rendered["statement"]], autocommit=True, parameters=parameters)
        return f"{self.results}{hook.query_ids[-1]}"
