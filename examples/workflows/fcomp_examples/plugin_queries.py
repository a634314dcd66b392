"""Query tasks Flyte runs through flytekit's connectors (flytekitplugins-bigquery, task type
bigquery_query_job_task, and flytekitplugins-snowflake, task type snowflake): Sql-target
tasks whose inputs become query parameters and whose ``results`` is the query's table.

They need a cloud account to run, so this module is packaged for the golden cases only, in an
environment with both plugins (``python examples/package.py -m plugin_queries`` there);
without them it defines no workflows.
"""

import importlib.util

if all(
    importlib.util.find_spec(f"flytekitplugins.{name}") is not None
    for name in ("bigquery", "snowflake")
):
    import datetime

    from flytekit import StructuredDataset, kwtypes, workflow
    from flytekitplugins.bigquery import BigQueryConfig, BigQueryTask
    from flytekitplugins.snowflake import SnowflakeConfig, SnowflakeTask

    recent_rows = BigQueryTask(
        name="fcomp_examples.plugin_queries.recent_rows",
        inputs=kwtypes(version=int, since=datetime.datetime),
        output_structured_dataset_type=StructuredDataset,
        query_template=(
            "SELECT * FROM `bigquery-public-data.crypto_dogecoin.transactions` "
            "WHERE version = @version AND block_timestamp >= @since LIMIT 10"
        ),
        task_config=BigQueryConfig(ProjectID="flyte-examples", Location="US"),
    )

    customer = SnowflakeTask(
        name="fcomp_examples.plugin_queries.customer",
        inputs=kwtypes(customer_id=int),
        output_schema_type=StructuredDataset,
        query_template="SELECT * FROM customers WHERE id = %(customer_id)s",
        task_config=SnowflakeConfig(
            account="example-account",
            user="flyte",
            database="SNOWFLAKE_SAMPLE_DATA",
            schema="TPCH_SF1",
            warehouse="COMPUTE_WH",
        ),
    )

    @workflow
    def queries_wf(
        version: int = 1, since: datetime.datetime = datetime.datetime(2024, 1, 1)
    ) -> StructuredDataset:
        customer(customer_id=version)
        return recent_rows(version=version, since=since)
