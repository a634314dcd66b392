"""A workflow over ``airflow_max_tasks_per_dag`` tasks becomes a parent DAG triggering child
DAGs in order: every file imports in the DagBag, each child holds at most the limit, the
children together hold every task once with the dependencies inside them, and the parent runs
them after what they depend on, under its own run id."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import write_package
from fcomp.backends.airflow.build import build_airflow
from fcomp.compiler.config import Config, config_from_mapping
from fcomp.compiler.driver import compile_paths


def _build(tmp_path: Path, flavour: str, limit: int) -> dict[str, str]:
    compilation = compile_paths([write_package("layered", 120, tmp_path / "pkg.tgz")])
    assert compilation.ok
    config = Config(airflow_flavour=flavour, airflow_max_tasks_per_dag=limit)
    files, diagnostics = build_airflow(compilation, config)
    assert diagnostics == []
    return files


def test_small_dags_are_one_file(tmp_path: Path) -> None:
    assert len(_build(tmp_path, "kubernetes", 1000)) == 1


@pytest.mark.parametrize("flavour", ["kubernetes", "local"])
def test_large_dags_trigger_their_parts(flavour: str, tmp_path: Path, probe: Any) -> None:
    whole = _build(tmp_path / "whole", flavour, 1000)
    files = _build(tmp_path / "split", flavour, 50)
    assert len(files) >= 4
    folder = tmp_path / "dags"
    folder.mkdir()
    for name, text in {**files}.items():
        ast.parse(text)
        (folder / name).write_text(text, encoding="utf-8")
    found = probe(folder)
    assert found["import_errors"] == {}
    dags = found["dags"]
    parent_id = "bench.workflows.layered_wf"
    parts = sorted((d for d in dags if d != parent_id), key=lambda d: int(d.rsplit("part", 1)[1]))
    assert parts == [f"{parent_id}.part{k}" for k in range(len(parts))]
    placed: dict[str, str] = {}
    for part in parts:
        tasks = dags[part]["tasks"]
        assert len(tasks) <= 50
        assert dags[part]["schedule"] is None
        for task_id, task in tasks.items():
            assert task_id not in placed
            placed[task_id] = part
            assert set(task["upstream"]) <= set(tasks)
    whole_folder = tmp_path / "whole-dags"
    whole_folder.mkdir()
    for name, text in whole.items():
        (whole_folder / name).write_text(text, encoding="utf-8")
    original = probe(whole_folder)["dags"][parent_id]["tasks"]
    parent = dags[parent_id]["tasks"]
    assert set(placed) | (set(parent) & set(original)) == set(original)
    for task_id, task in original.items():
        if task_id in placed:
            inside = {u for u in task["upstream"] if placed.get(u) == placed[task_id]}
            assert set(dags[placed[task_id]]["tasks"][task_id]["upstream"]) == inside
    launchers = [t for t in parent if t.startswith("part")]
    assert len(launchers) == len(parts)
    for k, launcher in enumerate(sorted(launchers, key=lambda t: int(t[4:]))):
        assert parent[launcher]["operator"] == "TriggerDagRunOperator"
        assert parent[launcher]["upstream"] == (["start"] if k == 0 else [f"part{k - 1}"])
    (parent_text,) = (text for name, text in files.items() if "_part" not in name)
    assert parent_text.count("trigger_run_id='{{ run_id }}'") == len(parts)


def test_limit_setting() -> None:
    config, problems = config_from_mapping({"airflow_max_tasks_per_dag": "2000"})
    assert problems == [] and config.airflow_max_tasks_per_dag == 2000
    _, problems = config_from_mapping({"airflow_max_tasks_per_dag": "3"})
    assert problems
