"""Branch nodes: if/elif/else on workflow inputs and on upstream outputs, `&` / `|`
conjunctions, every comparison operator, is_true/is_false on booleans, a branch
ending in `.fail(...)`, nested branches, and a branch case that runs a subworkflow."""

from flytekit import conditional, task, workflow


@task
def label(text: str) -> str:
    return text


@task
def square(x: int) -> int:
    return x * x


@task
def is_even(x: int) -> bool:
    return x % 2 == 0


@task
def plus(x: int, y: int) -> int:
    return x + y


@task
def halve(x: float) -> float:
    return x / 2


@task
def triple(x: float) -> float:
    return x * 3


@workflow
def branch_compare_wf(x: int = 5, y: float = 0.5, flag: bool = True) -> str:
    """Conditions on workflow inputs; uses <, <=, >, >=, ==, !=, &, |, is_true, is_false."""
    return (
        conditional("compare")
        .if_((x < 0) | (y >= 10.0))
        .then(label(text="negative-or-big"))
        .elif_((x == 0) & flag.is_true())
        .then(label(text="zero-flagged"))
        .elif_((x == 0) & flag.is_false())
        .then(label(text="zero-unflagged"))
        .elif_((x > 0) & (x <= 10) & (y != 0.5))
        .then(label(text="small-y-not-half"))
        .elif_((x > 0) & (x <= 10))
        .then(label(text="small"))
        .else_()
        .then(label(text="large"))
    )


@workflow
def branch_on_output_wf(x: int = 3) -> int:
    """Conditions on upstream task outputs (int and bool)."""
    sq = square(x=x)
    even = is_even(x=x)
    big = (
        conditional("on_square")
        .if_(sq > 50)
        .then(plus(x=sq, y=-50))
        .else_()
        .then(plus(x=sq, y=50))
    )
    return (
        conditional("on_parity")
        .if_(even.is_true())
        .then(plus(x=big, y=1000))
        .else_()
        .then(plus(x=big, y=2000))
    )


@workflow
def branch_fail_wf(x: int = 1) -> int:
    """The else case fails the workflow (branch `error`)."""
    return (
        conditional("must_be_positive")
        .if_(x > 0)
        .then(square(x=x))
        .else_()
        .fail("x must be positive")
    )


@workflow
def nested_branch_wf(v: float = 0.3) -> float:
    """A branch inside a branch case (child nodes renamed n0-n0-...)."""
    return (
        conditional("outer")
        .if_((v > 0.1) & (v < 1.0))
        .then(
            conditional("inner")
            .if_(v < 0.5)
            .then(halve(x=v))
            .elif_((v > 0.5) & (v < 0.7))
            .then(triple(x=v))
            .else_()
            .fail("only values below 0.7 allowed in (0.1, 1.0)")
        )
        .elif_((v >= 1.0) & (v <= 10.0))
        .then(triple(x=v))
        .else_()
        .then(halve(x=v))
    )


@workflow
def offset_wf(x: int, off: int) -> int:
    return plus(x=square(x=x), y=off)


@workflow
def branch_subworkflow_wf(x: int = 4) -> int:
    """A branch case that runs a subworkflow; the other case a task."""
    return (
        conditional("sub")
        .if_(x >= 3)
        .then(offset_wf(x=x, off=1))
        .else_()
        .then(plus(x=x, y=0))
    )
