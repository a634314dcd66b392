"""Map tasks (ArrayNode): a plain map over a list, min_success_ratio with failing
elements, bound non-list inputs through functools.partial (constant and promise),
concurrency, and a large map whose length is a workflow input."""

import functools
from typing import Optional

from flytekit import map_task, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def reject_multiples_of_three(x: int) -> int:
    if x % 3 == 0:
        raise ValueError(f"refusing multiple of three: {x}")
    return x * 10


@task
def scale(x: int, factor: int, offset: int) -> int:
    return x * factor + offset


@task
def make_list(n: int) -> list[int]:
    return list(range(n))


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@task
def count_present(xs: list[Optional[int]]) -> tuple[int, int]:
    present = [x for x in xs if x is not None]
    return len(present), sum(present)


@workflow
def map_wf(xs: list[int] = [1, 2, 3, 4]) -> list[int]:  # noqa: B006
    return map_task(square)(x=xs)


@workflow
def map_min_success_wf(
    xs: list[int] = [1, 2, 3, 4, 5, 6],  # noqa: B006
) -> tuple[list[Optional[int]], int, int]:
    """Elements that are multiples of 3 fail; min_success_ratio=0.5 lets the node succeed
    with None in their place as long as at least half succeed."""
    ys = map_task(reject_multiples_of_three, min_success_ratio=0.5)(x=xs)
    n, s = count_present(xs=ys)
    return ys, n, s


@workflow
def map_partial_wf(xs: list[int] = [1, 2, 3], factor: int = 10) -> list[int]:  # noqa: B006
    """`factor` bound from a workflow input, `offset` bound to a constant."""
    return map_task(functools.partial(scale, factor=factor, offset=7), concurrency=2)(x=xs)


@workflow
def large_map_wf(n: int = 10) -> int:
    """Run with n=1000 for a large array node."""
    xs = make_list(n=n)
    ys = map_task(square)(x=xs)
    return total(xs=ys)
