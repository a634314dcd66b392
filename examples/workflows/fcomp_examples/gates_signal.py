"""Gate node: wait_for_input (a signal). Locally flytekit prompts for the value on
the terminal: the oracle answers on standard input."""

from datetime import timedelta

from flytekit import task, wait_for_input, workflow


@task
def prepare(x: int) -> int:
    return x + 1


@task
def combine(x: int, title: str) -> str:
    return f"{title}: {x}"


@workflow
def signal_wf(x: int = 1) -> str:
    prepared = prepare(x=x)
    title = wait_for_input("title", timeout=timedelta(hours=1), expected_type=str)
    prepared >> title
    return combine(x=prepared, title=title)
