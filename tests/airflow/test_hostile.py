"""Hostile names and strings (quotes, newlines, ``'''``, ``{{ }}``, ``__import__``, unicode)
give DAG files that import cleanly and carry every string unchanged, and Jinja never renders
the user's text in a templated field."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from airflow_hostile import (
    HOSTILE_DESCRIPTION,
    HOSTILE_ENV,
    HOSTILE_INPUT,
    HOSTILE_LP,
    HOSTILE_PUNCT,
    HOSTILE_VALUE,
    craft,
)
from airflow_support import WORKFLOWS, config, package, require_airflow, write_folder

from fcomp.backends.airflow.build import build_airflow, dag_names
from fcomp.backends.airflow.emit import templated
from fcomp.compiler.driver import compile_paths

FLAVOURS = ("local", "kubernetes")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return craft(package("launch_plans"), tmp_path_factory.mktemp("hostile"))


def _build(folder: Path, flavour: str) -> tuple[str, dict[str, str]]:
    compilation = compile_paths([folder])
    assert compilation.ok, [d.render() for d in compilation.diagnostics]
    files, diagnostics = build_airflow(compilation, config(flavour))
    assert diagnostics == []
    return dag_names(compilation)[HOSTILE_LP], files


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_hostile_strings_are_literals(hostile: Path, flavour: str) -> None:
    _dag_id, files = _build(hostile, flavour)
    (text,) = files.values()
    tree = ast.parse(text)
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert {HOSTILE_VALUE, HOSTILE_DESCRIPTION} <= strings
    # module-level statements: prelude definitions and imports, settings, the DAG, __main__
    kinds = {type(s).__name__ for s in tree.body}
    assert kinds <= {
        "Expr",
        "Import",
        "ImportFrom",
        "FunctionDef",
        "ClassDef",
        "Assign",
        "AnnAssign",
        "With",
        "If",
    }
    calls = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert "__import__" not in calls and "eval" not in calls and "exec" not in calls


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_hostile_dag_imports_with_strings_unchanged(
    hostile: Path, flavour: str, probe: Any, tmp_path: Path
) -> None:
    dag_id, files = _build(hostile, flavour)
    found = probe(write_folder(tmp_path / "dags", files))
    assert found["import_errors"] == {}
    dag = found["dags"][dag_id]
    assert dag["description"] == f"Flyte launch plan {HOSTILE_LP}"
    assert dag["params"][HOSTILE_INPUT] == HOSTILE_VALUE
    assert dag["param_descriptions"][HOSTILE_INPUT] == HOSTILE_DESCRIPTION
    assert "punct" not in dag["params"]  # fixed: not overridable
    (task,) = [t for name, t in dag["tasks"].items() if name not in ("start", "outputs")]
    if flavour == "local":
        assert ["FCOMP_HOSTILE", HOSTILE_ENV] in task["spec"]["env"]
    else:
        pod = task["pod"]
        env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
        assert env["FCOMP_HOSTILE"] == HOSTILE_ENV
        assert pod["metadata"]["annotations"]["fcomp.io/hostile"] == HOSTILE_VALUE
        cmds = dag["tasks"]["start"]["rendered"]["cmds"]
        assert f"--param={HOSTILE_INPUT}={HOSTILE_VALUE.replace('$', '$$')}" in cmds


@pytest.mark.parametrize(
    "text",
    [HOSTILE_VALUE, HOSTILE_PUNCT, "{{", "}}", "{%", "{#", "{", "a.json", "x.sh", "{{ '{' }}"],
)
def test_templated_text_renders_to_itself(text: str) -> None:
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    assert env.from_string(templated(text)).render() == text
    assert not templated(text).endswith((".json", ".sh"))


@pytest.mark.e2e
@pytest.mark.slow
def test_hostile_run_carries_the_value_to_the_task(hostile: Path, tmp_path: Path) -> None:
    require_airflow()
    fcomp = str(Path(sys.executable).with_name("fcomp"))
    argv = [fcomp, "run", "--engine", "airflow-local", str(hostile), "--launch-plan", HOSTILE_LP]
    argv += ["--pythonpath", str(WORKFLOWS)]
    proc = subprocess.run(
        argv, env=dict(os.environ), capture_output=True, text=True, timeout=1800, check=False
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert json.loads(proc.stdout) == {"o0": f"hello {HOSTILE_VALUE}{HOSTILE_PUNCT}"}
