"""Launch plans: workflow default inputs, named launch plans with default and fixed
inputs, a cron schedule, a fixed-rate schedule, and a cron schedule that passes the
kickoff time as an input."""

from datetime import datetime, timedelta

from flytekit import CronSchedule, FixedRate, LaunchPlan, task, workflow
from flytekit.models.common import Annotations, Labels


@task
def greet(name: str, times: int, punct: str) -> str:
    return " ".join([f"hello {name}{punct}"] * times)


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def describe_kickoff(kickoff: datetime, label: str) -> str:
    return f"{label}@{kickoff.strftime('%Y-%m-%dT%H:%M:%S')}"


@workflow
def greet_wf(name: str = "world", times: int = 2, punct: str = "!") -> str:
    """Defaults here become the default launch plan's default inputs."""
    return greet(name=name, times=times, punct=punct)


greet_daily = LaunchPlan.get_or_create(
    greet_wf,
    name="greet_daily",
    default_inputs={"name": "flyte", "times": 1},
    fixed_inputs={"punct": "?"},
    schedule=CronSchedule(schedule="0 6 * * *"),
    labels=Labels({"team": "fcomp"}),
    annotations=Annotations({"fcomp.io/example": "launch-plans"}),
    max_parallelism=4,
)


@workflow
def counter_wf(start: int = 0, step: int = 1) -> int:
    return add(a=start, b=step)


counter_every_10m = LaunchPlan.get_or_create(
    counter_wf,
    name="counter_every_10m",
    default_inputs={"start": 100},
    fixed_inputs={"step": 5},
    schedule=FixedRate(duration=timedelta(minutes=10)),
)


@workflow
def kickoff_wf(kickoff: datetime, label: str = "manual") -> str:
    """`kickoff` has no default: the scheduler fills it (kickoff_time_input_arg)."""
    return describe_kickoff(kickoff=kickoff, label=label)


kickoff_hourly = LaunchPlan.get_or_create(
    kickoff_wf,
    name="kickoff_hourly",
    default_inputs={"label": "hourly"},
    schedule=CronSchedule(schedule="0 * * * *", kickoff_time_input_arg="kickoff"),
)
