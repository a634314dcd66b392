"""Dask tasks (``dask``): a ``DaskJob`` (``kubernetes.dask.org/v1``) built as Flyte's Dask
plugin builds it (``flyteplugins/go/tasks/plugins/k8s/dask/dask.go``).

``custom`` is a ``flyteidl.plugins.DaskJob``. The job runner runs the task's pod (its primary
container renamed ``job-runner``); the scheduler (non-interruptible) and the workers start from
the task's pod with their own image, resources and commands. Inputs are bound by an init
container of the job runner pod.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from fcomp.compiler.plugins import k8spods
from fcomp.compiler.plugins.custom import Custom
from fcomp.compiler.plugins.registry import TaskContext, register
from fcomp.compiler.plugins.units import Condition, K8sResourceUnit, PodUnit
from fcomp.compiler.quantity import parse_quantity

API_VERSION = "kubernetes.dask.org/v1"
KIND = "DaskJob"
_STATUS = "status.jobStatus"
SUCCESS = (Condition(_STATUS, "==", ("Successful",)),)
FAILURE = (Condition(_STATUS, "==", ("Failed",)),)
_SCHEDULER_PORTS = [
    {"name": "tcp-comm", "containerPort": 8786, "protocol": "TCP"},
    {"name": "dashboard", "containerPort": 8787, "protocol": "TCP"},
]


def _role_pod(
    ctx: TaskContext, unit: PodUnit, name: str, group: Custom | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The task pod with its primary container renamed, image and resources from ``group``."""
    pod = k8spods.pod_copy(unit)
    container = k8spods.primary(pod, unit.primary, ctx)
    container["name"] = name
    if group is not None and group.text("image"):
        container["image"] = group.text("image")
    resources = group.resources("resources") if group is not None else None
    if resources:
        container["resources"] = k8spods.resources_json(resources, ctx)
    return pod, container


def _cpu_count(text: str) -> str:
    """``Quantity.Value()`` of a CPU quantity: whole cores, rounded up."""
    value = parse_quantity(text) if text else Decimal(0)
    return str(math.ceil(value or 0))


def _worker_args(container: dict[str, Any]) -> list[str]:
    args = ["dask-worker", "--name", "$(DASK_WORKER_NAME)"]
    limits = (container.get("resources") or {}).get("limits")
    if limits:
        args += [
            "--nthreads",
            _cpu_count(limits.get("cpu", "")),
            "--memory-limit",
            limits.get("memory", "0"),
        ]
    return args


def build_job(ctx: TaskContext) -> K8sResourceUnit:
    """The DaskJob of a Dask task."""
    job = Custom(ctx.task.custom, ctx)
    unit = k8spods.task_pod(ctx)
    steady = k8spods.task_pod(ctx, interruptible=False)
    workers = job.message("workers") or Custom({}, ctx, "custom.workers")
    scheduler = job.message("scheduler") or Custom({}, ctx, "custom.scheduler")

    worker_pod, worker = _role_pod(ctx, unit, "dask-worker", workers)
    worker["args"] = _worker_args(worker)
    worker_pod["restartPolicy"] = "Always"

    scheduler_pod, sched = _role_pod(ctx, steady, "scheduler", scheduler)
    sched["args"] = ["dask-scheduler"]
    sched["ports"] = [dict(p) for p in _SCHEDULER_PORTS]
    sched.setdefault(
        "readinessProbe",
        {
            "httpGet": {"port": "dashboard"},
            "initialDelaySeconds": 5,
            "periodSeconds": 5,
            "failureThreshold": 30,
        },
    )
    scheduler_pod["restartPolicy"] = "Always"

    runner_pod = k8spods.pod_copy(steady)
    k8spods.primary(runner_pod, steady.primary, ctx)["name"] = "job-runner"
    runner_pod["restartPolicy"] = "Never"

    meta = k8spods.metadata(unit)
    spec: dict[str, Any] = {
        "job": {"spec": runner_pod},
        "cluster": {
            **({"metadata": meta} if meta else {}),
            "spec": {
                "worker": {"replicas": workers.integer("number_of_workers"), "spec": worker_pod},
                "scheduler": {
                    "spec": scheduler_pod,
                    "service": {
                        "type": "NodePort",
                        # Flyte selects the scheduler by its own execution name; the Dask
                        # operator labels the scheduler pod with the DaskCluster's name, which is
                        # the DaskJob's name.
                        "selector": {"dask.org/component": "scheduler"},
                        "ports": [
                            {
                                "name": "tcp-comm",
                                "protocol": "TCP",
                                "port": 8786,
                                "targetPort": "tcp-comm",
                            },
                            {
                                "name": "dashboard",
                                "protocol": "TCP",
                                "port": 8787,
                                "targetPort": "dashboard",
                            },
                        ],
                    },
                },
            },
        },
    }
    return K8sResourceUnit(
        task=ctx.task,
        api_version=API_VERSION,
        kind=KIND,
        manifest={**({"metadata": meta} if meta else {}), "spec": spec},
        success=SUCCESS,
        failure=FAILURE,
        policy=unit.policy,
        needs_task_template=unit.needs_task_template,
        bind_at="spec.job.spec.initContainers",
    )


@register("dask")
def lower_dask(ctx: TaskContext) -> K8sResourceUnit:
    """Dask tasks: a DaskJob."""
    return build_job(ctx)
