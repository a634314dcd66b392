"""Dynamic workflows: a @dynamic task that runs N child tasks and returns a list, a
dynamic that calls another dynamic (nested), and one that calls a subworkflow."""

from flytekit import dynamic, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@task
def add(a: int, b: int) -> int:
    return a + b


@dynamic
def squares(n: int) -> list[int]:
    return [square(x=i) for i in range(n)]


@dynamic
def square_table(m: int) -> list[list[int]]:
    """Dynamic calling dynamic: one `squares` per row."""
    return [squares(n=i) for i in range(1, m + 1)]


@workflow
def pair_wf(a: int, b: int) -> int:
    return add(a=square(x=a), b=b)


@dynamic
def pairs(n: int) -> list[int]:
    """Dynamic calling a subworkflow; Python control flow on the input value."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(pair_wf(a=i, b=1))
        else:
            out.append(add(a=i, b=i))
    return out


@workflow
def dynamic_wf(n: int = 4) -> tuple[list[int], int]:
    xs = squares(n=n)
    return xs, total(xs=xs)


@workflow
def nested_dynamic_wf(m: int = 3) -> list[list[int]]:
    return square_table(m=m)


@workflow
def dynamic_subworkflow_wf(n: int = 5) -> list[int]:
    return pairs(n=n)
