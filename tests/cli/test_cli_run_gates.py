"""``fcomp run --engine argo-local`` answers gates as a person would with ``argo resume`` and
``argo node set``: ``--approve`` / ``--reject`` for approve gates, ``--signal ID=VALUE`` for
the signal gate waiting for ID; a gate left unanswered fails the run, naming the node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.cli_support import REPO, example

FCOMP = str(Path(sys.executable).with_name("fcomp"))
WORKFLOWS = REPO / "examples" / "workflows"


def _run(package: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [FCOMP, "run", "--engine", "argo-local", str(example(package))]
    # a relative --pythonpath: the task processes run in other folders
    command += ["--pythonpath", os.path.relpath(WORKFLOWS), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("value", ["Hello", "He said {{hi}} $(X) ${Y}"])
def test_signal_value_reaches_the_workflow(value: str) -> None:
    proc = _run("gates_signal", "-p", "x=2", "--signal", f"title={value}")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"o0": f"{value}: 3"}


def test_signal_for_another_id_leaves_the_gate_waiting() -> None:
    proc = _run("gates_signal", "-p", "x=2", "--signal", "other=Hello")
    assert proc.returncode == 1
    assert "was not resumed" in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize(("answer", "code"), [("--approve", 0), ("--reject", 1), (None, 1)])
def test_approve_gate(answer: str | None, code: int) -> None:
    proc = _run("gates_approve", *([answer] if answer else []))
    assert proc.returncode == code, proc.stderr
    if code == 0:
        assert json.loads(proc.stdout) == {"o0": "published 33"}
    else:
        assert "was not resumed" in proc.stderr
