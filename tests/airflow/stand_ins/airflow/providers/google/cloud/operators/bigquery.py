"""A stand-in for the Google provider's ``BigQueryInsertJobOperator`` (provider 22.x), for
tests with no Google Cloud: the same constructor arguments and the attributes a subclass
reads (``configuration``, ``project_id``, ``location``, ``hook`` set by ``execute``, which
returns the job id), with a job that records what it was asked to run
(``FCOMP_BIGQUERY_RECORD``, a JSON file) and whose destination table is
``FCOMP_BIGQUERY_DESTINATION`` (``project:dataset.table``; unset: none).

This folder is put on the Airflow process's path only; ``airflow`` and ``airflow.providers``
are namespace portions here (no ``__init__``), so the real packages stay in place.
"""

import json
import os
from dataclasses import dataclass
from typing import Any

from airflow.sdk import BaseOperator


@dataclass
class _Table:
    project: str
    dataset_id: str
    table_id: str


@dataclass
class _Job:
    job_id: str
    destination: _Table | None


class _Hook:
    def __init__(self, gcp_conn_id: str) -> None:
        self.gcp_conn_id = gcp_conn_id

    def get_job(self, job_id: str, project_id: Any = None, location: str | None = None) -> _Job:
        where = os.environ.get("FCOMP_BIGQUERY_DESTINATION", "")
        if not where:
            return _Job(job_id, None)
        project, _, rest = where.partition(":")
        dataset, _, table = rest.partition(".")
        return _Job(job_id, _Table(project, dataset, table))


class BigQueryInsertJobOperator(BaseOperator):
    """Records the job it submits instead of calling BigQuery."""

    template_fields = (
        "configuration",
        "job_id",
        "gcp_conn_id",
        "impersonation_chain",
        "project_id",
    )

    def __init__(
        self,
        configuration: dict[str, Any],
        project_id: Any = None,
        location: str | None = None,
        job_id: str | None = None,
        force_rerun: bool = True,
        reattach_states: Any = None,
        gcp_conn_id: str = "google_cloud_default",
        impersonation_chain: Any = None,
        cancel_on_kill: bool = True,
        result_retry: Any = None,
        result_timeout: float | None = None,
        deferrable: bool = False,
        poll_interval: float = 4.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.configuration = configuration
        self.project_id = project_id
        self.location = location
        self.job_id = job_id
        self.gcp_conn_id = gcp_conn_id
        self.impersonation_chain = impersonation_chain
        self.deferrable = deferrable
        self.hook: _Hook | None = None

    def execute(self, context: Any) -> str:
        self.hook = _Hook(self.gcp_conn_id)
        self.job_id = f"job_{context['ti'].task_id}"
        record = {
            "configuration": self.configuration,
            "project_id": self.project_id,
            "location": self.location,
            "gcp_conn_id": self.gcp_conn_id,
            "deferrable": self.deferrable,
        }
        with open(os.environ["FCOMP_BIGQUERY_RECORD"], "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        return self.job_id
