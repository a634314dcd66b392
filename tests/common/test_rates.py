"""Fixed-rate schedules: a period a scheduler can hold, on both targets."""

from __future__ import annotations

import pytest

from fcomp.backends.airflow.schedule import schedule_expr
from fcomp.backends.argo.documents import cron_expression
from fcomp.compiler import ir
from fcomp.compiler.schedules import MAX_RATE_SECONDS, rate_seconds


@pytest.mark.parametrize(
    ("value", "unit", "seconds"),
    [(5, "MINUTE", 300), (2, "HOUR", 7200), (3, "DAY", 259200), (MAX_RATE_SECONDS // 60, "MINUTE",
     MAX_RATE_SECONDS // 60 * 60)],
)  # fmt: skip
def test_rates_a_scheduler_holds(value: int, unit: str, seconds: int) -> None:
    rate = ir.FixedRate(value, unit)
    assert rate_seconds(rate) == seconds
    assert cron_expression(rate) is not None
    expr, problem = schedule_expr(ir.Schedule(rate))
    assert problem == "" and expr is not None


@pytest.mark.parametrize(
    ("value", "unit"),
    [(0, "MINUTE"), (-1, "HOUR"), (2**32 - 1, "DAY"), (MAX_RATE_SECONDS // 60 + 1, "MINUTE"),
     (1, "WEEK")],
)  # fmt: skip
def test_rates_no_scheduler_holds_are_refused(value: int, unit: str) -> None:
    """Not positive, longer than Go's ``time.Duration`` (what Flyte's scheduler and Argo keep
    a rate in, and past Python's ``timedelta`` for Airflow), or an unknown unit."""
    rate = ir.FixedRate(value, unit)
    assert rate_seconds(rate) is None
    assert cron_expression(rate) is None
    expr, problem = schedule_expr(ir.Schedule(rate))
    assert expr is None and "has no Airflow schedule" in problem
