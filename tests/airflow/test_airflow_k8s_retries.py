"""Retries in the ``kubernetes`` flavour follow Flyte: a map element's pod with retries first
runs the runtime's retry check (an element binds nothing), so an element that failed with a
plain exception is not run again, and one that failed recoverably is (example ``retries``,
``retry_map_wf``: ``flaky_item`` has retries=1; element 0 fails its first attempt recoverably,
a negative element with a plain exception). A refused retry fails the task without its
remaining retries (``retry_wf``: ``flaky`` has retries=2). Pods run by the stand-in kubelet."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from airflow_support import WORKFLOWS, compiled, require_airflow

from fcomp.backends.airflow.localrun import AirflowRun, run_airflow_local
from fcomp.compiler.config import Config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KUBELET = Path(__file__).parent / "fake_kubelet"


def _run(tmp_path: Path, xs: str, plan: str = "retry_map_wf", name: str = "xs") -> AirflowRun:
    require_airflow()
    (tmp_path / "home").mkdir()
    env = {"FCOMP_FAKE_KUBELET": "1", "HOME": str(tmp_path / "home")}
    run, diagnostics = run_airflow_local(
        compiled("retries"),
        f"fcomp_examples.retries.{plan}",
        {name: xs, "marker_dir": str(tmp_path / "markers")},
        storage=tmp_path / "data",
        config=Config(),
        workdir=tmp_path / "work",
        pythonpath=[str(KUBELET), str(WORKFLOWS)],
        env=env,
        flavour="kubernetes",
    )
    assert diagnostics == [] and run is not None
    return run


def _attempts(tmp_path: Path, x: int) -> int:
    return len((tmp_path / "markers" / f"item{x}").read_text().splitlines())


def test_recoverable_element_is_retried(tmp_path: Path) -> None:
    run = _run(tmp_path, "[0, 1]")
    log = run.log.read_text(encoding="utf-8", errors="replace")
    assert run.ok, log[-6000:]
    assert (_attempts(tmp_path, 0), _attempts(tmp_path, 1)) == (2, 1)


def test_element_with_a_plain_exception_is_not_run_again(tmp_path: Path) -> None:
    run = _run(tmp_path, "[-1]")
    log = run.log.read_text(encoding="utf-8", errors="replace")
    assert not run.ok
    # The retry's pod started, and its retry check refused to run the task again.
    assert _attempts(tmp_path, -1) == 1, log[-6000:]
    assert "non-recoverable error, not retried" in log
    assert os.path.isdir(tmp_path / "data")


def test_refused_retry_ends_the_remaining_retries(tmp_path: Path) -> None:
    """``flaky`` fails with a plain exception: its first retry's bind step refuses, and the
    task fails there (``AirflowFailException``), not after its last retry too."""
    run = _run(tmp_path, "plain", plan="retry_wf", name="kind")
    log = run.log.read_text(encoding="utf-8", errors="replace")
    assert not run.ok
    assert len((tmp_path / "markers" / "flaky").read_text().splitlines()) == 1
    refusals = re.findall(r"fcomp-bind: fcomp-runtime bind: error: .*not retried", log)
    assert len(refusals) == 1, log[-6000:]
    assert "AirflowFailException" in log
