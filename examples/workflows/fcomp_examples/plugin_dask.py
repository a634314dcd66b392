"""A Dask task (flytekitplugins-dask): a DaskJob with a scheduler and a worker group."""

from flytekit import Resources, task, workflow
from flytekitplugins.dask import Dask, Scheduler, WorkerGroup


@task(
    task_config=Dask(
        scheduler=Scheduler(limits=Resources(cpu="1", mem="2Gi")),
        workers=WorkerGroup(number_of_workers=3, limits=Resources(cpu="2", mem="4Gi")),
    ),
)
def dask_total(n: int) -> int:
    return sum(range(n))


@workflow
def dask_wf(n: int = 10) -> int:
    return dask_total(n=n)
