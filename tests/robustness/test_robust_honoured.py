"""Honoured fields: for every field the coverage table marks ``Honoured`` on a target, its
case (``honoured_cases.CASES``, same name) changes the field in a real proto, and the target's
output changes accordingly: it gains the case's expected text, which was not there before."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from honoured_cases import CASES, Case
from robust_support import Built, Package, build_package

from fcomp.compiler.coverage import TABLES, Honoured


def honoured() -> list[tuple[str, str]]:
    """(target, case) for every ``Honoured`` entry of every target."""
    return sorted(
        {
            (target, entry.case)
            for target, table in TABLES.items()
            for fields in table.values()
            for entry in fields.values()
            if isinstance(entry, Honoured)
        }
    )


@cache
def _original(package: str, target: str, case: Case) -> Built:
    return build_package(
        Package.load(package), _scratch() / f"{package}-{target}", target, case.config
    )


@cache
def _scratch() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="fcomp-honoured-"))


def test_every_case_is_used() -> None:
    used = {name for _, name in honoured()}
    assert sorted(set(CASES) - used) == []


@pytest.mark.parametrize(("target", "name"), honoured(), ids=lambda v: v)
def test_honoured(target: str, name: str, tmp_path: Path) -> None:
    assert name in CASES, f"the coverage table names case {name!r}, which does not exist"
    case = CASES[name]
    before = build_package(Package.load(case.package), tmp_path / "before", target, case.config)
    assert before.errors == [], [d.render() for d in before.errors]
    package = Package.load(case.package).copy()
    case.mutate(package)
    after = build_package(package, tmp_path / "after", target, case.config)
    if case.error:
        assert case.error in {d.code for d in after.errors}, [d.render() for d in after.errors]
        return
    assert after.errors == [], [d.render() for d in after.errors]
    assert after.files != before.files, "changing the field did not change the output"
    for text in case.expected(target):
        assert text not in before.text(), f"{text!r} is in the output before the change"
        assert text in after.text(), f"{text!r} is not in the output after the change"
