"""How long Airflow takes to import generated DAG files: a ``DagBag`` of one folder, loaded
with Airflow's default ``dagbag_import_timeout`` (30 s) in a process of its own.

    python benchmarks/airflow_import.py DAG_FOLDER

Prints one JSON object: seconds to import Airflow, seconds to fill the DagBag, the DAGs found
with their task counts, and the import errors (a file over the timeout is one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def load(folder: str) -> dict[str, Any]:
    """The DagBag of ``folder`` (run with ``AIRFLOW_HOME`` set)."""
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag

    imported = time.perf_counter()
    bag = DagBag(dag_folder=folder)
    loaded = time.perf_counter()
    slowest = max(
        (_seconds(s.duration) for s in getattr(bag, "dagbag_stats", [])), default=loaded - imported
    )
    return {
        "airflow_import_s": round(imported - started, 3),
        "dagbag_s": round(loaded - imported, 3),
        "slowest_file_s": round(slowest, 3),
        "files": len(getattr(bag, "dagbag_stats", [])),
        "dags": {dag_id: len(dag.tasks) for dag_id, dag in sorted(bag.dags.items())},
        "import_errors": {k: str(v)[-300:] for k, v in bag.import_errors.items()},
    }


def _seconds(duration: Any) -> float:
    """A file's load time (a ``timedelta`` or seconds, by Airflow version)."""
    total = getattr(duration, "total_seconds", None)
    return float(total() if total is not None else duration)


def measure(folder: Path, timeout: int = 30) -> dict[str, Any]:
    """:func:`load` in a child process with a fresh ``AIRFLOW_HOME`` and the given
    ``dagbag_import_timeout``."""
    with tempfile.TemporaryDirectory(prefix="fcomp-airflow-home-") as home:
        env = {
            **os.environ,
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__DAGS_FOLDER": str(folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": f"{home}/logs",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": str(timeout),
        }
        proc = subprocess.run(
            [sys.executable, __file__, str(folder)],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout * 20 + 120,
            check=False,
        )
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(load(sys.argv[1])))
