"""Scalar types: int, float, str, bool, datetime, timedelta, an Enum, Optional[int]
(left unbound at the workflow and at a task node) and Union[int, str]."""

from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Optional, Union

from flytekit import task, workflow


class Color(Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@task
def scalars(i: int, f: float, s: str, b: bool) -> tuple[int, float, str, bool]:
    return i * 2, f * 1.5, s.upper(), not b


@task
def shift(when: datetime, by: timedelta) -> tuple[datetime, timedelta, str]:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    later = when + by
    return later, by * 2, later.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@task
def next_color(c: Color) -> Color:
    order = [Color.RED, Color.GREEN, Color.BLUE]
    return order[(order.index(c) + 1) % len(order)]


@task
def describe_optional(a: int, b: Optional[int] = None) -> str:
    return f"a={a} b={'unset' if b is None else b}"


@task
def describe_union(u: Union[int, str]) -> Union[int, str]:
    if isinstance(u, int):
        return u + 1
    return u + "!"


@workflow
def scalars_wf(
    i: int = 7, f: float = 2.5, s: str = "flyte", b: bool = False
) -> tuple[int, float, str, bool]:
    return scalars(i=i, f=f, s=s, b=b)


@workflow
def time_wf(
    when: datetime = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    by: timedelta = timedelta(hours=1, minutes=30),
) -> tuple[datetime, timedelta, str]:
    return shift(when=when, by=by)


@workflow
def enum_wf(c: Color = Color.RED) -> Color:
    return next_color(c=c)


@workflow
def optional_wf(a: int = 1, b: Optional[int] = None) -> tuple[str, str]:
    """`b` may be left unbound by the caller; the second node leaves the task's optional
    input `b` unbound (flytekit binds its default)."""
    return describe_optional(a=a, b=b), describe_optional(a=a)


@workflow
def union_wf(u: Union[int, str] = 41) -> Union[int, str]:
    return describe_union(u=u)
