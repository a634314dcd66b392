"""Gate node: approve. Locally flytekit asks for confirmation on the terminal
(click.confirm, default yes): the oracle answers on standard input."""

from datetime import timedelta

from flytekit import approve, task, workflow


@task
def compute(x: int) -> int:
    return x * 11


@task
def publish(x: int) -> str:
    return f"published {x}"


@workflow
def approve_wf(x: int = 3) -> str:
    value = compute(x=x)
    approved = approve(value, "approve-value", timeout=timedelta(hours=1))
    return publish(x=approved)
