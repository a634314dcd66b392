"""Small tasks for examples whose own module needs a plugin to import."""

from flytekit import task


@task
def increment(x: int) -> int:
    return x + 1
