"""Retries: Flyte retries a task only after a recoverable error. `flaky` (retries=2) fails
its first attempt with a plain exception (`kind="plain"`, not retried: the workflow fails) or
a FlyteRecoverableException (`kind="recoverable"`, retried), and returns how many attempts
ran, counted in a marker file under `marker_dir`."""

import os

from flytekit import task, workflow
from flytekit.exceptions.user import FlyteRecoverableException


@task(retries=2)
def flaky(kind: str, marker_dir: str) -> int:
    os.makedirs(marker_dir, exist_ok=True)
    path = os.path.join(marker_dir, "flaky")
    with open(path, "a") as f:
        f.write("attempt\n")
    with open(path) as f:
        attempts = len(f.read().splitlines())
    if attempts == 1 and kind == "recoverable":
        raise FlyteRecoverableException("flaky: transient failure, worth a retry")
    if attempts == 1 and kind == "plain":
        raise ValueError("flaky: plain failure, not retried")
    return attempts


@workflow
def retry_wf(kind: str = "none", marker_dir: str = "/tmp/fcomp-markers") -> int:
    return flaky(kind=kind, marker_dir=marker_dir)
