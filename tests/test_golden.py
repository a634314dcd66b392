"""Golden cases: every packaged example compiled for each target equals the reviewed expected
files under ``golden/<target>/<example>/`` byte for byte (``FCOMP_UPDATE_GOLDEN=1`` regenerates
them, refused under CI). The input of case ``golden/<target>/<name>`` is
``examples/packages/<name>.tgz``, real ``pyflyte package`` output, built with the example's
configuration (``examples/configs/<name>.toml``) when it has one."""

from __future__ import annotations

from pathlib import Path

import pytest

from fcomp.cli.build import build_files
from fcomp.cli.docs.coverage import example_config
from fcomp.compiler.driver import compile_paths
from tests.golden import GOLDEN, REPO, check_golden_dir

PACKAGES = REPO / "examples" / "packages"
EXAMPLES = sorted(p for p in PACKAGES.glob("*.tgz") if p.name != "all.tgz")
TARGETS = ("argo", "airflow")


def _cases() -> list[tuple[str, Path]]:
    return [(target, package) for target in TARGETS for package in EXAMPLES]


@pytest.mark.parametrize(("target", "package"), _cases(), ids=lambda v: getattr(v, "stem", v))
def test_golden(target: str, package: Path) -> None:
    compilation = compile_paths([package])
    assert compilation.ok, [d.render() for d in compilation.diagnostics]
    files, diagnostics = build_files(
        compilation, target, example_config(REPO, package), (), "template"
    )
    if diagnostics:
        # A construct the target reports (never silently drops) has no expected files.
        assert not (GOLDEN / target / package.stem).exists()
        pytest.skip("; ".join(d.message for d in diagnostics))
    assert check_golden_dir(GOLDEN / target / package.stem, files) == []


def test_every_example_config_belongs_to_an_example() -> None:
    for path in (REPO / "examples" / "configs").glob("*"):
        assert (PACKAGES / f"{path.stem}.tgz").is_file() and path.suffix == ".toml", path
        assert example_config(REPO, PACKAGES / f"{path.stem}.tgz") is not None


def test_no_orphan_cases() -> None:
    for target in TARGETS:
        for case in (GOLDEN / target).glob("*") if (GOLDEN / target).is_dir() else []:
            assert (PACKAGES / f"{case.name}.tgz").is_file(), f"golden case without input: {case}"
