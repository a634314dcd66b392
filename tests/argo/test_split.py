"""Documents over ``argo_max_object_bytes`` are split into child WorkflowTemplates: every object
stays under the limit, passes the strict schemas and Argo's semantic checks, the split is
deterministic, and no task, dependency or data path is lost across the cut."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks.generate import write_package
from fcomp.backends.argo.build import build_argo
from fcomp.backends.argo.documents import ArgoOptions
from fcomp.backends.argo.render import EXEC_PARAM, PARENT_EXEC, WORKFLOW_NAME
from fcomp.backends.argo.split import PART_OF, json_size
from fcomp.compiler import codes
from fcomp.compiler.config import Config, config_from_mapping
from fcomp.compiler.driver import Compilation, compile_paths
from tests.argo.conformance import all_errors
from tests.argo.conftest import PACKAGES


def _compiled(tmp_path: Path, shape: str, n: int, tasks: int = 10) -> Compilation:
    package = write_package(shape, n, tmp_path / f"{shape}-{n}.tgz", tasks=tasks)
    compilation = compile_paths([package])
    assert compilation.ok, [d.render() for d in compilation.diagnostics]
    return compilation


def _documents(compilation: Compilation, config: Config, emit: str = "template") -> list[dict]:
    files, diagnostics = build_argo(compilation, config, ArgoOptions(emit=emit))
    assert diagnostics == [], [d.render() for d in diagnostics]
    return [d for text in files.values() for d in yaml.safe_load_all(text)]


def _tasks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    entry = doc["spec"]["entrypoint"]
    template = next(t for t in doc["spec"]["templates"] if t["name"] == entry)
    return list(template["dag"]["tasks"])


def _manifest(template: dict[str, Any]) -> dict[str, Any]:
    """A launcher's manifest with its expression tags replaced by JSON strings."""
    text = re.sub(r"\{\{=toJson\([^)]*\)\}\}", '"value"', template["resource"]["manifest"])
    return json.loads(text)


def test_small_documents_are_not_split() -> None:
    docs = _documents(compile_paths([PACKAGES / "fan_in.tgz"]), Config())
    assert [d["kind"] for d in docs] == ["WorkflowTemplate"]
    assert EXEC_PARAM not in json.dumps(docs)


def test_layered_split_keeps_every_task_and_dependency(tmp_path: Path) -> None:
    compilation = _compiled(tmp_path, "layered", 400)
    whole = _documents(compilation, Config())
    limit = 30_000
    docs = _documents(compilation, Config(argo_max_object_bytes=limit))
    parent, children = docs[0], docs[1:]
    assert json_size(whole[0]) > limit and len(children) >= 3
    for doc in docs:
        assert json_size(doc) <= limit
    # Every node task of the whole DAG is in exactly one child, unchanged but for the
    # dependencies on other parts.
    original = {t["name"]: t for t in _tasks(whole[0])}
    placed: dict[str, int] = {}
    for k, child in enumerate(children):
        assert child["metadata"]["labels"][PART_OF] == parent["metadata"]["name"]
        assert "fcomp.dev/launch-plan" not in child["metadata"]["annotations"]
        for task in _tasks(child):
            assert task["name"] not in placed
            placed[task["name"]] = k
            same = {key: v for key, v in task.items() if key != "depends"}
            assert same == {key: v for key, v in original[task["name"]].items() if key != "depends"}
    assert set(placed) == set(original) - {"fcomp-start", "fcomp-outputs"}
    for k, child in enumerate(children):
        for task in _tasks(child):
            kept = task.get("depends", "").split(" && ") if "depends" in task else []
            dropped = set(original[task["name"]].get("depends", "").split(" && ")) - set(kept)
            assert all(placed.get(d) == k for d in kept)
            assert all(placed.get(d, -1) < k for d in dropped)
    # The parent runs start, the parts in order of their dependencies, then the outputs.
    parent_tasks = {t["name"]: t for t in _tasks(parent)}
    assert set(parent_tasks) == {"fcomp-start", "fcomp-outputs"} | {
        f"part-{k}" for k in range(len(children))
    }
    assert parent_tasks["part-0"]["depends"] == "fcomp-start"
    assert parent_tasks["fcomp-outputs"]["depends"] == f"part-{len(children) - 1}"
    templates = {t["name"]: t for t in parent["spec"]["templates"]}
    launched = [
        _manifest(templates[parent_tasks[f"part-{k}"]["template"]]) for k in range(len(children))
    ]
    assert [m["spec"]["workflowTemplateRef"]["name"] for m in launched] == [
        c["metadata"]["name"] for c in children
    ]
    for m in launched:
        assert m["spec"]["arguments"]["parameters"] == [
            {"name": EXEC_PARAM, "value": WORKFLOW_NAME}
        ]


