"""A launch plan's schedule as the DAG's ``schedule``: a cron string (Flyte's legacy 6-field
form cut to 5 fields, ``?`` read as ``*``) or, for a fixed rate, a ``datetime.timedelta``.

A cron schedule's offset does not move the schedule: as on Flyte, it shifts the value the
kickoff-time input receives (the start task's ``--shift``).
"""

from __future__ import annotations

import re

from fcomp.backends.airflow.pysource import Expr, call
from fcomp.backends.common.launch_plans import rate_seconds
from fcomp.compiler import ir

_SIX_FIELDS = re.compile(r"^\S+ \S+ \S+ \S+ \S+ \S+$")


def cron_text(text: str) -> str:
    """A Flyte cron expression as a 5-field cron (or ``@`` alias) Airflow reads."""
    text = text.strip()
    if _SIX_FIELDS.match(text):  # Flyte's legacy form: min hour dom month dow year
        return " ".join("*" if f == "?" else f for f in text.split()[:5])
    return text


def schedule_expr(schedule: ir.Schedule | None) -> tuple[Expr, str]:
    """The ``schedule=`` value, and a problem when the schedule has no Airflow equivalent."""
    if schedule is None:
        return None, ""
    expr = schedule.expression
    if isinstance(expr, ir.FixedRate):
        seconds = rate_seconds(expr)
        if seconds is None:
            return None, f"fixed rate {expr.value} {expr.unit} has no Airflow schedule"
        return call("datetime.timedelta", seconds=seconds), ""
    text = cron_text(expr.schedule)
    if not text:
        return None, "empty cron schedule"
    return text, ""
