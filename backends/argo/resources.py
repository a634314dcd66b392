"""Kubernetes-resource tasks on Argo (SparkApplication, RayJob, ...): a ``resource`` template
creates the object and waits for the unit's success or failure condition.

The node's inputs are bound before the object is created: by an init container the plugin asked
for inside the manifest (``bind_at``), else by a runtime step before the resource step.
"""

from __future__ import annotations

import json
from typing import Any

from fcomp.backends.argo.dags import DagBuilder, DagContext, Lowered
from fcomp.backends.argo.pods import PLAN_PARAM, bind_container, retry_strategy
from fcomp.backends.argo.render import RESOURCE_TEXT, NodeVars, render_manifest
from fcomp.backends.argo.steps import BIND_TEMPLATE
from fcomp.backends.argo.tasknodes import params
from fcomp.compiler import ir
from fcomp.compiler.config import Config
from fcomp.compiler.plugins.units import Condition, K8sResourceUnit

#: The plan argument of a bind step inside a manifest string.
PLAN_IN_MANIFEST = "b64:{{=sprig.b64enc(inputs.parameters.plan)}}"


def condition_text(conditions: tuple[Condition, ...]) -> str:
    """Conditions in Argo's label-selector-like syntax (commas mean AND)."""
    parts = []
    for c in conditions:
        if c.op == "in":
            parts.append(f"{c.path} in ({', '.join(c.values)})")
        else:
            parts.append(f"{c.path} {c.op} {c.values[0]}")
    return ",".join(parts)


def _inject_bind(manifest: dict[str, Any], at: str, container: dict[str, Any]) -> None:
    """Prepend the bind container to the list at dotted path ``at``."""
    *parents, last = at.split(".")
    target = manifest
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = [container, *target.get(last, [])]


def resource_template(name: str, unit: K8sResourceUnit, config: Config) -> dict[str, Any]:
    """The Argo template creating the unit's object for the node named by ``node``."""
    vars_ = NodeVars(config.storage_prefix, config.raw_prefix, unit.policy.retries > 0)
    manifest = render_manifest(
        {"apiVersion": unit.api_version, "kind": unit.kind, **dict(unit.manifest)},
        vars_,
        RESOURCE_TEXT,
    )
    # Every attempt creates a new object; Kubernetes names it from this prefix.
    meta = manifest.setdefault("metadata", {})
    if "name" not in meta:
        meta.setdefault("generateName", f"{unit.kind.lower()}-")
    inputs = [{"name": "node"}]
    if unit.bind_at:
        bind = bind_container(config, unit.needs_task_template, unit.task.pb, RESOURCE_TEXT)
        # The manifest is one JSON string: the plan (JSON) goes in base64 so that its quotes
        # cannot break it.
        bind["args"] = [PLAN_IN_MANIFEST if a == PLAN_PARAM else a for a in bind["args"]]
        _inject_bind(manifest, unit.bind_at, bind)
        inputs.append({"name": "plan"})
    template: dict[str, Any] = {
        "name": name,
        "inputs": {"parameters": inputs},
        "resource": {
            "action": "create",
            "setOwnerReference": True,
            "successCondition": RESOURCE_TEXT.text(condition_text(unit.success)),
            "failureCondition": RESOURCE_TEXT.text(condition_text(unit.failure)),
            "manifest": json.dumps(manifest, sort_keys=True, separators=(",", ":")),
        },
    }
    if unit.policy.retries > 0:
        # A resource's failure is retried whatever the task wrote (Flyte's operator plugins
        # report a failed object as a retryable failure), so its bind step checks nothing.
        template["retryStrategy"] = retry_strategy(unit.policy.retries)
    return template


def lower_resource_node(
    b: DagBuilder, ctx: DagContext, node: ir.Node, unit: K8sResourceUnit
) -> Lowered:
    """The DAG tasks of a task node whose task lowered to a Kubernetes resource."""
    short = f"{unit.kind.lower()}-{unit.task.id.name.rsplit('.', 1)[-1]}"
    template = b.add_template(short, lambda name: resource_template(name, unit, b.config))
    name = ctx.names.name(node.id)
    path = ctx.path(node)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    if unit.bind_at:
        task = {"name": name, "template": template, "arguments": params(node=path, plan=plan)}
        return Lowered([task], [name], [name])
    bind = ctx.names.name(f"{node.id}-inputs")
    tasks = [
        {
            "name": bind,
            "template": b.use_runtime(BIND_TEMPLATE),
            "arguments": params(node=path, plan=plan),
        },
        {
            "name": name,
            "template": template,
            "arguments": params(node=path),
            "_deps": [f"{bind}.Succeeded"],
        },
    ]
    return Lowered(tasks, [bind], [bind, name], {name})
