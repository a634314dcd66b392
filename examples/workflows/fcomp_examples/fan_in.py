"""Fan-out / fan-in: several independent tasks feeding one task, through scalar,
list-of-promises and map-of-promises bindings."""

from flytekit import task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def negate(x: int) -> int:
    return -x


@task
def add3(a: int, b: int, c: int) -> int:
    return a + b + c


@task
def summarize(values: list[int], named: dict[str, int], label: str) -> str:
    parts = ",".join(str(v) for v in values)
    keyed = ",".join(f"{k}={named[k]}" for k in sorted(named))
    return f"{label}: [{parts}] {{{keyed}}} sum={sum(values)}"


@workflow
def fan_in_wf(a: int = 1, b: int = 2, c: int = 3) -> tuple[int, str]:
    sa = square(x=a)
    sb = square(x=b)
    nc = negate(x=c)
    total = add3(a=sa, b=sb, c=nc)
    text = summarize(values=[sa, sb, nc, total], named={"a": sa, "b": sb, "c": nc}, label="fan-in")
    return total, text
