"""End-to-end cases: the examples' oracle cases (``examples/oracle.py``: recorded with
``pyflyte run``) run through fcomp's engines, outputs compared in one plain-JSON form."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fcomp.compiler.driver import Compilation, compile_paths

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PACKAGES = EXAMPLES / "packages"
WORKFLOWS = EXAMPLES / "workflows"


def oracle() -> ModuleType:
    """``examples/oracle.py`` as a module (cases, expected files, plain-JSON conversion)."""
    spec = importlib.util.spec_from_file_location("fcomp_examples_oracle", EXAMPLES / "oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ORACLE = oracle()


@dataclass(frozen=True)
class E2ECase:
    """One oracle case with what fcomp needs to run it."""

    case: Any
    expected: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.case.module}.{self.case.entity}.{self.case.inputset}"


def cases(skip_modules: Mapping[str, str] | None = None) -> list[Any]:
    """Every oracle case with a recorded expected file (pytest params, ids = case keys);
    ``skip_modules``: modules not run here, with the reason."""
    skip_modules = skip_modules or {}
    out = []
    for case in ORACLE.CASES:
        path = ORACLE.EXPECTED / f"{case.module}.{case.entity}.{case.inputset}.json"
        key = f"{case.module}.{case.entity}.{case.inputset}"
        marks = [pytest.mark.e2e]
        if case.module in skip_modules:
            marks.append(pytest.mark.skip(reason=skip_modules[case.module]))
        if not path.is_file():
            if os.environ.get("CI") == "true":
                raise AssertionError(f"missing oracle file {path}")
            continue
        out.append(pytest.param(E2ECase(case, json.loads(path.read_text())), id=key, marks=marks))
    return out


_COMPILED: dict[str, Compilation] = {}


def compiled(module: str) -> Compilation:
    """The compiled example package of a module (cached per test process)."""
    if module not in _COMPILED:
        compilation = compile_paths([PACKAGES / f"{module}.tgz"])
        assert compilation.ok, [d.render() for d in compilation.diagnostics]
        _COMPILED[module] = compilation
    return _COMPILED[module]


def launch_plan_name(compilation: Compilation, module: str, entity: str) -> str:
    """The launch plan ``pyflyte run`` ran: the workflow's default plan or a named plan."""
    names = {lp.id.name for lp in compilation.program.launch_plans}
    full = f"{ORACLE.PACKAGE}.{module}.{entity}"
    return full if full in names else entity


def parameter_texts(inputs: dict[str, Any], tmpdir: Path) -> dict[str, str]:
    """The case's inputs in the parameter text form of the runtime contract."""
    out = {}
    for name, value in inputs.items():
        filled = ORACLE._fill(value, str(tmpdir))
        out[name] = ORACLE.cli_value(filled)
    return out


def side_files(tmpdir: Path) -> dict[str, str]:
    """Text files a run left under its temporary folder (as the oracle records them)."""
    return dict(ORACLE._side_files(tmpdir))


def outputs_equal(expected: Any, actual: Any) -> bool:
    """The oracle's comparison (URIs ignored, floats with a tolerance)."""
    return bool(ORACLE.outputs_equal(expected, actual))


def plain_outputs(outputs_pb: bytes) -> dict[str, Any]:
    """A run's ``outputs.pb`` in the oracle's plain-JSON form."""
    return dict(ORACLE.literal_map_to_plain(outputs_pb))
