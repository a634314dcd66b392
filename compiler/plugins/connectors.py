"""Connector tasks: tasks Flyte hands to a service (query engines, Airflow operators). On
targets with no native operator for the service they run as a pod of a *client image* (flytekit,
the task type's plugin and ``fcomp-runtime``), whose ``fcomp-runtime connector`` command runs
flytekit's connector for the task type: create the job, wait for it, write ``outputs.pb``."""

from __future__ import annotations

from typing import Any

from fcomp.compiler import ir
from fcomp.compiler.plugins.placeholders import UnknownVariableError, parse_text
from fcomp.compiler.plugins.pods import PRIMARY, _secret_env_and_mounts
from fcomp.compiler.plugins.policy import exec_policy
from fcomp.compiler.plugins.registry import TaskContext
from fcomp.compiler.plugins.units import ConnectorUnit, Placeholder, PlaceholderKind, PodUnit, Text


def _path(kind: PlaceholderKind) -> Text:
    return Text.of(Placeholder(kind))


def connector_pod(ctx: TaskContext) -> PodUnit:
    """A pod running the task's connector in the configured client image."""
    task = ctx.task
    container: dict[str, Any] = {
        "name": PRIMARY,
        "image": ctx.config.connector_image_for(task.type),
        "command": ["fcomp-runtime"],
        "args": [
            "connector",
            "--task-template",
            _path(PlaceholderKind.TASK_TEMPLATE_PATH),
            "--inputs",
            _path(PlaceholderKind.INPUT),
            "--output-prefix",
            _path(PlaceholderKind.OUTPUT_PREFIX),
        ],
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }
    env, volumes, mounts = _secret_env_and_mounts(task.security_context.secrets)
    if ctx.launch_plan is not None:
        env = [{"name": k, "value": v} for k, v in ctx.launch_plan.envs] + env
    if env:
        container["env"] = env
    pod: dict[str, Any] = {"containers": [container], "restartPolicy": "Never"}
    if mounts:
        container["volumeMounts"] = mounts
        pod["volumes"] = volumes
    service_account = task.security_context.service_account or (
        ctx.launch_plan.service_account if ctx.launch_plan is not None else ""
    )
    if service_account:
        pod["serviceAccountName"] = service_account
    return PodUnit(
        task=task,
        pod_spec=pod,
        primary=PRIMARY,
        labels=task.metadata.k8s_metadata.labels,
        annotations=task.metadata.k8s_metadata.annotations,
        policy=exec_policy(task, ctx.node, ctx.workflow, ctx.launch_plan),
        needs_task_template=True,
    )


def statement(task: ir.Task) -> Text | None:
    """The query of a Sql-target task with Flyte's template variables as placeholders."""
    if not isinstance(task.target, ir.Sql) or not task.target.statement:
        return None
    try:
        return parse_text(task.target.statement)
    except UnknownVariableError:
        return Text.of(task.target.statement)


def connector_unit(
    ctx: TaskContext, engine: str, config: dict[str, Any], runnable: bool, reason: str = ""
) -> ConnectorUnit:
    """A connector task's unit; ``runnable``: whether flytekit has a connector for it."""
    pod = connector_pod(ctx) if runnable else None
    return ConnectorUnit(
        task=ctx.task,
        engine=engine,
        pod=pod,
        statement=statement(ctx.task),
        config=config,
        policy=exec_policy(ctx.task, ctx.node, ctx.workflow, ctx.launch_plan),
        reason=reason,
    )
