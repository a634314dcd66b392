"""Retries on Airflow follow Flyte: a failed attempt is retried only when its error is
recoverable (example ``retries``: ``flaky`` has retries=2 and fails its first attempt), run
with ``fcomp run --engine airflow-local``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from airflow_support import WORKFLOWS, package, require_airflow

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _run(tmp_path: Path, kind: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    require_airflow()
    markers = tmp_path / "markers"
    fcomp = str(Path(sys.executable).with_name("fcomp"))
    argv = [fcomp, "run", "--engine", "airflow-local", str(package("retries"))]
    argv += ["--launch-plan", "fcomp_examples.retries.retry_wf"]
    argv += ["--storage", str(tmp_path / "data"), "--pythonpath", str(WORKFLOWS)]
    argv += ["-p", f"kind={kind}", "-p", f"marker_dir={markers}"]
    (tmp_path / "home").mkdir()
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900, check=False)
    return proc, (markers / "flaky").read_text().splitlines()


def test_recoverable_error_is_retried(tmp_path: Path) -> None:
    proc, attempts = _run(tmp_path, "recoverable")
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert '"o0": 2' in proc.stdout
    assert len(attempts) == 2


def test_plain_exception_is_not_retried(tmp_path: Path) -> None:
    proc, attempts = _run(tmp_path, "plain")
    assert proc.returncode != 0
    assert len(attempts) == 1, proc.stderr[-4000:]  # the task body ran once, as on Flyte
    # The retry's bind step refused, and the task failed without its last retry.
    assert "AirflowFailException" in proc.stderr
    assert "non-recoverable error, not retried" in proc.stderr
    assert "ValueError: flaky: plain failure" in proc.stderr
