"""End to end through ``argo-local``: workflows built with a size limit low enough that their
DAGs are split into child WorkflowTemplates run as child workflows, executed with real
``pyflyte-execute`` and ``fcomp-runtime`` processes. Data and dependencies cross the cuts: the
outputs equal the workflow computed in plain Python, and those of the unsplit build."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.generate import reference, workflow_name, write_package
from fcomp.backends.argo.build import build_argo
from fcomp.backends.argo.localrun import run_argo_local
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths

TASKS = Path(__file__).resolve().parents[2] / "benchmarks" / "tasks"


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize(
    ("shape", "n", "limit", "node"),
    [
        ("layered", 30, 8_000, "n29"),  # the root DAG cut in two
        # Every subworkflow's DAG cut, and the root DAG (the storage path, in every pod
        # template, is the test's temporary folder: the limit leaves room for a long one).
        ("nested", 16, 5_500, "n3/n3"),
    ],
)
def test_split_workflow_runs(shape: str, n: int, limit: int, node: str, tmp_path: Path) -> None:
    compilation = compile_paths([write_package(shape, n, tmp_path / "pkg.tgz", tasks=3)])
    assert compilation.ok
    config = Config(argo_max_object_bytes=limit)
    files, diagnostics = build_argo(compilation, config)
    assert diagnostics == []
    docs = [d for text in files.values() for d in yaml.safe_load_all(text)]
    assert len(docs) > 2, "the limit should split the workflow"
    run, diagnostics = run_argo_local(
        compilation,
        workflow_name(shape),
        {"x": "5"},
        storage=tmp_path / "storage",
        config=config,
        workdir=tmp_path / "work",
        pythonpath=[str(TASKS)],
    )
    assert diagnostics == []
    assert run is not None
    assert run.phase == "Succeeded", run.message
    assert run.outputs == reference(shape, n, x=5, tasks=3)
    # The children wrote under the parent's execution id: the last node's data is where the
    # parent (and its outputs step) reads it.
    assert (run.storage / run.execution / node / "data" / "inputs.pb").is_file()
