"""Plugin task types on the Argo target: golden cases built from real flytekit plugin output
(``examples/workflows/fcomp_examples/plugin_*.py`` packaged with pyflyte into
``tests/plugins/inputs/``) and from Flyte's snacks-core test data (raw containers, legacy map
tasks). Each case's documents are compared byte for byte with ``tests/plugins/expected/<case>/``,
validated (strict Argo schemas, hera, semantics; SparkApplications against the CRD schema) and
rebuilt to check the output is stable.

``FCOMP_UPDATE_GOLDEN=1`` rewrites the expected files (refused under ``CI``); a case with no
expected folder fails instead of being created silently.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sparkschema import spark_errors

from fcomp.backends.argo.build import build_argo
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "argo"))
import conformance

HERE = Path(__file__).resolve().parent
INPUTS = HERE / "inputs"
EXPECTED = HERE / "expected"
SNACKS = "peer/flyte-compiler-testdata/flytepropeller/pkg/compiler/test/testdata/snacks-core"
#: Snacks-core cases: the entity files (by number prefix) of one example module.
SNACKS_CASES = {
    "snacks_raw_container": range(4, 12),
    "snacks_map_task": range(50, 55),
}
PACKAGE_CASES = sorted(p.stem for p in INPUTS.glob("*.tgz") if p.stem != "plugin_hive")


def _inputs(case: str, shared_dir: Path, tmp_path: Path) -> Path:
    if case in SNACKS_CASES:
        folder = tmp_path / case
        folder.mkdir(parents=True)
        for f in sorted((shared_dir / SNACKS).glob("*.pb")):
            if int(f.name.split("_", 1)[0]) in SNACKS_CASES[case]:
                shutil.copy(f, folder / f.name)
        return folder
    return INPUTS / f"{case}.tgz"


_BUILD = """
import json, sys
from fcomp.backends.argo.build import build_argo
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths
compilation = compile_paths([sys.argv[1]])
problems = [d.message for d in compilation.diagnostics]
files, diagnostics = build_argo(compilation, Config()) if compilation.ok else ({}, [])
print(json.dumps({"files": files, "problems": problems + [d.message for d in diagnostics]}))
"""


def _build(path: Path) -> dict[str, str]:
    """Build in a fresh interpreter, as ``fcomp build`` does: importing hera (the conformance
    checks do) changes how PyYAML quotes some strings in this process."""
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD, str(path)], capture_output=True, text=True, check=True
    )
    result = json.loads(proc.stdout)
    assert result["problems"] == []
    files: dict[str, str] = result["files"]
    return files


def _resources(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc["spec"].get("workflowSpec", doc["spec"])
    return [
        yaml.safe_load(t["resource"]["manifest"])
        for t in spec.get("templates", [])
        if "resource" in t
    ]


@pytest.mark.parametrize("case", [*PACKAGE_CASES, *SNACKS_CASES])
def test_argo_golden(case: str, shared_dir: Path, tmp_path: Path) -> None:
    files = _build(_inputs(case, shared_dir, tmp_path))
    assert _build(_inputs(case, shared_dir, tmp_path / "again")) == files
    expected_dir = EXPECTED / case
    if os.environ.get("FCOMP_UPDATE_GOLDEN") == "1":
        assert os.environ.get("CI") != "true", "refusing to update golden files under CI"
        if not expected_dir.is_dir():
            pytest.fail(f"{expected_dir} does not exist: create it to add the case")
        for old in expected_dir.glob("*.yaml"):
            old.unlink()
        for name, text in files.items():
            (expected_dir / name).write_text(text, encoding="utf-8")
    assert expected_dir.is_dir(), f"missing expected folder {expected_dir}"
    assert sorted(files) == sorted(p.name for p in expected_dir.glob("*.yaml"))
    for name, text in files.items():
        assert text == (expected_dir / name).read_text(encoding="utf-8"), name
    schemas = sorted((shared_dir / "schemas").glob("argo-workflows-*.schema.json"))
    for text in files.values():
        for doc in yaml.safe_load_all(text):
            assert conformance.all_errors(doc, schemas) == []
            for manifest in _resources(doc):
                if manifest.get("kind") == "SparkApplication":
                    assert spark_errors(manifest, shared_dir) == []


def test_hive_is_reported_on_argo() -> None:
    """A Hive query with no query client configured cannot run on Argo: the diagnostic names
    the task, its type, the target and the settings that would run it."""
    compilation = compile_paths([INPUTS / "plugin_hive.tgz"])
    assert compilation.ok
    files, diagnostics = build_argo(compilation, Config())
    messages = [d.message for d in diagnostics]
    assert messages == [
        "task 'fcomp_examples.plugin_hive.count' of type 'hive' cannot run on the Argo target: "
        "flytekit has no connector for it; Flyte runs it through its Qubole plugin (a Qubole "
        "account); configure a client container for it (query_client_images.hive, "
        "query_client_commands.hive)"
    ]
