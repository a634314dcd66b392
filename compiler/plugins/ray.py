"""Ray tasks (``ray``): a ``RayJob`` (``ray.io/v1``) built as Flyte's Ray plugin builds it
(``flyteplugins/go/tasks/plugins/k8s/ray/ray.go``) with the plugin's default configuration.

``custom`` is a ``flyteidl.plugins.RayJob``. The head, worker and submitter pods start from the
task's pod; the job's entrypoint is the task's rendered arguments joined by spaces. Inputs are
bound by an init container of the head pod, which starts before KubeRay submits the job.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import Any

from fcomp.compiler import codes
from fcomp.compiler.plugins import k8spods
from fcomp.compiler.plugins.custom import Custom
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, register
from fcomp.compiler.plugins.units import Condition, K8sResourceUnit, PodUnit, Text

API_VERSION = "ray.io/v1"
KIND = "RayJob"
#: Flyte's Ray plugin defaults (``ray/config.go``).
SERVICE_TYPE = "NodePort"
INCLUDE_DASHBOARD = True
DASHBOARD_HOST = "0.0.0.0"
NODE_IP_ADDRESS = "$MY_POD_IP"
SHUTDOWN_AFTER_JOB_FINISHES = True
TTL_SECONDS_AFTER_FINISHED = 3600
_PORTS = [
    {"name": "redis", "containerPort": 6379},
    {"name": "head", "containerPort": 10001},
    {"name": "dashboard", "containerPort": 8265},
]
_STATUS = "status.jobDeploymentStatus"
SUCCESS = (Condition(_STATUS, "==", ("Complete",)),)
FAILURE = (Condition(_STATUS, "==", ("Failed",)),)
UPSCALING = (
    "UPSCALING_MODE_UNSPECIFIED",
    "UPSCALING_MODE_DEFAULT",
    "UPSCALING_MODE_CONSERVATIVE",
    "UPSCALING_MODE_AGGRESSIVE",
)


def _field_env(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}


def _resource_env(name: str, resource: str) -> dict[str, Any]:
    ref = {"containerName": "ray-worker", "resource": resource}
    return {"name": name, "valueFrom": {"resourceFieldRef": ref}}


#: Environment Flyte gives the worker container (it reads ``requests.cpu`` for memory too).
WORKER_ENV = [
    {"name": "RAY_DISABLE_DOCKER_CPU_WARNING", "value": "1"},
    {"name": "TYPE", "value": "worker"},
    _resource_env("CPU_REQUEST", "requests.cpu"),
    _resource_env("CPU_LIMITS", "limits.cpu"),
    _resource_env("MEMORY_REQUESTS", "requests.cpu"),
    _resource_env("MEMORY_LIMITS", "limits.cpu"),
    _field_env("MY_POD_NAME", "metadata.name"),
    _field_env("MY_POD_IP", "status.podIP"),
]


def _node_pod(
    ctx: TaskContext, unit: PodUnit, name: str, env: list[dict[str, Any]], custom: Custom | None
) -> dict[str, Any]:
    """A head or worker pod template: the task pod, primary container renamed, args dropped."""
    pod = k8spods.pod_copy(unit)
    container = k8spods.primary(pod, unit.primary, ctx)
    container["name"] = name
    container["args"] = []
    container["env"] = [*(container.get("env") or []), *copy.deepcopy(env)]
    container["ports"] = [*(container.get("ports") or []), *copy.deepcopy(_PORTS)]
    if name == "ray-worker":
        container["lifecycle"] = {"preStop": {"exec": {"command": ["/bin/sh", "-c", "ray stop"]}}}
    k8s_pod = custom.message("k8s_pod") if custom is not None else None
    pod = k8spods.overlay(pod, k8s_pod)
    return k8spods.template(unit, pod, k8s_pod)


def _start_params(given: dict[str, str] | None, head: bool) -> dict[str, str]:
    params = dict(given) if given else {"disable-usage-stats": "true"}
    if head:
        params.setdefault("include-dashboard", "true" if INCLUDE_DASHBOARD else "false")
    params.setdefault("node-ip-address", NODE_IP_ADDRESS)
    if head:
        params.setdefault("dashboard-host", DASHBOARD_HOST)
    params.setdefault("disable-usage-stats", "true")
    return dict(sorted(params.items()))


def _autoscaler(options: Custom | None, ctx: TaskContext) -> dict[str, Any] | None:
    if options is None:
        return None
    out: dict[str, Any] = {}
    if options.integer("idle_timeout_seconds") > 0:
        out["idleTimeoutSeconds"] = options.integer("idle_timeout_seconds")
    mode = options.enum("upscaling_mode", UPSCALING)
    if mode != UPSCALING[0]:
        out["upscalingMode"] = str(mode).removeprefix("UPSCALING_MODE_").capitalize()
    if options.text("image"):
        out["image"] = options.text("image")
    resources = options.resources("resources")
    if resources:
        out["resources"] = k8spods.resources_json(resources, ctx)
    env = [{"name": e.text("key"), "value": e.text("value")} for e in options.messages("env")]
    if env:
        out["env"] = env
    return out


def _runtime_env_yaml(job: Custom, ctx: TaskContext) -> str:
    text = job.text("runtime_env_yaml")
    legacy = job.text("runtime_env")
    if legacy and not text:
        try:
            obj = json.loads(base64.b64decode(legacy, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise LoweringError.of(
                codes.INVALID_VALUE,
                f"ray task '{ctx.task.id.name}': runtimeEnv is not base64 JSON ({exc})",
                ctx,
                field="custom.runtimeEnv",
            ) from None
        import yaml  # only a Ray task with a runtime environment needs it

        text = yaml.safe_dump(obj, sort_keys=True, default_flow_style=False)
    return text


def _entrypoint(container: dict[str, Any]) -> Text:
    """The container args joined with spaces (empty args as ``''``, as Flyte does)."""
    parts: list[Any] = []
    for i, arg in enumerate(container.get("args") or []):
        if i:
            parts.append(" ")
        if isinstance(arg, Text):
            parts.extend(arg.parts if arg.parts else ["''"])
        else:
            parts.append(arg or "''")
    return Text.of(*parts)


def build_job(ctx: TaskContext) -> K8sResourceUnit:
    """The RayJob of a Ray task."""
    job = Custom(ctx.task.custom, ctx)
    unit = k8spods.task_pod(ctx)
    cluster = job.message("ray_cluster") or Custom({}, ctx, "custom.rayCluster")
    head = cluster.message("head_group_spec")
    head_params = head.strings("ray_start_params") if head is not None else None
    rcs: dict[str, Any] = {
        "headGroupSpec": {
            "template": _node_pod(
                ctx, unit, "ray-head", [_field_env("MY_POD_IP", "status.podIP")], head
            ),
            "serviceType": SERVICE_TYPE,
            "enableIngress": False,
            "rayStartParams": _start_params(head_params, head=True),
        },
        "workerGroupSpecs": [],
        "enableInTreeAutoscaling": cluster.flag("enable_autoscaling"),
    }
    autoscaler = _autoscaler(cluster.message("autoscaler_options"), ctx)
    if autoscaler is not None:
        rcs["autoscalerOptions"] = autoscaler
    for group in cluster.messages("worker_group_spec"):
        replicas = group.integer("replicas")
        rcs["workerGroupSpecs"].append(
            {
                "groupName": group.text("group_name"),
                "minReplicas": min(group.integer("min_replicas"), replicas),
                "maxReplicas": max(group.integer("max_replicas"), replicas),
                "replicas": replicas,
                "rayStartParams": _start_params(
                    group.strings("ray_start_params") or None, head=False
                ),
                "template": _node_pod(ctx, unit, "ray-worker", WORKER_ENV, group),
            }
        )
    # The task's service account is already on the pod (and so on every copy of it).
    pod = k8spods.pod_copy(unit)
    shutdown, ttl = SHUTDOWN_AFTER_JOB_FINISHES, TTL_SECONDS_AFTER_FINISHED
    if job.flag("shutdown_after_job_finishes"):
        shutdown, ttl = True, job.integer("ttl_seconds_after_finished")
    container = k8spods.primary(pod, unit.primary, ctx)
    spec: dict[str, Any] = {
        "rayClusterSpec": rcs,
        "entrypoint": _entrypoint(container),
        "shutdownAfterJobFinishes": shutdown,
        "ttlSecondsAfterFinished": ttl,
        "submitterPodTemplate": k8spods.template(unit, pod),
    }
    runtime_env = _runtime_env_yaml(job, ctx)
    if runtime_env:
        spec["runtimeEnvYAML"] = runtime_env
    return K8sResourceUnit(
        task=ctx.task,
        api_version=API_VERSION,
        kind=KIND,
        manifest={"spec": spec},
        success=SUCCESS,
        failure=FAILURE,
        policy=unit.policy,
        needs_task_template=unit.needs_task_template,
        bind_at="spec.rayClusterSpec.headGroupSpec.template.spec.initContainers",
    )


@register("ray")
def lower_ray(ctx: TaskContext) -> K8sResourceUnit:
    """Ray tasks: a RayJob."""
    return build_job(ctx)
