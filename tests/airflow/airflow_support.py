"""Helpers of the Airflow backend tests: example packages, compilations, configurations."""

from __future__ import annotations

import os
from dataclasses import replace
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from fcomp.compiler.config import Config
from fcomp.compiler.driver import Compilation, compile_paths

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PACKAGES = EXAMPLES / "packages"
WORKFLOWS = EXAMPLES / "workflows"
PROBE = Path(__file__).with_name("airflow_probe.py")

#: Example modules (one package each).
MODULES = sorted(p.stem for p in PACKAGES.glob("*.tgz") if p.stem != "all")


def package(module: str) -> Path:
    """The packaged example module (skipped, or failed under CI, when missing)."""
    path = PACKAGES / f"{module}.tgz"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"missing {path}")
        pytest.skip(f"missing {path}")
    return path


_COMPILED: dict[str, Compilation] = {}


def compiled(module: str) -> Compilation:
    """The compiled example package (cached for the session)."""
    if module not in _COMPILED:
        result = compile_paths([package(module)])
        assert result.ok, [d.render() for d in result.diagnostics]
        _COMPILED[module] = result
    return _COMPILED[module]


def config(flavour: str, **settings: Any) -> Config:
    """A configuration with the given Airflow flavour."""
    return replace(Config(), airflow_flavour=flavour, **settings)


def require_airflow() -> None:
    """Skip (or fail under CI) when Airflow is not installed."""
    if find_spec("airflow") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("apache-airflow is not installed")
        pytest.skip("apache-airflow is not installed")


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    """Write generated files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
