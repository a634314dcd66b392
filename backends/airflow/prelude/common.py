"""Operators every flavour may use; copied into generated DAG files, never imported by fcomp."""

from typing import Any

from airflow.providers.standard.sensors.time_delta import WaitSensor  # noqa: TID251


class FcompWait(WaitSensor):
    """A sleep gate: waits from the task's start (deferred, so it holds no worker slot)."""

    def execute_complete(self, context: Any, event: Any = None) -> None:
        """The wait is over (``WaitSensor`` defers to this method but lacks it)."""
        return None
