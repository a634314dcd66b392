"""Retries on Argo follow Flyte: a failed attempt is retried only when its error is
recoverable (example ``retries``: ``flaky`` has retries=2 and fails its first attempt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fcomp.backends.argo.localrun import LocalRun, run_argo_local
from fcomp.compiler.config import Config
from tests.e2e.support import WORKFLOWS, compiled

WORKFLOW = "fcomp_examples.retries.retry_wf"


def _run(tmp_path: Path, kind: str) -> tuple[LocalRun, list[str]]:
    markers = tmp_path / "markers"
    run, diagnostics = run_argo_local(
        compiled("retries"),
        WORKFLOW,
        {"kind": kind, "marker_dir": str(markers)},
        storage=tmp_path / "storage",
        config=Config(),
        workdir=tmp_path / "work",
        pythonpath=[str(WORKFLOWS)],
    )
    assert diagnostics == [] and run is not None
    attempts = (markers / "flaky").read_text().splitlines()
    return run, attempts


@pytest.mark.e2e
def test_recoverable_error_is_retried(tmp_path: Path) -> None:
    run, attempts = _run(tmp_path, "recoverable")
    assert run.phase == "Succeeded", run.message
    assert run.outputs == {"o0": 2}
    assert len(attempts) == 2


@pytest.mark.e2e
def test_plain_exception_is_not_retried(tmp_path: Path) -> None:
    run, attempts = _run(tmp_path, "plain")
    # The retry's bind step refused to run the task again; Argo calls a failed init
    # container an Error (Flyte: the node fails permanently).
    assert run.phase == "Error"
    assert len(attempts) == 1  # the task body ran once, as on Flyte
    why = " ".join(run.failures)
    assert "non-recoverable error, not retried" in why and "ValueError" in why, run.failures


@pytest.mark.e2e
def test_success_needs_no_retry(tmp_path: Path) -> None:
    run, attempts = _run(tmp_path, "none")
    assert run.phase == "Succeeded" and run.outputs == {"o0": 1}
    assert len(attempts) == 1


def _run_map(tmp_path: Path, xs: str) -> LocalRun:
    run, diagnostics = run_argo_local(
        compiled("retries"),
        "fcomp_examples.retries.retry_map_wf",
        {"xs": xs, "marker_dir": str(tmp_path / "markers")},
        storage=tmp_path / "storage",
        config=Config(),
        workdir=tmp_path / "work",
        pythonpath=[str(WORKFLOWS)],
    )
    assert diagnostics == [] and run is not None
    return run


def _attempts(tmp_path: Path, x: int) -> int:
    return len((tmp_path / "markers" / f"item{x}").read_text().splitlines())


@pytest.mark.e2e
def test_map_element_with_a_recoverable_error_is_retried(tmp_path: Path) -> None:
    run = _run_map(tmp_path, "[0, 1]")
    assert run.phase == "Succeeded", run.failures
    assert run.outputs == {"o0": [2, 11]}
    assert (_attempts(tmp_path, 0), _attempts(tmp_path, 1)) == (2, 1)


@pytest.mark.e2e
def test_map_element_with_a_plain_exception_is_not_retried(tmp_path: Path) -> None:
    run = _run_map(tmp_path, "[-1, 1]")
    assert run.phase != "Succeeded"
    assert _attempts(tmp_path, -1) == 1  # the element's body ran once, as on Flyte
    assert "non-recoverable error, not retried" in " ".join(run.failures), run.failures
