"""A Ray task (flytekitplugins-ray): a RayJob with a head node and one worker group."""

from flytekit import Resources, task, workflow
from flytekitplugins.ray import HeadNodeConfig, RayJobConfig, WorkerNodeConfig


@task(
    task_config=RayJobConfig(
        head_node_config=HeadNodeConfig(ray_start_params={"log-color": "true"}),
        worker_node_config=[
            WorkerNodeConfig(group_name="workers", replicas=2, min_replicas=1, max_replicas=3)
        ],
        runtime_env={"pip": ["numpy"]},
        shutdown_after_job_finishes=True,
        ttl_seconds_after_finished=120,
    ),
    requests=Resources(cpu="1", mem="1Gi"),
)
def ray_square_sum(n: int) -> int:
    return sum(i * i for i in range(n))


@workflow
def ray_wf(n: int = 10) -> int:
    return ray_square_sum(n=n)
