"""Every Argo document fcomp emits for the examples (each with its configuration, when it has
one) and for Flyte's test data passes the strict official schemas (v4.1.2, v3.7.18), hera's
models made strict, and Argo's semantic checks; and compiling twice gives byte-identical
files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fcomp.backends.argo.build import build_argo
from fcomp.backends.common.launch_plans import launch_plans
from fcomp.cli.docs.coverage import example_config
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths
from tests.argo.conformance import all_errors
from tests.argo.conftest import PACKAGES

EXAMPLES = sorted(p for p in PACKAGES.glob("*.tgz") if p.name != "all.tgz")
REPO = Path(__file__).resolve().parents[2]


def _documents(path: Path, config: Config) -> tuple[list[dict], list[str]]:
    compilation = compile_paths([path])
    assert compilation.ok, [d.render() for d in compilation.diagnostics]
    docs: list[dict] = []
    problems: list[str] = []
    for lp in launch_plans(compilation, (), []):
        files, diags = build_argo(compilation, config, None, [lp.id.name])
        if diags:
            problems += [d.render() for d in diags]
            continue
        for text in files.values():
            docs += list(yaml.safe_load_all(text))
    return docs, problems


@pytest.mark.parametrize("package", EXAMPLES, ids=lambda p: p.stem)
def test_examples_conform(package: Path, schema_paths: list[Path]) -> None:
    docs, problems = _documents(package, example_config(REPO, package))
    assert problems == [] and docs
    for doc in docs:
        assert all_errors(doc, schema_paths) == [], doc["metadata"]


def test_flyte_test_data_conforms(flyte_compiler_data: Path, schema_paths: list[Path]) -> None:
    docs, problems = _documents(flyte_compiler_data / "test/testdata/snacks-core", Config())
    # The one custom task type of Flyte's test data has no plugin (a sensor of an agent).
    assert len(problems) == 1 and "object-store-sensor" in problems[0]
    assert len(docs) >= 50
    for doc in docs:
        assert all_errors(doc, schema_paths) == [], doc["metadata"]


@pytest.mark.parametrize("package", EXAMPLES[:6], ids=lambda p: p.stem)
def test_build_is_deterministic(package: Path) -> None:
    first = build_argo(compile_paths([package]), Config())
    second = build_argo(compile_paths([package]), Config())
    assert first == second
