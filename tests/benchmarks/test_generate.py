"""The benchmark's generator writes packages fcomp compiles and builds for both targets, in
pyflyte's layout, byte for byte the same each time; its reference matches the task code."""

from __future__ import annotations

import importlib
import tarfile
from pathlib import Path

import pytest

from benchmarks.floor import main as floor
from benchmarks.generate import SHAPES, write_package
from benchmarks.shapes import graph, reference, step
from fcomp.backends.airflow.build import build_airflow
from fcomp.backends.argo.build import build_argo
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths


@pytest.mark.parametrize("shape", SHAPES)
def test_generated_packages_compile_and_build(shape: str, tmp_path: Path) -> None:
    package = write_package(shape, 40, tmp_path / f"{shape}.tgz")
    with tarfile.open(package) as tar:
        names = sorted(tar.getnames())
    assert len(names) == 12  # ten tasks, the workflow, its launch plan
    assert all(n.endswith(("_1.pb", "_2.pb", "_3.pb")) for n in names)
    compilation = compile_paths([package])
    assert compilation.ok, [d.render() for d in compilation.diagnostics]
    program = compilation.program
    assert len(program.tasks) == 10 and len(program.launch_plans) == 1
    task_nodes = sum(
        1
        for wf in program.workflows
        for node in wf.nodes
        if node.kind.__class__.__name__ == "TaskNode"
    )
    assert task_nodes == 40
    argo, problems = build_argo(compilation, Config())
    assert problems == [] and len(argo) == 1
    airflow, problems = build_airflow(compilation, Config())
    assert problems == [] and len(airflow) == 1
    floor(str(package), str(tmp_path / "floor.json"))
    assert (tmp_path / "floor.json").stat().st_size > 0


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = write_package("nested", 100, tmp_path / "a.tgz").read_bytes()
    second = write_package("nested", 100, tmp_path / "b.tgz").read_bytes()
    assert first == second


def test_shapes() -> None:
    layered = graph("layered", 10_000)
    assert len(layered.steps) == 10_000
    assert layered.steps[100].a == ("n0", "o0") and layered.steps[100].b == ("n1", "o1")
    nested = graph("nested", 1_000)
    assert sum(len(s) for s in nested.subs) == 1_000 and len(nested.steps) == len(nested.subs)
    assert reference("chain", 3, x=1) == {"o0": step(2, *step(1, *step(0, 1, 1)))[0] % 1_000_003}


def test_reference_matches_the_task_code(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("flytekit")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "benchmarks" / "tasks"))
    tasks = importlib.import_module("bench.tasks")
    for k in range(10):
        for a, b in ((0, 0), (5, 7), (1_000_002, 999_999)):
            assert tasks.step(k, a, b) == step(k, a, b)
