"""Retries on Airflow follow Flyte: a failed attempt is retried only when its error is
recoverable (example ``retries``: ``flaky`` has retries=2 and fails its first attempt; the
elements of ``retry_map_wf`` are retried each on its own), run with ``fcomp run --engine
airflow-local``."""

from __future__ import annotations

import os
import re
import shutil
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


def _run_map(tmp_path: Path, xs: str) -> tuple[int, str]:
    """Run ``retry_map_wf`` over ``xs`` with every element in one chunk (one mapped task runs
    them all, so a retry of it must tell the elements apart): the exit status and the Airflow
    run's whole log (every task's, where the command's stderr shows the last failed task's)."""
    require_airflow()
    fcomp = str(Path(sys.executable).with_name("fcomp"))
    argv = [fcomp, "run", "--keep", "--engine", "airflow-local", str(package("retries"))]
    argv += ["--launch-plan", "fcomp_examples.retries.retry_map_wf"]
    argv += ["--storage", str(tmp_path / "data"), "--pythonpath", str(WORKFLOWS)]
    argv += ["-p", f"xs={xs}", "-p", f"marker_dir={tmp_path / 'markers'}"]
    (tmp_path / "home").mkdir()
    env = {**os.environ, "HOME": str(tmp_path / "home"), "AIRFLOW__CORE__MAX_MAP_LENGTH": "1"}
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900, check=False)
    kept = re.search(r"^kept: (.+)$", proc.stderr, re.MULTILINE)
    assert kept is not None, proc.stderr[-4000:]
    try:
        log = (Path(kept.group(1)) / "airflow-run.log").read_text()
    finally:
        shutil.rmtree(kept.group(1), ignore_errors=True)
    return proc.returncode, log + proc.stdout


def _attempts(tmp_path: Path, x: int) -> int:
    return len((tmp_path / "markers" / f"item{x}").read_text().splitlines())


def test_map_retry_reruns_only_the_failed_element(tmp_path: Path) -> None:
    """Element 0 fails recoverably and is retried; element 1, which succeeded, is not run
    again (its output counts one attempt), as Flyte retries each element on its own."""
    code, log = _run_map(tmp_path, "[0, 1]")
    assert code == 0, log[-4000:]
    assert '"o0": [2, 11]' in log
    assert (_attempts(tmp_path, 0), _attempts(tmp_path, 1)) == (2, 1)


def test_map_element_with_a_plain_exception_is_not_retried(tmp_path: Path) -> None:
    code, log = _run_map(tmp_path, "[-1]")
    assert code != 0
    assert _attempts(tmp_path, -1) == 1, log[-4000:]
    # Its task failed without its retry: the error is not one Flyte retries.
    assert "AirflowFailException: element 0" in log  # (at once: not after a retry)
    assert "non-recoverable error, not retried" in log
    assert "ValueError: flaky_item: -1 is negative" in log


def test_map_retries_the_recoverable_element_and_refuses_the_other(tmp_path: Path) -> None:
    code, log = _run_map(tmp_path, "[0, -1]")
    assert code != 0
    assert (_attempts(tmp_path, 0), _attempts(tmp_path, -1)) == (2, 1), log[-4000:]
    assert "AirflowFailException" in log and "non-recoverable error, not retried" in log
