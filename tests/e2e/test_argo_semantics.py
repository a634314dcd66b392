"""Argo behaviours beyond one run's outputs: the cache across executions, map fan-out whose
size never reaches a parameter, launch plans missing from the input."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from flyteidl.core import literals_pb2

from fcomp.backends.argo.build import build_argo
from fcomp.backends.argo.localrun import run_argo_local
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths
from fcomp.idl.load import load_paths
from tests.e2e.support import PACKAGES, WORKFLOWS, compiled


@pytest.mark.e2e
def test_cached_task_is_not_run_again_in_a_second_execution(tmp_path: Path) -> None:
    compilation = compiled("caching")
    log = tmp_path / "log.txt"
    runs = []
    for _ in range(2):
        run, diagnostics = run_argo_local(
            compilation,
            "fcomp_examples.caching.caching_wf",
            {"x": "4", "log_path": str(log)},
            storage=tmp_path / "storage",
            config=Config(),
            workdir=tmp_path / "work",
            pythonpath=[str(WORKFLOWS)],
        )
        assert diagnostics == [] and run is not None and run.phase == "Succeeded"
        runs.append(run.outputs)
    # The side effect happened once: the first execution computed, every later call hit.
    assert log.read_text().splitlines() == ["computed 4 (first)"]
    assert runs[0] == runs[1] == {"o0": 16, "o1": 16, "o2": 1}


@pytest.mark.e2e
def test_overwrite_cache_runs_the_task_again(tmp_path: Path) -> None:
    compilation = compiled("caching")
    log = tmp_path / "log.txt"
    lp = next(lp for lp in compilation.program.launch_plans)
    assert not lp.overwrite_cache
    program = replace(
        compilation.program,
        launch_plans=tuple(
            replace(p, overwrite_cache=True) for p in compilation.program.launch_plans
        ),
    )
    overwriting = replace(compilation, program=program)
    for _ in range(2):
        run, _ = run_argo_local(
            overwriting,
            "fcomp_examples.caching.caching_wf",
            {"x": "5", "log_path": str(log)},
            storage=tmp_path / "storage",
            config=Config(),
            workdir=tmp_path / "work",
            pythonpath=[str(WORKFLOWS)],
        )
        assert run is not None and run.phase == "Succeeded"
    assert log.read_text().splitlines().count("computed 5 (first)") == 2


def _documents(package: Path) -> list[dict]:
    files, diagnostics = build_argo(compiled(package.stem), Config())
    assert diagnostics == []
    return [d for text in files.values() for d in yaml.safe_load_all(text)]


def test_map_fan_out_does_not_grow_with_the_list(tmp_path: Path) -> None:
    """The document does not depend on the list (the length is a run-time count), and the
    runtime's fan-out step prints only the count for 100,000 elements."""
    docs = _documents(PACKAGES / "map_tasks.tgz")
    text = json.dumps(docs)
    assert "withSequence" in text and "withParam" not in text and "withItems" not in text
    storage = tmp_path / "storage"
    upstream = storage / "exec" / "n0" / "data" / "0"
    upstream.mkdir(parents=True)
    sizes = {}
    for n in (10, 100_000):
        outputs = literals_pb2.LiteralMap()
        items = outputs.literals["o0"].collection.literals
        for i in range(n):
            items.add().scalar.primitive.integer = i
        (upstream / "outputs.pb").write_bytes(outputs.SerializeToString())
        plan = json.dumps({"x": {"promise": {"node": "n0", "var": "o0"}}})
        args = ["--prefix", str(storage), "--exec", "exec", "--node", f"n1-{n}", "--plan", plan]
        printed = subprocess.run(
            [sys.executable, "-m", "fcomp.runtime", "array-size", *args, "--inputs", '["x"]'],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert printed.strip() == str(n)
        sizes[n] = len(printed)
    # The only value that grows is the count itself: 6 digits instead of 2.
    assert sizes[100_000] - sizes[10] == len("100000") - len("10")


def test_launch_plan_missing_from_the_input_is_reported(tmp_path: Path) -> None:
    """A launch-plan node whose plan was not packaged: Flyte's compiler needs it too."""
    loaded = load_paths([PACKAGES / "lp_reference.tgz"])
    kept = tmp_path / "pkg"
    kept.mkdir()
    with tarfile.open(PACKAGES / "lp_reference.tgz") as tar:
        for member in tar.getmembers():
            if member.name.endswith("_3.pb") and "lp_reference_wf" not in member.name:
                continue
            data = tar.extractfile(member)
            if data is not None:
                (kept / Path(member.name).name).write_bytes(data.read())
    assert loaded.entities
    compilation = compile_paths([kept])
    codes = {d.code for d in compilation.diagnostics}
    assert "WorkflowReferenceNotFound" in codes
    assert any("launch plan" in d.message for d in compilation.diagnostics)
