"""Gate node: sleep. Locally flytekit only prints that it simulates the sleep, so this
module runs under `pyflyte run` without interaction."""

from datetime import timedelta

from flytekit import sleep, task, workflow


@task
def add_one(x: int) -> int:
    return x + 1


@task
def double(x: int) -> int:
    return x * 2


@workflow
def sleep_wf(x: int = 1) -> int:
    a = add_one(x=x)
    nap = sleep(timedelta(seconds=1))
    b = double(x=x)
    a >> nap
    nap >> b
    return add_one(x=b)
