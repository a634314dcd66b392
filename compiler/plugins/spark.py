"""Spark tasks (``spark``): a ``SparkApplication`` (``sparkoperator.k8s.io/v1beta2``) built as
Flyte's Spark plugin builds it (``flyteplugins/go/tasks/plugins/k8s/spark/spark.go``).

``custom`` is a ``flyteidl.plugins.SparkJob``. The driver and executor pods start from the task's
pod (the driver always non-interruptible), overlaid with ``driverPod`` / ``executorPod``; the
application runs the task's rendered ``pyflyte-execute`` arguments. Inputs are bound by an init
container of the driver. Two keys Flyte adds are left out on purpose, because they are not
deterministic and nothing reads them: ``spark.kubernetes.executor.podNamePrefix`` (Flyte's
execution name; the operator then names executors after the application) and
``spark.kubernetes.driverEnv.FLYTE_START_TIME`` (the build time). Flyte also sets
``spec.serviceAccount``, which the v1beta2 CRD does not declare (the API server prunes it); the
operator reads the driver's ``serviceAccount``, which is set.
"""

from __future__ import annotations

import re
from typing import Any

from fcomp.compiler import codes
from fcomp.compiler.plugins import k8spods
from fcomp.compiler.plugins.custom import Custom
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, register
from fcomp.compiler.plugins.units import Condition, K8sResourceUnit, PodUnit

API_VERSION = "sparkoperator.k8s.io/v1beta2"
KIND = "SparkApplication"
#: Service account when the task names none (Flyte uses the task type).
DEFAULT_SERVICE_ACCOUNT = "spark"
#: Flyte retries failed submissions (e.g. quota) this many times.
SUBMISSION_FAILURE_RETRIES = 14
APPLICATION_TYPES = ("PYTHON", "JAVA", "SCALA", "R")
_CRD_TYPES = {"PYTHON": "Python", "JAVA": "Java", "SCALA": "Scala", "R": "R"}
#: ``spark.flyte.<feature>.enabled`` switches platform features; fcomp configures none, so
#: such keys pass through as given (Flyte does the same for an unknown feature).
FEATURE = re.compile(r"^spark.((flyteorg)|(flyte)).(.+).enabled$")
_STATE = "status.applicationState.state"
SUCCESS = (Condition(_STATE, "==", ("COMPLETED",)),)
FAILURE = (Condition(_STATE, "in", ("FAILED", "SUBMISSION_FAILED", "UNKNOWN")),)


def spark_conf(job: Custom) -> dict[str, str]:
    """``spec.sparkConf``: executor path, the job's conf, default core limits."""
    conf: dict[str, str] = {}
    executor_path = job.text("executor_path")
    if executor_path:
        conf["spark.pyspark.python"] = executor_path
        conf["spark.pyspark.driver.python"] = executor_path
    conf.update(job.strings("spark_conf"))
    for role in ("driver", "executor"):
        limit = f"spark.kubernetes.{role}.limit.cores"
        if not conf.get(limit):
            request = conf.get(f"spark.kubernetes.{role}.request.cores", "")
            cores = conf.get(f"spark.{role}.cores", "")
            if request:
                conf[limit] = request
            elif cores:
                conf[limit] = cores
    return dict(sorted(conf.items()))


def _int32(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 32)``, with Flyte's ``intPtr`` dropping zero."""
    if not re.fullmatch(r"[+-]?[0-9]+", text or ""):
        return None
    value = int(text)
    if not -(2**31) <= value < 2**31 or value == 0:
        return None
    return value


