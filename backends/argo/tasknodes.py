"""Task nodes on Argo: one pod (bind init container + the task's containers).

A cached task first looks its outputs up (the pod is skipped on a hit), then stores them; a
dynamic task's ``futures.pb`` is compiled by a runtime step into a child workflow, which a
resource step runs and waits for.
"""

from __future__ import annotations

import json
from typing import Any

from fcomp.backends.argo.dags import DagBuilder, DagContext, Lowered, add_deps, set_when
from fcomp.backends.argo.pods import pod_template
from fcomp.backends.argo.steps import (
    CACHE_CHECK_TEMPLATE,
    CACHE_PUT_TEMPLATE,
    CHILD_TEMPLATE,
    DYNAMIC_TEMPLATE,
)
from fcomp.backends.common.plans import b64
from fcomp.compiler import ir
from fcomp.compiler.plugins.units import PodUnit


def params(**values: str) -> dict[str, Any]:
    """DAG task arguments (``min_successes`` becomes ``min-successes``)."""
    return {"parameters": [{"name": k.replace("_", "-"), "value": v} for k, v in values.items()]}


def cache_key_json(unit: PodUnit, launch_plan: ir.LaunchPlan | None) -> str:
    """What identifies a cached result besides the inputs: task, cache version, ignored
    inputs, and whether the launch plan overwrites the cache."""
    cache = unit.policy.cache
    assert cache is not None
    return json.dumps(
        {
            "task": unit.task.id.name,
            "version": cache.version,
            "ignore": sorted(cache.ignore_inputs),
            "overwrite": bool(launch_plan is not None and launch_plan.overwrite_cache),
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def lower_pod_node(b: DagBuilder, ctx: DagContext, node: ir.Node, unit: PodUnit) -> Lowered:
    """The DAG tasks of a task node whose task lowered to ``unit``."""
    template = b.unit_templates.get((unit,))
    if template is None:
        short = unit.task.id.name.rsplit(".", 1)[-1]
        template = b.unit_templates.put(
            (unit,), b.add_template(short, lambda name: pod_template(name, unit, b.config))
        )
    name = ctx.names.name(node.id)
    path = ctx.path(node)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    task: dict[str, Any] = {
        "name": name,
        "template": template,
        "arguments": {
            "parameters": [{"name": "node", "value": path}, {"name": "plan", "value": plan}]
        },
    }
    if unit.policy.cache is None and not unit.dynamic:  # most nodes: one task
        return Lowered([task], [name], [name])
    tasks = [task]
    entry = name
    if unit.policy.cache is not None:
        check, put = ctx.names.name(f"{node.id}-cache"), ctx.names.name(f"{node.id}-cache-put")
        key = cache_key_json(unit, b.launch_plan)
        miss = f"'{{{{tasks.{check}.outputs.result}}}}' == 'miss'"
        tasks.insert(
            0,
            {
                "name": check,
                "template": b.use_runtime(CACHE_CHECK_TEMPLATE),
                "arguments": params(node=path, plan=plan, key=key),
            },
        )
        add_deps(task, [f"{check}.Succeeded"])
        set_when(task, miss)
        entry = check
        last = _dynamic_steps(b, ctx, node, unit, tasks, name, path) if unit.dynamic else name
        tasks.append(
            {
                "name": put,
                "template": b.use_runtime(CACHE_PUT_TEMPLATE),
                "arguments": params(node=path, key=key),
                "when": miss,
                "_deps": [f"{last}.Succeeded"],
            }
        )
    elif unit.dynamic:
        _dynamic_steps(b, ctx, node, unit, tasks, name, path)
    names = [t["name"] for t in tasks]
    return Lowered(tasks, [entry], names, set(names) - {entry})


def _dynamic_steps(
    b: DagBuilder,
    ctx: DagContext,
    node: ir.Node,
    unit: PodUnit,
    tasks: list[dict[str, Any]],
    after: str,
    path: str,
) -> str:
    """Append the steps turning a dynamic task's futures into a child workflow run; returns
    the last step's name."""
    compile_, child = ctx.names.name(f"{node.id}-dynamic"), ctx.names.name(f"{node.id}-child")
    tasks.append(
        {
            "name": compile_,
            "template": b.use_runtime(DYNAMIC_TEMPLATE),
            "arguments": params(node=path, task=b64(unit.task.pb)),
            "_deps": [f"{after}.Succeeded"],
        }
    )
    tasks.append(
        {
            "name": child,
            "template": b.use_runtime(CHILD_TEMPLATE),
            "arguments": params(manifest=f"{{{{tasks.{compile_}.outputs.parameters.manifest}}}}"),
            "when": f"'{{{{tasks.{compile_}.outputs.result}}}}' == 'child'",
            "_deps": [f"{compile_}.Succeeded"],
        }
    )
    return child
