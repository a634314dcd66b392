"""flytekit tasks the end-to-end runtime test runs with ``pyflyte-execute``."""

from __future__ import annotations

import typing
from dataclasses import dataclass

from flytekit import task


@dataclass
class Point:
    """A dataclass passed between tasks as msgpack."""

    x: int
    y: float


@task
def summarize(
    xs: list[int],
    scale: float,
    p: Point,
    label: typing.Optional[str] = None,  # noqa: UP045
) -> tuple[int, float, str, Point]:
    """Several inputs and outputs of different kinds."""
    return sum(xs), scale * p.y, label or "none", Point(x=p.x + len(xs), y=p.y * 2)


@task
def double(n: int) -> int:
    """Reads an attribute of the upstream dataclass output."""
    return n * 2
