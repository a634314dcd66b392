"""``fcomp run`` checks what ``fcomp build`` checks for the engine's target before running
anything: a field the target cannot run stops the run with the same diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.cli_support import run
from tests.robustness.robust_support import Package, example


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


@pytest.mark.parametrize(
    ("plan", "params", "words"),
    [
        ("greet_daily", ["-p", "nosuch=1"], "has no input 'nosuch'"),
        ("greet_daily", ["-p", "punct=?"], "input 'punct' is fixed by launch plan"),
        ("fcomp_examples.launch_plans.kickoff_wf", [], "needs a value for 'kickoff'"),
        ("no_such_plan", [], "no launch plan named 'no_such_plan'"),
    ],
)
def test_argo_local_refuses_inputs_that_do_not_fit(
    plan: str, params: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A usage error before anything runs, as airflow-local gives."""
    args = ["run", "--engine", "argo-local", str(example("launch_plans")), "--launch-plan", plan]
    code, out, err = run([*args, *params], capsys)
    assert code == 2 and out == ""
    assert words in err and "Traceback" not in err
