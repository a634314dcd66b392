"""Launch-plan settings Argo keeps only in part: the concurrency limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.robust_support import Package, build_package


def _scheduled(package: Package) -> object:
    for message in package.files.values():
        spec = getattr(message, "spec", None)
        if spec is not None and spec.entity_metadata.HasField("schedule"):
            return spec
    raise AssertionError("no scheduled launch plan")


@pytest.mark.parametrize(("scheduled", "limit", "warned"), [(True, 1, False), (True, 3, True)])
def test_scheduled_concurrency(scheduled: bool, limit: int, warned: bool, tmp_path: Path) -> None:
    """A scheduled plan limited to one run skips runs like Flyte (``Forbid``); a limit over
    one cannot be kept by a CronWorkflow and is reported."""
    package = Package.load("launch_plans").copy()
    spec = _scheduled(package)
    spec.concurrency_policy.max = limit  # type: ignore[attr-defined]
    built = build_package(package, tmp_path, "argo")
    assert built.errors == []
    warnings = [d for d in built.diagnostics if d.code == "IgnoredField"]
    concurrency = [d for d in warnings if d.source.field == "concurrency_policy"]
    assert bool(concurrency) is warned
    assert ("concurrencyPolicy: Forbid" in built.text()) is (not warned)


def test_unscheduled_concurrency_is_reported(tmp_path: Path) -> None:
    """Nothing in Argo limits the workflows submitted from a template: reported."""
    package = Package.load("chain").copy()
    package.launch_plan("chain_wf").spec.concurrency_policy.max = 2
    built = build_package(package, tmp_path, "argo")
    assert built.errors == []
    [warning] = [d for d in built.diagnostics if d.source.field == "concurrency_policy"]
    assert warning.code == "IgnoredField" and "at most 2" in warning.message
