"""``fcomp run``: usage errors are reported before anything runs (no Airflow needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from airflow_support import package

FCOMP = str(Path(sys.executable).with_name("fcomp"))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FCOMP, "run", *args], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--launch-plan", "greet_daily", "-p", "punct=?"], "fixed by launch plan"),
        (["--launch-plan", "greet_daily", "-p", "nope=1"], "has no input 'nope'"),
        (["--launch-plan", "no_such_plan"], "no launch plan named 'no_such_plan'"),
        (["--launch-plan", "greet_daily", "-p", "name"], "expects NAME=VALUE"),
        ([], "choose one with --launch-plan"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    proc = _run("--engine", "airflow-local", str(package("launch_plans")), *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr


def test_engines_are_listed() -> None:
    proc = _run("--help")
    assert proc.returncode == 0
    assert "airflow-local" in proc.stdout and "argo-local" in proc.stdout
