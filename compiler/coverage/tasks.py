"""Coverage of task templates: the template, its metadata, container, pod, resources, retry
strategy, security context and extended resources."""

from __future__ import annotations

from fcomp.compiler import codes
from fcomp.compiler.coverage.model import (
    HONOURED,
    Nested,
    NoEffect,
    Table,
    ignored,
    message,
    overlay,
    reported_by,
    tables,
    unsupported,
)

IDENTITY = NoEffect("identity: references resolve by it, target names derive from it")
_ARGO_POD_FILES = reported_by(
    "backends/argo/nodes.py",
    codes.UNSUPPORTED_CONSTRUCT,
    "only raw-container tasks move inputs and outputs as files (copilot)",
)
_AIRFLOW_FILES = reported_by(
    "backends/airflow/nodes.py",
    codes.UNSUPPORTED_CONSTRUCT,
    "only raw-container tasks move inputs and outputs as files (copilot)",
)

BASE: Table = tables(
    message(
        "flyteidl.core.TaskTemplate",
        id=IDENTITY,
        type=HONOURED,
        metadata=Nested(),
        interface=NoEffect(
            "types only: the compiler checks every binding against it; the task reads its "
            "typed inputs.pb itself"
        ),
        custom=Nested("the task type's plugin message (see the flyteidl.plugins entries)"),
        container=Nested(),
        k8s_pod=Nested(),
        sql=NoEffect(
            "read at run time by the task's connector from task.pb (BigQuery, Snowflake); "
            "Hive and Presto tasks are reported as a whole (UnsupportedConstruct)"
        ),
        task_type_version=HONOURED,
        security_context=Nested(),
        extended_resources=Nested(),
        config=NoEffect(
            "plugin settings: primary_container_name (pod tasks) and worker_spec_command (MPI) "
            "are read by their plugins; Flyte's plugins read no other key"
        ),
    ),
    message(
        "flyteidl.core.TaskMetadata",
        discoverable=HONOURED,
        runtime=NoEffect("records the SDK that wrote the task"),
        timeout=HONOURED,
        retries=Nested(),
        discovery_version=HONOURED,
        deprecated_error_message=NoEffect("shown by Flyte's console for deprecated tasks"),
        interruptible=HONOURED,
        cache_serializable=NoEffect(
            "results are unchanged: concurrent runs with the same inputs each compute and store "
            "the same outputs (cache-put is atomic and deterministic); only the duplicated work "
            "Flyte's reservation avoids remains"
        ),
        tags=NoEffect("key-value tags for search in Flyte's console"),
        pod_template_name=ignored(
            "Flyte starts the pod from a PodTemplate of that name in the cluster; fcomp cannot "
            "read the cluster's PodTemplates"
        ),
        cache_ignore_input_vars=HONOURED,
        is_eager=unsupported(
            "eager tasks start their sub-tasks through Flyte's admin service, which the "
            "target does not have"
        ),
        generates_deck=NoEffect("the task writes its deck (an HTML report) itself"),
        metadata=HONOURED,
    ),
    message(
        "flyteidl.core.Container",
        image=HONOURED,
        command=HONOURED,
        args=HONOURED,
        resources=Nested(),
        env=HONOURED,
        config=NoEffect("not read by Flyte's pod plugin"),
        ports=HONOURED,
        data_config=HONOURED,
        architecture=ignored("the image's CPU architecture; fcomp adds no node selector for it"),
    ),
    message(
        "flyteidl.core.K8sPod",
        metadata=HONOURED,
        pod_spec=HONOURED,
        data_config=HONOURED,
        primary_container_name=HONOURED,
    ),
    message("flyteidl.core.Resources", requests=HONOURED, limits=HONOURED),
    message("flyteidl.core.RetryStrategy", retries=HONOURED),
    message(
        "flyteidl.core.SecurityContext",
        run_as=Nested(),
        secrets=HONOURED,
        tokens=ignored(
            "OAuth2 tokens are injected by Flyte's webhook, which the target does not have"
        ),
    ),
    message(
        "flyteidl.core.Identity",
        iam_role=ignored("no IAM role annotation is added; give the service account the role"),
        k8s_service_account=HONOURED,
        oauth2_client=ignored("OAuth2 clients are injected by Flyte's webhook"),
        execution_identity=NoEffect("who launched the execution, for Flyte's audit trail"),
    ),
    message(
        "flyteidl.core.ExtendedResources",
        gpu_accelerator=HONOURED,
        shared_memory=HONOURED,
    ),
)

ARGO: Table = overlay(BASE, {"flyteidl.core.K8sPod": {"data_config": _ARGO_POD_FILES}})
AIRFLOW: Table = overlay(BASE, {"flyteidl.core.K8sPod": {"data_config": _AIRFLOW_FILES}})
