"""Flyte's own compiler test data (snacks-core): every launch plan builds and imports in the
DagBag with the compiled graph's tasks and edges, except the constructs reported by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from airflow_reference import expected_graph
from airflow_support import config, write_folder

from fcomp.backends.airflow.build import build_airflow, dag_names
from fcomp.backends.common.launch_plans import launch_plans
from fcomp.compiler.diagnostics import Severity
from fcomp.compiler.driver import Compilation, compile_paths

#: What the Airflow target reports instead of building (per flavour).
REPORTED = {
    "local": {"object-store-sensor"},
    "kubernetes": {"object-store-sensor", "dynamic task"},
}


@pytest.fixture(scope="module")
def snacks(flyte_compiler_data: Path) -> Compilation:
    compilation = compile_paths([flyte_compiler_data / "test" / "testdata" / "snacks-core"])
    assert compilation.ok
    return compilation


@pytest.mark.parametrize("flavour", ["local", "kubernetes"])
def test_snacks_core_builds_and_imports(
    snacks: Compilation, flavour: str, probe: Any, tmp_path: Path
) -> None:
    files, diagnostics = build_airflow(snacks, config(flavour))
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    for d in errors:
        assert any(r in d.message for r in REPORTED[flavour]), d.render()
    for d in diagnostics:  # warnings: only the pod settings a local process goes without
        assert d in errors or "(airflow_flavour=local), without its" in d.message, d.render()
    assert len(files) >= len(launch_plans(snacks, (), [])) - len(errors)
    found = probe(write_folder(tmp_path / "dags", files))
    assert found["import_errors"] == {}
    ids = dag_names(snacks)
    assert snacks.compiled is not None
    checked = 0
    for lp in launch_plans(snacks, (), []):
        dag = found["dags"].get(ids[lp.id.name])
        if dag is None:
            continue
        cw = snacks.compiled.workflow(lp.workflow)
        assert cw is not None
        expected = expected_graph(snacks.compiled, cw)
        if flavour == "kubernetes":
            expected = expected.split()
        edges = {(u, t) for t, info in dag["tasks"].items() for u in info["upstream"]}
        assert set(dag["tasks"]) == expected.tasks, lp.id.name
        assert edges == expected.edges, lp.id.name
        checked += 1
    assert checked == len(files)
