"""Linear chains: data dependencies t1 -> t2 -> t3, and explicit `>>` ordering."""

from flytekit import task, workflow


@task
def add_one(x: int) -> int:
    return x + 1


@task
def double(x: int) -> int:
    return x * 2


@task
def describe(x: int) -> str:
    return f"value={x}"


@task
def stamp(label: str) -> str:
    return f"[{label}]"


@task
def noop() -> None:
    print("noop ran")


@workflow
def chain_wf(x: int = 3) -> str:
    """t1 -> t2 -> t3 through data dependencies only."""
    a = add_one(x=x)
    b = double(x=a)
    return describe(x=b)


@workflow
def explicit_order_wf(x: int = 1) -> tuple[int, str, str]:
    """Nodes without data dependencies ordered with `>>` (upstream_node_ids only)."""
    s1 = stamp(label="first")
    n = noop()
    s2 = stamp(label="second")
    a = add_one(x=x)
    # first -> noop -> second -> add_one, although none of them reads another's output
    s1 >> n
    n >> s2
    s2 >> a
    return a, s1, s2
