"""A launch-plan default that Argo cannot hold as parameter text (it has ``{{``) stays with the
start step; the parameter holds a mark until the user sets it, so an explicit empty string is
the user's value, not the default."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fcomp.backends.argo.build import build_argo
from fcomp.backends.argo.localrun import run_argo_local
from fcomp.compiler.config import Config
from fcomp.compiler.driver import Compilation, compile_paths
from fcomp.runtime.contract import DEFAULT_MARK
from tests.e2e.support import WORKFLOWS
from tests.robustness.robust_support import Package

LP = "fcomp_examples.launch_plans.greet_wf"
DEFAULT = "{{workflow.name}} & {{x}}"


def _compiled(tmp_path: Path) -> Compilation:
    package = Package.load("launch_plans").copy()
    params = package.launch_plan("greet_wf").spec.default_inputs.parameters
    params["name"].default.scalar.primitive.string_value = DEFAULT
    compilation = compile_paths([package.write(tmp_path / "pkg")])
    assert compilation.ok, [d.render() for d in compilation.diagnostics]
    return compilation


def test_the_parameter_holds_the_mark(tmp_path: Path) -> None:
    files, diagnostics = build_argo(_compiled(tmp_path), Config(), None, [LP])
    assert diagnostics == []
    [doc] = [d for text in files.values() for d in yaml.safe_load_all(text)]
    [param] = [p for p in doc["spec"]["arguments"]["parameters"] if p["name"] == "name"]
    assert param["value"] == DEFAULT_MARK


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("given", "greeting"),
    [
        (None, f"hello {DEFAULT}!"),
        ("", "hello !"),
        ("bob", "hello bob!"),
    ],
)
def test_default_applies_only_when_no_value_is_given(
    tmp_path: Path, given: str | None, greeting: str
) -> None:
    params = {"times": "1"} if given is None else {"times": "1", "name": given}
    run, diagnostics = run_argo_local(
        _compiled(tmp_path),
        LP,
        params,
        storage=tmp_path / "storage",
        config=Config(),
        workdir=tmp_path / "work",
        pythonpath=[str(WORKFLOWS)],
    )
    assert diagnostics == [] and run is not None and run.phase == "Succeeded", run
    assert run.outputs == {"o0": greeting}