def test_children_write_under_the_parent_execution(tmp_path: Path) -> None:
    docs = _documents(_compiled(tmp_path, "layered", 200), Config(argo_max_object_bytes=20_000))
    for child in docs[1:]:
        text = json.dumps(child)
        assert WORKFLOW_NAME not in text
        assert PARENT_EXEC in text
        assert child["spec"]["arguments"]["parameters"][0] == {"name": EXEC_PARAM, "value": ""}


@pytest.mark.parametrize("shape", ["layered", "chain", "fanout", "nested"])
def test_split_documents_conform(shape: str, tmp_path: Path, schema_paths: list[Path]) -> None:
    limit = 40_000
    docs = _documents(_compiled(tmp_path, shape, 300), Config(argo_max_object_bytes=limit))
    assert len(docs) > 2
    for doc in docs:
        assert json_size(doc) <= limit
        assert all_errors(doc, schema_paths) == [], doc["metadata"]


def test_large_subworkflows_are_split_inside(tmp_path: Path) -> None:
    # Each subworkflow's DAG with its pod templates is over the limit on its own: it becomes
    # a DAG of launchers that pass the subworkflow's scope and input plans on.
    compilation = _compiled(tmp_path, "nested", 16, tasks=3)
    docs = _documents(compilation, Config(argo_max_object_bytes=4_500))
    inner = [d for d in docs if "-part" in d["metadata"]["name"]]
    assert inner
    for child in inner:
        params = [p["name"] for p in child["spec"]["arguments"]["parameters"]]
        assert params[0] == EXEC_PARAM and "scope" in params
        entry = child["spec"]["templates"][0]
        assert [p["name"] for p in entry["inputs"]["parameters"]] == params[1:]
    launchers = [
        t for d in docs for t in d["spec"]["templates"] if "resource" in t and "inputs" in t
    ]
    assert launchers
    for template in launchers:
        manifest = _manifest(template)
        passed = [p["name"] for p in manifest["spec"]["arguments"]["parameters"]]
        declared = [p["name"] for p in template["inputs"]["parameters"]]
        assert passed == [EXEC_PARAM, *declared]
        assert "toJson(inputs.parameters['scope'])" in template["resource"]["manifest"]


def test_split_is_deterministic(tmp_path: Path) -> None:
    config = Config(argo_max_object_bytes=15_000)
    first = build_argo(_compiled(tmp_path / "a", "nested", 300), config)
    second = build_argo(_compiled(tmp_path / "b", "nested", 300), config)
    assert first == second


def test_workflow_emit_splits_too(tmp_path: Path) -> None:
    docs = _documents(
        _compiled(tmp_path, "layered", 200), Config(argo_max_object_bytes=20_000), "workflow"
    )
    assert docs[0]["kind"] == "Workflow"
    assert {d["kind"] for d in docs[1:]} == {"WorkflowTemplate"}


def test_a_limit_too_small_is_reported(tmp_path: Path) -> None:
    compilation = _compiled(tmp_path, "layered", 50)
    files, diagnostics = build_argo(compilation, Config(argo_max_object_bytes=1_500))
    assert diagnostics and {d.code for d in diagnostics} == {codes.SIZE_LIMIT}
    assert "argo_max_object_bytes" in diagnostics[0].message


def test_limit_setting() -> None:
    config, problems = config_from_mapping({"argo-max-object-bytes": "250000"})
    assert problems == [] and config.argo_max_object_bytes == 250_000
    config, problems = config_from_mapping({"argo_max_object_bytes": 12})
    assert [p.code for p in problems] == [codes.CONFIG_ERROR]
    assert replace(Config(), argo_max_object_bytes=5000).argo_max_object_bytes == 5000


@pytest.mark.slow
def test_fifty_thousand_nodes(tmp_path: Path, schema_paths: list[Path]) -> None:
    """The benchmark's largest build: every object under 1,000,000 bytes as JSON, and every
    document passes the strict schemas, hera's strict models and the semantic checks."""
    docs = _documents(_compiled(tmp_path, "layered", 50_000), Config())
    assert len(docs) > 10
    tasks = 0
    for doc in docs:
        assert json_size(doc) <= 1_000_000
        assert all_errors(doc, schema_paths) == [], doc["metadata"]
        tasks += len(_tasks(doc))
    assert tasks == 50_000 + 2 + len(docs) - 1  # nodes, start and outputs, one launcher per part
