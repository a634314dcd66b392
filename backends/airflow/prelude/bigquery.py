"""The operator of a BigQuery query task run on an Airflow connection: the Google provider's
``BigQueryInsertJobOperator``.

fcomp never imports this module: :mod:`fcomp.backends.airflow.module` copies its source into
the generated DAG files that need it.
"""

from typing import Any

from airflow.providers.google.cloud.operators.bigquery import (  # noqa: TID251
    BigQueryInsertJobOperator,
)


class FcompBigQueryJob(BigQueryInsertJobOperator):  # type: ignore[misc]
    """Submit the query configuration the ``rendered_by`` task returned (statement and query
    parameters, as Flyte's connector submits them; nothing rendered by Jinja) and wait for
    the job; return its destination table as Flyte's connector reports it
    (``bq://project:dataset.table``, empty when the job has none)."""

    template_fields = ()

    def __init__(self, *, rendered_by: str, **kwargs: Any) -> None:
        super().__init__(configuration={}, deferrable=False, **kwargs)
        self.rendered_by = rendered_by

    def execute(self, context: Any) -> str:
        self.configuration = {"query": context["ti"].xcom_pull(task_ids=self.rendered_by)}
        job_id = super().execute(context)
        job = self.hook.get_job(job_id=job_id, project_id=self.project_id, location=self.location)
        table = job.destination
        if table is None:
            return ""
        return f"bq://{table.project}:{table.dataset_id}.{table.table_id}"
