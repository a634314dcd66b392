"""Coverage of the plugin messages (``flyteidl.plugins.*``) a task's ``custom`` holds, and
which message each task type's ``custom`` is."""

from __future__ import annotations

from fcomp.compiler import codes
from fcomp.compiler.coverage.model import (
    HONOURED,
    Handling,
    Nested,
    NoEffect,
    Table,
    message,
    reported_by,
    tables,
)

P = "flyteidl.plugins."
K = "flyteidl.plugins.kubeflow."

#: The plugin message of a task's ``custom``, by task type and task type version (None: any).
CUSTOM_MESSAGES: dict[tuple[str, int | None], str] = {
    ("spark", None): P + "SparkJob",
    ("ray", None): P + "RayJob",
    ("dask", None): P + "DaskJob",
    ("pytorch", 0): P + "DistributedPyTorchTrainingTask",
    ("pytorch", 1): K + "DistributedPyTorchTrainingTask",
    ("tensorflow", 0): P + "DistributedTensorflowTrainingTask",
    ("tensorflow", 1): K + "DistributedTensorflowTrainingTask",
    ("mpi", 0): P + "DistributedMPITrainingTask",
    ("mpi", 1): K + "DistributedMPITrainingTask",
    ("container_array", None): P + "ArrayJob",
    ("hive", None): P + "QuboleHiveJob",
    ("presto", None): P + "PrestoQuery",
}


def custom_message(task_type: str, version: int) -> str | None:
    """The full name of the plugin message a task's ``custom`` holds, or None."""
    return CUSTOM_MESSAGES.get((task_type, version)) or CUSTOM_MESSAGES.get((task_type, None))


_QUERY = reported_by(
    "compiler/plugins/queries.py",
    codes.UNSUPPORTED_CONSTRUCT,
    "Hive and Presto queries run in the query client configured for the engine (the query, "
    "cluster label, catalog, schema and routing group reach it, or the task is reported); with "
    "none configured the whole task is reported",
)
_DATABRICKS = NoEffect(
    "read by Flyte's Databricks connector (task type 'databricks'), not by its Spark operator "
    "plugin, which a 'spark' task uses"
)


def _all(name: str, handling: Handling, *fields: str) -> Table:
    return message(name, **dict.fromkeys(fields, handling))


def _replicas(name: str, *extra: str) -> Table:
    """A kubeflow replica spec: its own fields and the common ones, all honoured."""
    return message(
        name,
        replicas=HONOURED,
        image=HONOURED,
        resources=HONOURED,
        restart_policy=HONOURED,
        common=Nested(),
        **dict.fromkeys(extra, HONOURED),
    )


