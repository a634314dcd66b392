"""Building twice gives byte-identical files (also in separate processes with different hash
seeds), and building never imports Airflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from airflow_support import MODULES, compiled, config, package

from fcomp.backends.airflow.build import build_airflow

FLAVOURS = ("local", "kubernetes")


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("module", MODULES)
def test_building_twice_gives_identical_files(module: str, flavour: str) -> None:
    first = build_airflow(compiled(module), config(flavour))
    second = build_airflow(compiled(module), config(flavour))
    assert first == second


_BUILD = """
import json, sys
from dataclasses import replace
from fcomp.backends.airflow.build import build_airflow
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths
config = replace(Config(), airflow_flavour=sys.argv[2])
files, _ = build_airflow(compile_paths([sys.argv[1]]), config)
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "airflow")
print(json.dumps({"files": files, "airflow": loaded}))
"""


def _build_in_process(path: Path, flavour: str, seed: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD, str(path), flavour],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_identical_across_processes_and_no_airflow_import(flavour: str) -> None:
    path = package("all")
    a = _build_in_process(path, flavour, "1")
    b = _build_in_process(path, flavour, "2")
    assert a["files"] == b["files"]
    assert a["files"]
    assert a["airflow"] == [] and b["airflow"] == []
