"""Ten flytekit tasks ``t0`` .. ``t9``, the ones :mod:`benchmarks.generate` packages: each takes
two integers and returns two (kept below 1,000,003, so long chains never overflow)."""

from __future__ import annotations

from flytekit import task

MODULUS = 1_000_003


def step(k: int, a: int, b: int) -> tuple[int, int]:
    """What task ``t{k}`` returns for ``a`` and ``b`` (the reference the tests compare with)."""
    return (a + b + k) % MODULUS, (3 * a + b + 2 * k + 1) % MODULUS


@task
def t0(a: int, b: int) -> tuple[int, int]:
    return step(0, a, b)


@task
def t1(a: int, b: int) -> tuple[int, int]:
    return step(1, a, b)


@task
def t2(a: int, b: int) -> tuple[int, int]:
    return step(2, a, b)


@task
def t3(a: int, b: int) -> tuple[int, int]:
    return step(3, a, b)


@task
def t4(a: int, b: int) -> tuple[int, int]:
    return step(4, a, b)


@task
def t5(a: int, b: int) -> tuple[int, int]:
    return step(5, a, b)


@task
def t6(a: int, b: int) -> tuple[int, int]:
    return step(6, a, b)


@task
def t7(a: int, b: int) -> tuple[int, int]:
    return step(7, a, b)


@task
def t8(a: int, b: int) -> tuple[int, int]:
    return step(8, a, b)


@task
def t9(a: int, b: int) -> tuple[int, int]:
    return step(9, a, b)
