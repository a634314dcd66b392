"""Fixtures of the Airflow backend tests: a migrated Airflow home, and a DagBag probe that
runs Airflow in a subprocess (the test process never imports Airflow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from airflow_support import PROBE, require_airflow

Probe = Callable[[Path], dict[str, Any]]


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated Airflow home for DagBag probes and runs."""
    require_airflow()
    from fcomp.backends.airflow.home import make_home

    return make_home(tmp_path_factory.mktemp("airflow-home"))


@pytest.fixture(scope="session")
def probe(airflow_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Probe:
    """Load a DAG folder with Airflow's DagBag (in a subprocess); what it found, as JSON."""
    from fcomp.backends.airflow.home import base_env

    def run(folder: Path) -> dict[str, Any]:
        out = tmp_path_factory.mktemp("probe") / "probe.json"
        env = {**os.environ, **base_env(airflow_home)}
        env["AIRFLOW__CORE__DAGS_FOLDER"] = str(folder)
        proc = subprocess.run(
            [sys.executable, str(PROBE), str(folder), str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        data: dict[str, Any] = json.loads(out.read_text())
        return data

    return run