BASE: Table = tables(
    message(
        P + "SparkJob",
        applicationType=HONOURED,
        mainApplicationFile=HONOURED,
        mainClass=HONOURED,
        sparkConf=HONOURED,
        hadoopConf=HONOURED,
        executorPath=HONOURED,
        databricksConf=_DATABRICKS,
        databricksToken=_DATABRICKS,
        databricksInstance=_DATABRICKS,
        driverPod=HONOURED,
        executorPod=HONOURED,
    ),
    message(P + "SparkApplication"),
    message(
        P + "RayJob",
        ray_cluster=Nested(),
        runtime_env=HONOURED,
        shutdown_after_job_finishes=NoEffect(
            "Flyte's Ray plugin shuts the cluster down either way: true by the task's flag, "
            "false by the platform default (true); fcomp does the same"
        ),
        ttl_seconds_after_finished=HONOURED,
        runtime_env_yaml=HONOURED,
    ),
    message(
        P + "RayCluster",
        head_group_spec=Nested(),
        worker_group_spec=Nested(),
        enable_autoscaling=HONOURED,
        autoscaler_options=Nested(),
    ),
    message(P + "HeadGroupSpec", ray_start_params=HONOURED, k8s_pod=HONOURED),
    message(
        P + "WorkerGroupSpec",
        group_name=HONOURED,
        replicas=HONOURED,
        min_replicas=HONOURED,
        max_replicas=HONOURED,
        ray_start_params=HONOURED,
        k8s_pod=HONOURED,
    ),
    message(
        P + "AutoscalerOptions",
        upscaling_mode=HONOURED,
        idle_timeout_seconds=HONOURED,
        env=HONOURED,
        image=HONOURED,
        resources=HONOURED,
    ),
    message(P + "DaskJob", scheduler=Nested(), workers=Nested()),
    message(P + "DaskScheduler", image=HONOURED, resources=HONOURED),
    message(P + "DaskWorkerGroup", number_of_workers=HONOURED, image=HONOURED, resources=HONOURED),
    message(
        P + "ArrayJob",
        parallelism=HONOURED,
        size=NoEffect(
            "the run-time length of the mapped lists sets the size, as in Flyte's array plugin "
            "when the task has inputs"
        ),
        min_successes=HONOURED,
        min_success_ratio=HONOURED,
    ),
    # Kubeflow jobs, version 1 (flyteidl.plugins.kubeflow).
    message(
        K + "RunPolicy",
        clean_pod_policy=HONOURED,
        ttl_seconds_after_finished=HONOURED,
        active_deadline_seconds=HONOURED,
        backoff_limit=HONOURED,
    ),
    message(
        P + "CommonReplicaSpec",
        replicas=HONOURED,
        image=HONOURED,
        resources=HONOURED,
        restart_policy=HONOURED,
    ),
    message(
        K + "DistributedPyTorchTrainingTask",
        worker_replicas=Nested(),
        master_replicas=Nested(),
        run_policy=Nested(),
        elastic_config=Nested(),
    ),
    _replicas(K + "DistributedPyTorchTrainingReplicaSpec"),
    message(
        K + "ElasticConfig",
        rdzv_backend=HONOURED,
        min_replicas=HONOURED,
        max_replicas=HONOURED,
        nproc_per_node=HONOURED,
        max_restarts=HONOURED,
    ),
    message(
        K + "DistributedTensorflowTrainingTask",
        worker_replicas=Nested(),
        ps_replicas=Nested(),
        chief_replicas=Nested(),
        run_policy=Nested(),
        evaluator_replicas=Nested(),
    ),
    _replicas(K + "DistributedTensorflowTrainingReplicaSpec"),
    message(
        K + "DistributedMPITrainingTask",
        worker_replicas=Nested(),
        launcher_replicas=Nested(),
        run_policy=Nested(),
        slots=NoEffect(
            "Flyte's MPI plugin reads slots only from version 0 messages (flytekit bakes the "
            "process count into the command); fcomp does the same"
        ),
    ),
    _replicas(K + "DistributedMPITrainingReplicaSpec", "command"),
    # Kubeflow jobs, version 0 (flyteidl.plugins).
    message(P + "DistributedPyTorchTrainingTask", workers=HONOURED, elastic_config=Nested()),
    message(
        P + "ElasticConfig",
        rdzv_backend=HONOURED,
        min_replicas=HONOURED,
        max_replicas=HONOURED,
        nproc_per_node=HONOURED,
        max_restarts=HONOURED,
    ),
    message(
        P + "DistributedTensorflowTrainingTask",
        workers=HONOURED,
        ps_replicas=HONOURED,
        chief_replicas=HONOURED,
        evaluator_replicas=HONOURED,
    ),
    message(
        P + "DistributedMPITrainingTask",
        num_workers=HONOURED,
        num_launcher_replicas=HONOURED,
        slots=HONOURED,
    ),
    # Queries only Flyte's own services run.
    _all(P + "HiveQuery", _QUERY, "query", "timeout_sec", "retryCount"),
    _all(P + "HiveQueryCollection", _QUERY, "queries"),
    _all(P + "QuboleHiveJob", _QUERY, "cluster_label", "query_collection", "tags", "query"),
    _all(P + "PrestoQuery", _QUERY, "routing_group", "catalog", "schema", "statement"),
    _all(
        P + "Waitable",
        NoEffect("not a task setting: Flyte's waitable outputs name a launched execution"),
        "wf_exec_id",
        "phase",
        "workflow_id",
    ),
)

ARGO: Table = BASE
AIRFLOW: Table = BASE
