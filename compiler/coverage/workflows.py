"""Coverage of workflows and launch plans: nodes, their metadata and overrides, array, branch
and gate nodes, workflow metadata and defaults, launch plan specs."""

from __future__ import annotations

from fcomp.compiler.coverage.model import (
    HONOURED,
    Honoured,
    Nested,
    NoEffect,
    Table,
    ignored,
    message,
    overlay,
    tables,
    unsupported,
)

REFERENCE = NoEffect(
    "a reference: the referenced entity is compiled in its place (a missing one is reported)"
)
FLYTE_SCHEDULING = "scheduling in Flyte's own queues; the target has no such setting"

BASE: Table = tables(
    message(
        "flyteidl.core.Node",
        id=NoEffect("identity: target task names and data paths derive from it"),
        metadata=Nested(),
        inputs=HONOURED,
        upstream_node_ids=HONOURED,
        output_aliases=NoEffect(
            "resolved at compile time: a promise to an alias reads the original output"
        ),
        task_node=Nested(),
        workflow_node=Nested(),
        branch_node=Nested(),
        gate_node=Nested(),
        array_node=Nested(),
    ),
    message("flyteidl.core.TaskNode", reference_id=REFERENCE, overrides=Nested()),
    message("flyteidl.core.WorkflowNode", launchplan_ref=REFERENCE, sub_workflow_ref=REFERENCE),
    message(
        "flyteidl.core.NodeMetadata",
        name=NoEffect("the node's display name in Flyte's console"),
        timeout=HONOURED,
        retries=Nested(),
        interruptible=HONOURED,
        cacheable=HONOURED,
        cache_version=HONOURED,
        cache_serializable=NoEffect(
            "results are unchanged: concurrent runs with the same inputs each compute and store "
            "the same outputs; only the duplicated work Flyte's reservation avoids remains"
        ),
        config=ignored("node config overrides are read by no fcomp plugin"),
    ),
    message(
        "flyteidl.core.TaskNodeOverrides",
        resources=HONOURED,
        extended_resources=HONOURED,
        container_image=HONOURED,
        pod_template=HONOURED,
    ),
    message(
        "flyteidl.core.WorkflowMetadata",
        quality_of_service=ignored(FLYTE_SCHEDULING),
        on_failure=HONOURED,
        tags=NoEffect("key-value tags for search in Flyte's console"),
    ),
    message("flyteidl.core.WorkflowMetadataDefaults", interruptible=HONOURED),
    message(
        "flyteidl.core.ArrayNode",
        node=Nested(),
        parallelism=HONOURED,
        min_successes=HONOURED,
        min_success_ratio=HONOURED,
        execution_mode=NoEffect("how much state FlytePropeller keeps per element"),
        is_original_sub_node_interface=NoEffect(
            "read by the compiler to type the node's outputs as lists of the sub-node's"
        ),
        data_mode=unsupported(
            "elements get the array node's whole inputs.pb, not one input file each"
        ),
        bound_inputs=HONOURED,
        run_all_sub_nodes=NoEffect(
            "every element runs to its end on the target already, as the flag asks"
        ),
    ),
    message("flyteidl.core.BranchNode", if_else=HONOURED),
    message("flyteidl.core.GateNode", approve=HONOURED, signal=HONOURED, sleep=HONOURED),
    message(
        "flyteidl.admin.LaunchPlanSpec",
        workflow_id=REFERENCE,
        entity_metadata=Nested(),
        default_inputs=HONOURED,
        fixed_inputs=HONOURED,
        role=ignored("deprecated IAM role; give the service account the role"),
        labels=HONOURED,
        annotations=HONOURED,
        auth=Nested(),
        auth_role=Nested(),
        security_context=Nested(),
        quality_of_service=ignored(FLYTE_SCHEDULING),
        raw_output_data_config=HONOURED,
        max_parallelism=HONOURED,
        interruptible=HONOURED,
        overwrite_cache=HONOURED,
        envs=HONOURED,
        execution_env_assignments=ignored("Flyte execution environments are not created"),
        cluster_assignment=ignored("the documents run on the cluster they are applied to"),
        concurrency_policy=HONOURED,
    ),
    message(
        "flyteidl.admin.LaunchPlanMetadata",
        schedule=HONOURED,
        notifications=ignored("notifications are sent by Flyte's admin service"),
        launch_conditions=ignored("launch conditions are evaluated by Flyte's artifact service"),
    ),
    message(
        "flyteidl.admin.Auth",
        assumable_iam_role=ignored("no IAM role annotation is added"),
        kubernetes_service_account=HONOURED,
    ),
    message(
        "flyteidl.admin.AuthRole",
        assumable_iam_role=ignored("no IAM role annotation is added"),
        kubernetes_service_account=HONOURED,
    ),
)

ARGO: Table = BASE
AIRFLOW: Table = overlay(
    BASE,
    {
        "flyteidl.core.NodeMetadata": {
            "timeout": ignored("Airflow has one timeout per attempt (the task's), none per node"),
        },
        "flyteidl.core.WorkflowMetadata": {
            "on_failure": NoEffect(
                "Airflow lets independent tasks finish after a failure, which is this policy"
            ),
            "tags": Honoured("core.WorkflowMetadata.tags"),
        },
    },
)
