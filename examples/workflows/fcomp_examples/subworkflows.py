"""Subworkflows: a workflow called as a node, and a subworkflow nested twice
(outer -> middle -> inner)."""

from flytekit import task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def times(a: int, k: int) -> int:
    return a * k


@workflow
def inner_wf(x: int, k: int = 3) -> int:
    y = add(a=x, b=1)
    return times(a=y, k=k)


@workflow
def middle_wf(x: int) -> tuple[int, int]:
    first = inner_wf(x=x)
    second = inner_wf(x=first, k=2)
    return first, second


@workflow
def subworkflow_wf(x: int = 4) -> int:
    """One level: a plain subworkflow node."""
    y = inner_wf(x=x)
    return add(a=y, b=100)


@workflow
def nested_subworkflow_wf(x: int = 2) -> tuple[int, int]:
    """Two levels: outer calls middle_wf, which calls inner_wf twice."""
    m, n = middle_wf(x=x)
    return add(a=m, b=n), m
