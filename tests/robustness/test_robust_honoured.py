"""Honoured fields: for every field the coverage table marks ``Honoured`` on a target, its
case (``honoured_cases.CASES``, same name) changes the field in a real proto, and the target's
output changes accordingly: it gains the case's expected text, which was not there before."""

from __future__ import annotations

from pathlib import Path

import pytest
from honoured_cases import CASES
from robust_support import build_package

from fcomp.compiler.coverage import TABLES, Honoured, Reported


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


def test_every_case_is_used() -> None:
    used = {name for _, name in honoured()}
    assert sorted(set(CASES) - used) == []


@pytest.mark.parametrize(("target", "name"), honoured(), ids=lambda v: v)
def test_honoured(target: str, name: str, tmp_path: Path) -> None:
    assert name in CASES, f"the coverage table names case {name!r}, which does not exist"
    case = CASES[name]
    before = build_package(case.load(changed=False), tmp_path / "before", target, case.config)
    assert before.errors == [], [d.render() for d in before.errors]
    after = build_package(case.load(changed=True), tmp_path / "after", target, case.config)
    if case.error:
        assert case.error in {d.code for d in after.errors}, [d.render() for d in after.errors]
        return
    assert after.errors == [], [d.render() for d in after.errors]
    assert after.files != before.files, "changing the field did not change the output"
    for text in case.expected(target):
        assert text not in before.text(), f"{text!r} is in the output before the change"
        assert text in after.text(), f"{text!r} is not in the output after the change"


def ignored_with_a_case() -> list[tuple[str, str]]:
    """(target, case) for every field the coverage pass reports as dropped on a target while
    another target honours it with a case."""
    return sorted(
        {
            (target, f"{name.removeprefix('flyteidl.')}.{field}")
            for target, table in TABLES.items()
            for name, fields in table.items()
            for field, entry in fields.items()
            if isinstance(entry, Reported)
            and not entry.by
            and f"{name.removeprefix('flyteidl.')}.{field}" in CASES
        }
    )


def test_some_dropped_fields_have_a_case() -> None:
    assert ignored_with_a_case()


@pytest.mark.parametrize(("target", "name"), ignored_with_a_case(), ids=lambda v: v)
def test_dropped_really_is_dropped(target: str, name: str, tmp_path: Path) -> None:
    """A field reported as dropped leaves the output as it was (else the table is stale: the
    target now honours it, and the entry should say so) and gives the coverage warning."""
    case = CASES[name]
    before = build_package(case.load(changed=False), tmp_path / "before", target, case.config)
    after = build_package(case.load(changed=True), tmp_path / "after", target, case.config)
    assert after.files == before.files, f"{target} now honours {name}: mark it Honoured"
    found = {d.code for d in after.diagnostics} - {d.code for d in before.diagnostics}
    assert found or any(d.code == "IgnoredField" for d in after.diagnostics)


@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_configured_raw_output_prefix_beats_the_launch_plans(target: str, tmp_path: Path) -> None:
    """Like an execution's own raw output setting on Flyte, a configured ``raw_output_prefix``
    wins over the launch plan's; without one the launch plan's is used."""
    from fcomp.compiler.config import Config

    case = CASES["admin.LaunchPlanSpec.raw_output_data_config"]
    configured = Config(raw_output_prefix="s3://configured4217/raw")
    built = build_package(case.load(changed=True), tmp_path / "set", target, configured)
    assert built.errors == [], [d.render() for d in built.errors]
    assert "s3://configured4217/raw" in built.text()
    assert "s3://mark4217/raw" not in built.text()
