"""End to end on Argo: each example case is compiled, run from its Argo documents by the local
executor (real ``pyflyte-execute`` and ``fcomp-runtime`` processes, ``file://`` storage), and
its outputs equal ``pyflyte run`` of the same workflow with the same inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fcomp.backends.argo.localrun import run_argo_local
from fcomp.compiler.config import Config
from fcomp.runtime.storage import Storage
from tests.e2e.support import (
    WORKFLOWS,
    E2ECase,
    cases,
    compiled,
    launch_plan_name,
    outputs_equal,
    parameter_texts,
    plain_outputs,
    side_files,
)


def _resume(stdin: str | None):
    """Answer gates as the case's terminal input does (approve ``y``; a signal's value)."""
    answer = (stdin or "").strip()

    def resume(node: str, template: dict[str, Any]) -> dict[str, Any] | None:
        outputs = template.get("outputs", {}).get("parameters", [])
        if outputs:
            return {p["name"]: answer for p in outputs}
        return {} if answer.lower() in ("y", "yes") else None

    return resume


def _error_text(run: Any) -> str:
    """Every log a failed run's processes wrote (where the task's error is)."""
    return "\n".join(p.read_text(errors="replace") for p in Path(run.logs).rglob("*.std*"))


#: Failures whose message comes from Flyte's platform, not from the workflow: on Argo the run
#: fails at the same point with the platform's own message.
PLATFORM_MESSAGES = {
    ("gates_approve", "rejected"): "a rejected approval stops the workflow (argo stop)",
    ("task_config", "missing_secret"): "a missing Kubernetes secret stops the pod from starting",
}


#: Modules whose tasks the local executor cannot run here, and why.
NOT_HERE = {
    "plugin_airflow": (
        "Argo runs airflow tasks through flytekit's Airflow connector in its client image; "
        "flytekitplugins-airflow needs Airflow 2, and the test environment has Airflow 3"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("e2e", cases(NOT_HERE))
def test_argo_local_matches_pyflyte(e2e: E2ECase, tmp_path: Path) -> None:
    case, expected = e2e.case, e2e.expected
    compilation = compiled(case.module)
    tmpdir = tmp_path / "run"
    tmpdir.mkdir()
    run, diagnostics = run_argo_local(
        compilation,
        launch_plan_name(compilation, case.module, case.entity),
        parameter_texts(case.inputs, tmpdir),
        storage=tmp_path / "storage",
        config=Config(),
        workdir=tmp_path / "work",
        pythonpath=[str(WORKFLOWS)],
        resume=_resume(case.stdin),
        extra_env=dict(case.env),
    )
    assert diagnostics == []
    assert run is not None
    if expected["status"] == "succeeded":
        assert run.phase == "Succeeded", _error_text(run)[-3000:]
        storage = Storage(str(run.storage), run.execution)
        actual = plain_outputs(storage.read(storage.latest_outputs("end-node"), "end-node"))
        assert outputs_equal(expected["outputs"], actual), (expected["outputs"], actual)
    else:
        assert run.phase in ("Failed", "Error")
        if case.error_contains and (case.module, case.inputset) not in PLATFORM_MESSAGES:
            assert case.error_contains in _error_text(run)
    if expected.get("side_files"):
        assert side_files(tmpdir) == expected["side_files"]
