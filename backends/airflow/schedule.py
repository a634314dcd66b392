"""A launch plan's schedule as the DAG's ``schedule``: five cron fields (descriptors
expanded, Flyte's legacy AWS form rewritten; see :mod:`fcomp.compiler.schedules`) or, for a fixed
rate or ``@every``, a ``datetime.timedelta``.

A cron schedule's offset does not move the schedule: it shifts the value the kickoff-time
input receives (the start task's ``--shift``).
"""

from __future__ import annotations

from fcomp.backends.airflow.pysource import Expr, call
from fcomp.compiler import ir
from fcomp.compiler.schedules import CronError, rate_seconds, schedule_cron


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
    try:
        cron = schedule_cron(expr)
    except CronError as error:
        return None, f"cron schedule '{expr.schedule}': {error}"
    if cron.every_seconds:
        return call("datetime.timedelta", seconds=cron.every_seconds), ""
    return cron.fields, ""
