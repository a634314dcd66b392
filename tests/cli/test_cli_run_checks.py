"""``fcomp run`` checks what ``fcomp build`` checks for the engine's target before running
anything: a field the target cannot run stops the run with the same diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.cli_support import run
from tests.robustness.robust_support import Package


@pytest.mark.parametrize("engine", ["argo-local", "airflow-local"])
def test_run_refuses_what_the_build_refuses(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = Package.load("chain").copy()
    package.task("add_one").metadata.is_eager = True
    path = package.write(tmp_path / "eager")
    target = engine.removesuffix("-local")
    out_dir = str(tmp_path / "out")
    code, out, err = run(["build", "--target", target, str(path), "-o", out_dir], capsys)
    assert code == 1 and "UnsupportedConstruct" in err
    args = ["run", "--engine", engine, str(path), "--launch-plan", "chain_wf"]
    code, out, err = run(args, capsys)
    assert code == 1 and out == ""
    assert "UnsupportedConstruct" in err and "is_eager" in err
