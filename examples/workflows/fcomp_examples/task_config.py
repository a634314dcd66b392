"""Task settings that change how a task runs: resource requests/limits, retries,
timeout, interruptible, secrets, environment variables, container image override, a GPU
limit, and node-level overrides (with_overrides)."""

import os
from datetime import timedelta

import flytekit
from flytekit import Resources, Secret, task, workflow


@task(
    requests=Resources(cpu="100m", mem="64Mi"),
    limits=Resources(cpu="500m", mem="256Mi", ephemeral_storage="1Gi"),
    retries=3,
    timeout=timedelta(minutes=5),
    interruptible=True,
)
def resourceful(x: int) -> int:
    return x + 1


@task(secret_requests=[Secret(group="fcomp", key="token")])
def uses_secret(prefix: str) -> str:
    value = flytekit.current_context().secrets.get(group="fcomp", key="token")
    return f"{prefix}: secret has {len(value)} characters"


@task(environment={"GREETING": "hello", "FCOMP_MODE": "example"})
def uses_env(name: str) -> str:
    return f"{os.environ.get('GREETING', '<unset>')} {name}"


@task(container_image="ghcr.io/fcomp/other:2")
def other_image(x: int) -> int:
    return x * 3


@task(requests=Resources(cpu="1", mem="1Gi", gpu="1"), limits=Resources(gpu="1"))
def wants_gpu(x: int) -> int:
    return x - 1


@workflow
def task_config_wf(x: int = 1, name: str = "fcomp") -> tuple[int, int, str, int]:
    a = resourceful(x=x)
    b = other_image(x=a)
    greeting = uses_env(name=name)
    c = resourceful(x=b).with_overrides(
        requests=Resources(cpu="200m", mem="128Mi"),
        limits=Resources(cpu="1", mem="512Mi"),
        container_image="ghcr.io/fcomp/override:3",
        name="resourceful_overridden",
    )
    return a, b, greeting, c


@workflow
def secret_wf(prefix: str = "token") -> str:
    """Needs the secret fcomp/token: locally from env var _FSEC_FCOMP_TOKEN."""
    return uses_secret(prefix=prefix)


@workflow
def gpu_wf(x: int = 5) -> int:
    """Kept apart: a cluster needs a GPU node to schedule it (no effect locally)."""
    return wants_gpu(x=x)
