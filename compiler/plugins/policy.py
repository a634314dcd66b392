"""Execution policy of a task node: retries, timeouts, interruptibility and caching, from the
node, the task, the workflow defaults and the launch plan, with Flyte's precedence."""

from __future__ import annotations

from fcomp.compiler import ir
from fcomp.compiler.plugins.units import CachePolicy, ExecPolicy


def interruptible(
    task: ir.Task, node: ir.Node, workflow: ir.Workflow, launch_plan: ir.LaunchPlan | None
) -> bool:
    """Node setting, else task setting, else the launch plan's, else the workflow default."""
    for value in (
        node.metadata.interruptible,
        task.metadata.interruptible,
        launch_plan.interruptible if launch_plan is not None else None,
    ):
        if value is not None:
            return value
    return workflow.metadata.interruptible


def cache_policy(task: ir.Task, node: ir.Node) -> CachePolicy | None:
    """Caching as the node (override) or task declares it."""
    meta = node.metadata
    enabled = meta.cacheable if meta.cacheable is not None else task.metadata.discoverable
    if not enabled:
        return None
    version = (
        meta.cache_version if meta.cache_version is not None else task.metadata.discovery_version
    )
    serializable = (
        meta.cache_serializable
        if meta.cache_serializable is not None
        else task.metadata.cache_serializable
    )
    return CachePolicy(version, serializable, task.metadata.cache_ignore_input_vars)


def exec_policy(
    task: ir.Task, node: ir.Node, workflow: ir.Workflow, launch_plan: ir.LaunchPlan | None
) -> ExecPolicy:
    """The full execution policy of a task node."""
    retries = node.metadata.retries if node.metadata.retries is not None else task.metadata.retries
    return ExecPolicy(
        retries=retries,
        attempt_timeout_s=task.metadata.timeout_s or None,
        node_timeout_s=node.metadata.timeout_s or None,
        interruptible=interruptible(task, node, workflow, launch_plan),
        cache=cache_policy(task, node),
    )
