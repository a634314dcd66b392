"""Retries: Flyte retries a task only after a recoverable error. `flaky` (retries=2) fails
its first attempt with a plain exception (`kind="plain"`, not retried: the workflow fails) or
a FlyteRecoverableException (`kind="recoverable"`, retried), and returns how many attempts
ran, counted in a marker file under `marker_dir`. `retry_map_wf` maps `flaky_item` (retries=1)
over a list: an element 0 fails its first attempt recoverably, a negative one with a plain
exception."""

import functools
import os

from flytekit import map_task, task, workflow
from flytekit.exceptions.user import FlyteRecoverableException


def _count_attempt(marker_dir: str, name: str) -> int:
    os.makedirs(marker_dir, exist_ok=True)
    path = os.path.join(marker_dir, name)
    with open(path, "a") as f:
        f.write("attempt\n")
    with open(path) as f:
        return len(f.read().splitlines())


@task(retries=2)
def flaky(kind: str, marker_dir: str) -> int:
    attempts = _count_attempt(marker_dir, "flaky")
    if attempts == 1 and kind == "recoverable":
        raise FlyteRecoverableException("flaky: transient failure, worth a retry")
    if attempts == 1 and kind == "plain":
        raise ValueError("flaky: plain failure, not retried")
    return attempts


@workflow
def retry_wf(kind: str = "none", marker_dir: str = "/tmp/fcomp-markers") -> int:
    return flaky(kind=kind, marker_dir=marker_dir)


@task(retries=1)
def flaky_item(x: int, marker_dir: str) -> int:
    attempts = _count_attempt(marker_dir, f"item{x}")
    if attempts == 1 and x == 0:
        raise FlyteRecoverableException("flaky_item: transient failure of element 0")
    if x < 0:
        raise ValueError(f"flaky_item: {x} is negative")
    return x * 10 + attempts


@workflow
def retry_map_wf(
    xs: list[int] = [0, 1], marker_dir: str = "/tmp/fcomp-markers"  # noqa: B006
) -> list[int]:
    return map_task(functools.partial(flaky_item, marker_dir=marker_dir))(x=xs)
