"""Launch-plan cron schedules through whole builds: one Flyte's scheduler would never trigger
is an error naming the field, nothing written; a valid one is written in the same five
fields for Argo and Airflow (``@every`` as a period)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fcomp.compiler import codes
from tests.robustness.robust_support import Built, Package, build_package


def _built(tmp_path: Path, target: str, plan: str, **schedule: Any) -> Built:
    package = Package.load("launch_plans").copy()
    s = package.launch_plan(plan).spec.entity_metadata.schedule
    if "aws" in schedule:
        s.cron_expression = schedule["aws"]
    else:
        s.cron_schedule.schedule = schedule.get("cron", s.cron_schedule.schedule)
        s.cron_schedule.offset = schedule.get("offset", "")
    return build_package(package, tmp_path, target)


def _argo_schedules(built: Built, plan: str) -> list[str]:
    [cron] = [
        d
        for d in built.documents()
        if d["kind"] == "CronWorkflow" and d["metadata"]["name"].startswith(plan.replace("_", "-"))
    ]
    return list(cron["spec"]["schedules"])


def _airflow_schedule(built: Built, plan: str) -> str:
    [line] = [line for line in built.files[f"{plan}.py"].splitlines() if "schedule=" in line]
    return line.strip()


@pytest.mark.parametrize(
    ("schedule", "argo", "airflow"),
    [
        ({"cron": "*/30 6-8 ? * mon-fri"}, "0,30 6-8 * * 1-5", "schedule='0,30 6-8 * * 1-5',"),
        ({"cron": "@weekly"}, "0 0 * * 0", "schedule='0 0 * * 0',"),
        ({"cron": "@every 1h30m"}, "@every 5400s", "schedule=datetime.timedelta(seconds=5400),"),
        ({"aws": "0 10 ? * 2 *"}, "0 10 * * 1", "schedule='0 10 * * 1',"),
    ],
)
def test_valid_schedules_are_written_alike(
    schedule: dict[str, str], argo: str, airflow: str, tmp_path: Path
) -> None:
    argo_built = _built(tmp_path / "argo", "argo", "greet_daily", **schedule)
    assert argo_built.errors == []
    assert _argo_schedules(argo_built, "greet_daily") == [argo]
    airflow_built = _built(tmp_path / "airflow", "airflow", "greet_daily", **schedule)
    assert airflow_built.errors == []
    assert _airflow_schedule(airflow_built, "greet_daily") == airflow


@pytest.mark.parametrize(
    ("schedule", "code", "field", "words"),
    [
        ({"cron": "not a cron"}, codes.INVALID_VALUE, "cron_schedule.schedule", "found 3"),
        ({"cron": "0 25 * * *"}, codes.INVALID_VALUE, "cron_schedule.schedule", "hour: 25"),
        ({"cron": "0 10 ? * 2 *"}, codes.INVALID_VALUE, "cron_schedule.schedule", "found 6"),
        ({"aws": "0 10 * * 2 *"}, codes.INVALID_VALUE, "cron_expression", "exactly one of"),
        ({"aws": "0 10 L * ? *"}, codes.UNSUPPORTED_CONSTRUCT, "cron_expression", "'L'"),
    ],
)
@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_schedules_flyte_never_triggers_are_errors(
    schedule: dict[str, str], code: str, field: str, words: str, target: str, tmp_path: Path
) -> None:
    built = _built(tmp_path, target, "greet_daily", **schedule)
    assert built.files == {}
    [error] = built.errors
    assert error.code == code
    assert error.source.entity == "greet_daily"
    assert error.source.field == f"entity_metadata.schedule.{field}"
    assert words in error.message


@pytest.mark.parametrize(
    ("offset", "ok"), [("PT30M", True), ("-P1DT2H", True), ("P1M", False), ("P1Y", False),
                       ("soon", False), ("PT1e999999S", False)],
)  # fmt: skip
def test_offsets_the_kickoff_input_is_shifted_by(offset: str, ok: bool, tmp_path: Path) -> None:
    """The offset shifts the kickoff input by weeks, days, hours, minutes and seconds; a
    calendar offset (months, years) or one that is no duration is an error."""
    built = _built(tmp_path, "argo", "kickoff_hourly", offset=offset)
    if ok:
        assert built.errors == []
        assert f"kickoff={offset}" in built.text()
        return
    [error] = built.errors
    assert error.code == codes.INVALID_VALUE
    assert error.source.field == "entity_metadata.schedule.cron_schedule.offset"
    assert built.files == {}


@pytest.mark.parametrize(("value", "unit"), [(0, 0), (0, 2), (2**32 - 1, 2)])
def test_rates_flyte_never_runs_are_errors(value: int, unit: int, tmp_path: Path) -> None:
    """A rate of nothing (which flytekit writes for ``timedelta(0)``) fires without pause on
    Flyte's scheduler; one past Go's ``time.Duration`` wraps around. Both are errors."""
    package = Package.load("launch_plans").copy()
    rate = package.launch_plan("counter_every_10m").spec.entity_metadata.schedule.rate
    rate.value, rate.unit = value, unit
    built = build_package(package, tmp_path, "argo")
    assert built.files == {}
    [error] = built.errors
    assert error.code == codes.INVALID_VALUE
    assert (error.source.entity, error.source.field) == (
        "counter_every_10m",
        "entity_metadata.schedule.rate",
    )