def _pod_spec(
    ctx: TaskContext, unit: PodUnit, overlay: Custom | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The role's pod (task pod + overlay) and its primary container."""
    pod = k8spods.overlay(k8spods.pod_copy(unit), overlay)
    name = unit.primary
    if overlay is not None and overlay.text("primary_container_name"):
        name = overlay.text("primary_container_name")
    return pod, k8spods.primary(pod, name, ctx)


def _spark_pod(
    ctx: TaskContext, unit: PodUnit, pod: dict[str, Any], container: dict[str, Any]
) -> dict[str, Any]:
    """Flyte's ``createSparkPodSpec``: what of the pod a driver or executor carries."""
    out: dict[str, Any] = {}
    if pod.get("affinity"):
        out["affinity"] = pod["affinity"]
    meta = k8spods.metadata(unit)
    if meta.get("annotations"):
        out["annotations"] = meta["annotations"]
    if meta.get("labels"):
        out["labels"] = meta["labels"]
    out["env"] = [
        *(container.get("env") or []),
        {"name": "FLYTE_MAX_ATTEMPTS", "value": str(unit.policy.retries + 1)},
    ]
    out["image"] = container.get("image", "")
    if pod.get("securityContext"):
        out["securityContext"] = pod["securityContext"]
    if pod.get("dnsConfig"):
        out["dnsConfig"] = pod["dnsConfig"]
    if pod.get("tolerations"):
        out["tolerations"] = pod["tolerations"]
    out["schedulerName"] = pod.get("schedulerName", "")
    if pod.get("nodeSelector"):
        out["nodeSelector"] = pod["nodeSelector"]
    out["hostNetwork"] = bool(pod.get("hostNetwork", False))
    # Secrets mounted as files (Flyte's webhook mounts them into the driver and executors);
    # no other mount is carried, as its volume is not.
    secrets = {v.get("name") for v in pod.get("volumes") or [] if _is_secret_volume(v)}
    mounts = [m for m in container.get("volumeMounts") or [] if m.get("name") in secrets]
    if mounts:
        out["volumeMounts"] = mounts
    return out


def _service_account(ctx: TaskContext) -> str:
    """The task's service account, else the launch plan's, else ``spark``."""
    sa = ctx.task.security_context.service_account
    if not sa and ctx.launch_plan is not None:
        sa = ctx.launch_plan.service_account
    return sa or DEFAULT_SERVICE_ACCOUNT


def build_application(ctx: TaskContext) -> K8sResourceUnit:
    """The SparkApplication of a Spark task."""
    job = Custom(ctx.task.custom, ctx)
    if not job.text("main_application_file") and not job.text("main_class"):
        raise LoweringError.of(
            codes.VALUE_REQUIRED,
            f"spark task '{ctx.task.id.name}': either mainApplicationFile or mainClass must be set",
            ctx,
            field="custom.mainApplicationFile",
        )
    conf = spark_conf(job)
    driver_unit = k8spods.task_pod(ctx, interruptible=False)
    executor_unit = k8spods.task_pod(ctx)
    driver_pod, driver_container = _pod_spec(ctx, driver_unit, job.message("driver_pod"))
    executor_pod, executor_container = _pod_spec(ctx, executor_unit, job.message("executor_pod"))
    driver = _spark_pod(ctx, driver_unit, driver_pod, driver_container)
    driver["serviceAccount"] = _service_account(ctx)
    if (cores := _int32(conf.get("spark.driver.cores", ""))) is not None:
        driver["cores"] = cores
    if conf.get("spark.driver.memory"):
        driver["memory"] = conf["spark.driver.memory"]
    executor = _spark_pod(ctx, executor_unit, executor_pod, executor_container)
    if (cores := _int32(conf.get("spark.executor.cores", ""))) is not None:
        executor["cores"] = cores
    if (instances := _int32(conf.get("spark.executor.instances", ""))) is not None:
        executor["instances"] = instances
    if conf.get("spark.executor.memory"):
        executor["memory"] = conf["spark.executor.memory"]

    spec: dict[str, Any] = {
        "type": _CRD_TYPES[job.enum("application_type", APPLICATION_TYPES)],
        "mode": "cluster",
        "sparkVersion": "",
        "image": executor_container.get("image", ""),
        "arguments": list(executor_container.get("args") or []),
        "driver": driver,
        "executor": executor,
        "sparkConf": conf,
        "restartPolicy": {
            "type": "OnFailure",
            "onSubmissionFailureRetries": SUBMISSION_FAILURE_RETRIES,
        },
    }
    hadoop = job.strings("hadoop_conf")
    if hadoop:
        spec["hadoopConf"] = dict(sorted(hadoop.items()))
    if "spark.batchScheduler" in conf:
        spec["batchScheduler"] = conf["spark.batchScheduler"]
    if job.text("main_application_file"):
        spec["mainApplicationFile"] = job.text("main_application_file")
    if job.text("main_class"):
        spec["mainClass"] = job.text("main_class")
    volumes = [v for v in driver_pod.get("volumes") or [] if _is_secret_volume(v)]
    if volumes:
        spec["volumes"] = volumes
    return K8sResourceUnit(
        task=ctx.task,
        api_version=API_VERSION,
        kind=KIND,
        manifest={"spec": spec},
        success=SUCCESS,
        failure=FAILURE,
        policy=executor_unit.policy,
        needs_task_template=driver_unit.needs_task_template,
        bind_at="spec.driver.initContainers",
        hints={"airflow_operator": "SparkKubernetesOperator"},
    )


def _is_secret_volume(volume: dict[str, Any]) -> bool:
    """A volume the pod plugin added for a secret mounted as files."""
    return "secret" in volume and str(volume.get("name", "")).startswith("fsec-")


@register("spark")
def lower_spark(ctx: TaskContext) -> K8sResourceUnit:
    """Spark tasks: a SparkApplication."""
    return build_application(ctx)
