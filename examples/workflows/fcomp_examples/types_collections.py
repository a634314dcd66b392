"""Collection types: List[int], Dict[str, float], a nested list of dicts, a list of
lists, and collection/map bindings built from constants and promises."""

from flytekit import task, workflow


@task
def stats(xs: list[int]) -> tuple[int, float, list[int]]:
    mean = sum(xs) / len(xs) if xs else 0.0
    return sum(xs), mean, sorted(xs, reverse=True)


@task
def scale_prices(prices: dict[str, float], factor: float) -> dict[str, float]:
    return {k: round(v * factor, 6) for k, v in prices.items()}


@task
def group_rows(rows: list[dict[str, list[int]]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        for k, v in row.items():
            out[k] = out.get(k, 0) + sum(v)
    return out


@task
def matrix(n: int) -> list[list[int]]:
    return [[i * j for j in range(n)] for i in range(n)]


@task
def flatten(m: list[list[int]]) -> list[int]:
    return [v for row in m for v in row]


@workflow
def list_wf(xs: list[int] = [3, 1, 2]) -> tuple[int, float, list[int]]:  # noqa: B006
    return stats(xs=xs)


@workflow
def dict_wf(
    prices: dict[str, float] = {"apple": 1.25, "pear": 2.0},  # noqa: B006
    factor: float = 2.0,
) -> dict[str, float]:
    return scale_prices(prices=prices, factor=factor)


@workflow
def nested_wf(
    rows: list[dict[str, list[int]]] = [{"a": [1, 2], "b": [3]}, {"a": [10]}],  # noqa: B006
) -> dict[str, int]:
    return group_rows(rows=rows)


@workflow
def matrix_wf(n: int = 3) -> tuple[list[list[int]], list[int]]:
    m = matrix(n=n)
    return m, flatten(m=m)


@workflow
def bindings_wf(a: int = 2, b: int = 5) -> tuple[int, float, list[int], dict[str, float]]:
    """A list binding mixing constants and promises, a map binding of a promise and a
    constant."""
    s, mean, _ = stats(xs=[a, b])
    total, mean2, ordered = stats(xs=[a, 100, s, b])
    scaled = scale_prices(prices={"mean": mean, "fixed": 1.5}, factor=mean2)
    return total, mean2, ordered, scaled
