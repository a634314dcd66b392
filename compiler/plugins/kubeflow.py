"""Kubeflow training tasks (``pytorch``, ``tensorflow``, ``mpi``): ``PyTorchJob``, ``TFJob`` and
``MPIJob`` (``kubeflow.org/v1``) built as Flyte's kfoperators plugins build them
(``flyteplugins/go/tasks/plugins/k8s/kfoperators``), from ``flyteidl.plugins`` messages
(task_type_version 0) or ``flyteidl.plugins.kubeflow`` messages (version 1).

Each replica type runs the task's pod with the primary container renamed to the operator's
default container name (``pytorch``, ``tensorflow``, ``mpi``). Inputs are bound by an init
container of the replica that runs the task's entry point: the master (PyTorch, or worker 0 for
elastic jobs: every worker binds the same inputs), the chief or workers (TF), the launcher
(MPI). Argo cannot test the jobs' ``status.conditions`` list, so success and failure read the
replica statuses the training operator keeps for the replica whose end decides the job's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.plugins import k8spods
from fcomp.compiler.plugins.custom import Custom
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, register
from fcomp.compiler.plugins.units import Condition, K8sResourceUnit

API_VERSION = "kubeflow.org/v1"
RESTART_POLICIES = ("RESTART_POLICY_NEVER", "RESTART_POLICY_ON_FAILURE", "RESTART_POLICY_ALWAYS")
_RESTART = {
    "RESTART_POLICY_NEVER": "Never",
    "RESTART_POLICY_ON_FAILURE": "OnFailure",
    "RESTART_POLICY_ALWAYS": "Always",
}
CLEAN_POD_POLICIES = ("CLEANPOD_POLICY_NONE", "CLEANPOD_POLICY_RUNNING", "CLEANPOD_POLICY_ALL")
_CLEAN = {
    "CLEANPOD_POLICY_NONE": "None",
    "CLEANPOD_POLICY_RUNNING": "Running",
    "CLEANPOD_POLICY_ALL": "All",
}


def _fail(ctx: TaskContext, message: str) -> LoweringError:
    return LoweringError.of(
        codes.INVALID_VALUE, f"{ctx.task.type} task '{ctx.task.id.name}': {message}", ctx
    )


def replica_spec(
    ctx: TaskContext, container_name: str, spec: Custom | None, replicas: int, v1: bool
) -> dict[str, Any]:
    """Flyte's ``ToReplicaSpec`` / ``ToReplicaSpecWithOverrides``: the task pod (with the
    replica's resources, image and command in version 1) as a ``ReplicaSpec``."""
    restart = "Never"
    image = ""
    command: list[str] = []
    run_ctx = ctx
    resources = None
    if v1 and spec is not None:
        common = spec.message("common") or spec
        image = common.text("image")
        restart = _RESTART[common.enum("restart_policy", RESTART_POLICIES)]
        resources = common.resources("resources")
        if resources is not None:
            run_ctx = _with_resources(ctx, resources)
        command = spec.string_list("command")
    unit = k8spods.task_pod(run_ctx)
    pod = k8spods.pod_copy(unit)
    container = k8spods.primary(pod, unit.primary, ctx)
    container["name"] = container_name
    if image:
        container["image"] = image
    if command:
        container["args"] = command
    return {
        "replicas": replicas,
        "template": k8spods.template(unit, pod),
        "restartPolicy": restart,
    }


def _with_resources(ctx: TaskContext, resources: ir.Resources) -> TaskContext:
    """``ctx`` with the replica's resources as the node's resource override (Flyte's
    ``WithResources``): they win entry by entry over the primary container's own, and the
    node's own resource override is not applied."""
    overrides = dataclasses.replace(ctx.overrides, resources=resources)
    kind = ctx.node.kind
    if isinstance(kind, ir.TaskNode):
        kind = dataclasses.replace(kind, overrides=overrides)
    else:
        kind = ir.TaskNode(ctx.task.id, overrides)
    return dataclasses.replace(ctx, node=dataclasses.replace(ctx.node, kind=kind))


def _replicas(spec: Custom | None) -> int:
    if spec is None:
        return 0
    common = spec.message("common")
    return (common or spec).integer("replicas")


def run_policy(custom: Custom) -> dict[str, Any]:
    """Flyte's ``ParseRunPolicy`` (version 1 only)."""
    policy = custom.message("run_policy")
    if policy is None:
        return {}
    out: dict[str, Any] = {}
    if policy.integer("backoff_limit"):
        out["backoffLimit"] = policy.integer("backoff_limit")
    out["cleanPodPolicy"] = _CLEAN[policy.enum("clean_pod_policy", CLEAN_POD_POLICIES)]
    if policy.integer("active_deadline_seconds"):
        out["activeDeadlineSeconds"] = policy.integer("active_deadline_seconds")
    if policy.integer("ttl_seconds_after_finished"):
        out["ttlSecondsAfterFinished"] = policy.integer("ttl_seconds_after_finished")
    return out


def _status(replica: str) -> tuple[tuple[Condition, ...], tuple[Condition, ...]]:
    base = f"status.replicaStatuses.{replica}"
    return (Condition(f"{base}.succeeded", ">", ("0",)),), (
        Condition(f"{base}.failed", ">", ("0",)),
    )


