"""Failure handling: a failure node (on_failure=...) that runs when a task fails, and
the FAIL_AFTER_EXECUTABLE_NODES_COMPLETE policy. Both take `marker_dir`, a directory
where tasks leave marker files so a test can see which nodes ran."""

import os
from typing import Optional

from flytekit import WorkflowFailurePolicy, task, workflow
from flytekit.types.error import FlyteError


def _mark(marker_dir: str, name: str, text: str) -> None:
    os.makedirs(marker_dir, exist_ok=True)
    with open(os.path.join(marker_dir, name), "a") as f:
        f.write(text + "\n")


@task
def maybe_fail(x: int, marker_dir: str) -> int:
    if x < 0:
        raise ValueError(f"boom: x={x} is negative")
    _mark(marker_dir, "maybe_fail", f"ok {x}")
    return x * 2


@task
def independent(marker_dir: str) -> str:
    _mark(marker_dir, "independent", "ran")
    return "independent"


@task
def cleanup(x: int, marker_dir: str, err: Optional[FlyteError] = None) -> None:
    # Only whether the error reached the handler and names the user's exception: the
    # message's wording and the failed node id differ between local runs and Flyte.
    got_error = err is not None
    names_cause = got_error and "boom: x=" in (err.message or "")
    _mark(marker_dir, "cleanup", f"cleanup x={x} err={got_error} names_cause={names_cause}")


@workflow(on_failure=cleanup)
def on_failure_wf(x: int = 1, marker_dir: str = "/tmp/fcomp-markers") -> int:
    return maybe_fail(x=x, marker_dir=marker_dir)


@workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
def fail_after_complete_wf(x: int = 1, marker_dir: str = "/tmp/fcomp-markers") -> tuple[int, str]:
    """With x < 0 `maybe_fail` fails; `independent` does not depend on it and must still
    run under this policy on Flyte."""
    a = maybe_fail(x=x, marker_dir=marker_dir)
    b = independent(marker_dir=marker_dir)
    return a, b
