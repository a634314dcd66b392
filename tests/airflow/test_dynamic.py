"""A dynamic task's futures (``data/squares_futures.pb``, written by ``pyflyte-execute`` for
``fcomp_examples.dynamic.squares`` with ``n=4``) compile into a child DAG module that imports
in Airflow's DagBag, reads the dynamic node's inputs and reports to it."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from airflow_support import compiled, write_folder
from flyteidl.core import dynamic_job_pb2, tasks_pb2

from fcomp.backends.airflow.dynamic import child_conf, child_dag
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.driver import compile_dynamic_job
from fcomp.idl.model import EntityKind, LoadedEntity

FUTURES = Path(__file__).with_name("data") / "squares_futures.pb"


def _child(flavour: str) -> str:
    futures = dynamic_job_pb2.DynamicJobSpec.FromString(FUTURES.read_bytes())
    task = next(t for t in compiled("dynamic").program.tasks if t.id.name.endswith(".squares"))
    template = tasks_pb2.TaskTemplate.FromString(task.pb)
    dynamic = compile_dynamic_job(
        LoadedEntity(EntityKind.DYNAMIC_JOB, futures, Source(file="futures.pb")),
        LoadedEntity(EntityKind.TASK, template, Source(file="task.pb")),
        "n0",
    )
    config = replace(Config(), airflow_flavour=flavour, storage_prefix="/data")
    text, diagnostics = child_dag(dynamic, "manual__2024-01-01T00-00-00-00-00", "n0", config)
    assert diagnostics == [] and text is not None
    return text


@pytest.mark.parametrize("flavour", ["local", "kubernetes"])
def test_child_dag_imports(flavour: str, probe: Any, tmp_path: Path) -> None:
    text = _child(flavour)
    ast.parse(text)
    found = probe(write_folder(tmp_path / "dags", {"child.py": text}))
    assert found["import_errors"] == {}
    (dag,) = found["dags"].values()
    # four squares (one per future node), the start and outputs steps
    assert set(dag["tasks"]) == {"start", "dn0", "dn1", "dn2", "dn3", "outputs"}
    assert dag["params"] == {"n": None}  # optional: the value comes from the parent node


def test_child_conf_points_at_the_parent_node() -> None:
    conf = child_conf(replace(Config(), storage_prefix="s3://b/p/"), "ex", "n3/n0")
    assert conf == {
        "fcomp_parent": {"inputs": "s3://b/p/ex/n3/n0/data/inputs.pb", "report": "ex/n3/n0"}
    }