def _unit(
    ctx: TaskContext, kind: str, spec: dict[str, Any], bind: str, decides: str
) -> K8sResourceUnit:
    success, failure = _status(decides)
    base = k8spods.task_pod(ctx)
    return K8sResourceUnit(
        task=ctx.task,
        api_version=API_VERSION,
        kind=kind,
        manifest={"spec": spec},
        success=success,
        failure=failure,
        policy=base.policy,
        needs_task_template=base.needs_task_template,
        bind_at=f"spec.{bind}.template.spec.initContainers",
    )


def build_pytorch(ctx: TaskContext) -> K8sResourceUnit:
    """A PyTorchJob (elastic when ``elasticConfig`` is set: no master, an elastic policy)."""
    custom = Custom(ctx.task.custom, ctx)
    v1 = ctx.task.type_version == 1
    if v1:
        master = replica_spec(ctx, "pytorch", custom.message("master_replicas"), 1, True)
        worker_cfg = custom.message("worker_replicas")
        worker = replica_spec(ctx, "pytorch", worker_cfg, _replicas(worker_cfg), True)
    else:
        master = replica_spec(ctx, "pytorch", None, 1, False)
        worker = replica_spec(ctx, "pytorch", None, custom.integer("workers"), False)
    if worker["replicas"] <= 0:
        raise _fail(ctx, "number of workers must be greater than 0")
    specs = {"Master": master, "Worker": worker}
    spec: dict[str, Any] = {
        "pytorchReplicaSpecs": specs,
        "runPolicy": run_policy(custom) if v1 else {},
    }
    elastic = custom.message("elastic_config")
    if elastic is not None:
        spec["elasticPolicy"] = {
            "minReplicas": elastic.integer("min_replicas"),
            "maxReplicas": elastic.integer("max_replicas"),
            "rdzvBackend": elastic.text("rdzv_backend"),
            "nProcPerNode": elastic.integer("nproc_per_node"),
            "maxRestarts": elastic.integer("max_restarts"),
        }
        del specs["Master"]
        return _unit(ctx, "PyTorchJob", spec, "pytorchReplicaSpecs.Worker", "Worker")
    return _unit(ctx, "PyTorchJob", spec, "pytorchReplicaSpecs.Master", "Master")


_TF_TYPES = (
    ("Chief", "chief_replicas"),
    ("Worker", "workers"),
    ("PS", "ps_replicas"),
    ("Evaluator", "evaluator_replicas"),
)


def build_tensorflow(ctx: TaskContext) -> K8sResourceUnit:
    """A TFJob: replica types with at least one replica."""
    custom = Custom(ctx.task.custom, ctx)
    v1 = ctx.task.type_version == 1
    specs: dict[str, Any] = {}
    for kind, field in _TF_TYPES:
        if v1:
            cfg = custom.message("worker_replicas" if kind == "Worker" else field)
            count = _replicas(cfg)
            if count > 0:
                specs[kind] = replica_spec(ctx, "tensorflow", cfg, count, True)
        elif custom.integer(field) > 0:
            specs[kind] = replica_spec(ctx, "tensorflow", None, custom.integer(field), False)
    if specs.get("Worker", {}).get("replicas", 0) <= 0:
        raise _fail(ctx, "number of workers must be greater than 0")
    spec = {"tfReplicaSpecs": specs, "runPolicy": run_policy(custom) if v1 else {}}
    decides = "Chief" if "Chief" in specs else "Worker"
    return _unit(ctx, "TFJob", spec, f"tfReplicaSpecs.{decides}", decides)


def build_mpi(ctx: TaskContext) -> K8sResourceUnit:
    """An MPIJob: a launcher running the task, workers running the worker command."""
    custom = Custom(ctx.task.custom, ctx)
    v1 = ctx.task.type_version == 1
    # Flyte reads ``slots`` only from version 0 messages; version 1 jobs get 1 slot per worker.
    slots = 1
    if v1:
        launcher = replica_spec(ctx, "mpi", custom.message("launcher_replicas"), 1, True)
        worker_cfg = custom.message("worker_replicas")
        worker = replica_spec(ctx, "mpi", worker_cfg, _replicas(worker_cfg), True)
    else:
        launcher = replica_spec(
            ctx, "mpi", None, max(1, custom.integer("num_launcher_replicas")), False
        )
        worker = replica_spec(ctx, "mpi", None, custom.integer("num_workers"), False)
        slots = custom.integer("slots")
        command = ctx.task.config_value("worker_spec_command")
        for c in worker["template"]["spec"]["containers"]:
            if c.get("name") == "mpi":
                c["args"] = command.split(" ") if command else []
                c["command"] = []
    if worker["replicas"] <= 0:
        raise _fail(ctx, "number of workers must be greater than 0")
    spec = {
        "slotsPerWorker": slots,
        "runPolicy": run_policy(custom) if v1 else {},
        "mpiReplicaSpecs": {"Launcher": launcher, "Worker": worker},
    }
    return _unit(ctx, "MPIJob", spec, "mpiReplicaSpecs.Launcher", "Launcher")


BUILDERS: dict[str, Callable[[TaskContext], K8sResourceUnit]] = {
    "pytorch": build_pytorch,
    "tensorflow": build_tensorflow,
    "mpi": build_mpi,
}


@register(*BUILDERS)
def lower_kubeflow(ctx: TaskContext) -> K8sResourceUnit:
    """Kubeflow training tasks: the job of the task's type."""
    if ctx.task.type_version not in (0, 1):
        raise _fail(ctx, f"unsupported task_type_version {ctx.task.type_version} (0 or 1)")
    return BUILDERS[ctx.task.type](ctx)
