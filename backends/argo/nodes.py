"""How each node kind becomes Argo DAG tasks (one handler per kind, in a registry)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fcomp.backends.argo.dags import DagBuilder, DagContext, Lowered, add_deps, set_when
from fcomp.backends.argo.launchplans import lower_launch_plan
from fcomp.backends.argo.pods import pod_template, seconds
from fcomp.backends.argo.steps import (
    APPROVE_TEMPLATE,
    ARRAY_SIZE_TEMPLATE,
    BRANCH_TEMPLATE,
    GATHER_TEMPLATE,
    SIGNAL_TEMPLATE,
    WAIT_SIGNAL_TEMPLATE,
    sleep_template,
)
from fcomp.backends.argo.tasknodes import params
from fcomp.backends.common.conditions import cases_json
from fcomp.backends.common.names import ARGO_PARAMETER, Namer
from fcomp.backends.common.plans import b64, to_json
from fcomp.compiler import codes, ir
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, lower_task
from fcomp.compiler.plugins.units import PodUnit, Unit

Handler = Callable[[DagBuilder, DagContext, ir.Node], Lowered | None]

#: A ``Literal`` holding Flyte's none value (``scalar { none_type {} }``), base64.
NONE_LITERAL = "CgIqAA=="


def _unit(b: DagBuilder, ctx: DagContext, node: ir.Node, task_node: ir.Node) -> Unit | None:
    """Lower the task of ``task_node`` (``node`` is the node reported on)."""
    kind = task_node.kind
    assert isinstance(kind, ir.TaskNode) and kind.task is not None
    task = b.compiled.catalog.tasks.find(kind.task)
    assert task is not None
    tctx = TaskContext(task, task_node, ctx.scope.cw.workflow, b.config, b.launch_plan)
    try:
        unit = lower_task(tctx)
    except LoweringError as exc:
        b.diagnostics.extend(exc.diagnostics)
        return None
    if not isinstance(unit, PodUnit):
        return unit
    if unit.data_config is not None:
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"raw-container task '{task.id.name}' (inputs and outputs moved as files) is not "
            "supported on the Argo target",
            node,
        )
        return None
    if unit.input_values:
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"task '{task.id.name}' uses input values in its command "
            f"({', '.join(unit.input_values)}), not supported on the Argo target",
            node,
        )
        return None
    return unit


def lower_task_node(b: DagBuilder, ctx: DagContext, node: ir.Node) -> Lowered | None:
    """A task node: its task's execution unit, lowered by the handler registered for the
    unit's type (:mod:`fcomp.backends.argo.unitlowering`)."""
    # A unit depends on the node's target and metadata and the workflow, never on the node's
    # id or inputs (see :func:`lower_task`): nodes sharing those objects share their unit.
    parts = (node.kind, node.metadata, ctx.scope.cw.workflow)
    found = b.units.get(parts)
    if found is None:
        from fcomp.backends.argo.unitlowering import UNIT_LOWERINGS

        unit = _unit(b, ctx, node, node)
        if unit is None:  # reported on this node (and on every other node that has it)
            return None
        found = b.units.put(parts, (unit, UNIT_LOWERINGS[type(unit)]))
    unit, lowering = found
    return lowering(b, ctx, node, unit)


def lower_subworkflow(b: DagBuilder, ctx: DagContext, node: ir.Node) -> Lowered | None:
    """A subworkflow: its DAG template, with the node's path as scope and input plans."""
    kind = node.kind
    assert isinstance(kind, ir.SubworkflowNode)
    sub = b.compiled.workflow(kind.workflow)
    assert sub is not None
    template = b.dag(sub, root=False)
    plans = b.plans.node_inputs(ctx.scope, node)
    params = [{"name": "scope", "value": ctx.path(node)}]
    names = Namer(ARGO_PARAMETER, reserved={"scope"})
    for var in sub.workflow.interface.inputs:
        value = to_json(plans[var]) if var in plans else to_json({"literal": NONE_LITERAL})
        params.append({"name": names.name(f"in-{var}"), "value": value})
    name = ctx.names.name(node.id)
    return Lowered(
        [{"name": name, "template": template, "arguments": {"parameters": params}}], [name], [name]
    )


def lower_branch(b: DagBuilder, ctx: DagContext, node: ir.Node) -> Lowered | None:
    """A branch: a runtime step picks the case (Flyte's rules); each case runs ``when`` it was
    picked; downstream nodes wait for every case (a skipped case counts as done)."""
    kind = node.kind
    assert isinstance(kind, ir.BranchNode)
    decide = ctx.names.name(node.id)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    cases = json.dumps(cases_json(kind), sort_keys=True, separators=(",", ":"))
    out = Lowered(
        [
            {
                "name": decide,
                "template": b.use_runtime(BRANCH_TEMPLATE),
                "arguments": params(node=ctx.path(node), plan=plan, cases=cases),
            }
        ],
        [decide],
        [decide],
    )
    case_nodes = [c.then_node for c in kind.cases if c.then_node is not None]
    if kind.else_node is not None:
        case_nodes.append(kind.else_node)
    for index, case in enumerate(case_nodes):
        lowered = b.lower_node(ctx, case)
        if lowered is None:
            continue
        own = b.upstream_exits(ctx.scope.cw, case.id, ctx.exits)
        for task in lowered.tasks:
            if task["name"] in lowered.entry:
                # ``.Succeeded``: when this branch itself did not run (a case of an outer branch
                # not taken), its cases are omitted instead of reading a skipped step's result.
                add_deps(task, [f"{decide}.Succeeded", *own])
                set_when(task, f"{{{{tasks.{decide}.outputs.result}}}} == {index}")
        out.extend(lowered)
        out.guarded |= set(lowered.exits)
    return out


def lower_gate(b: DagBuilder, ctx: DagContext, node: ir.Node) -> Lowered | None:
    """Sleep: a timed suspend. Approve: an indefinite suspend (``argo resume``); the node's
    outputs are its inputs. Signal: a suspend whose value is supplied at resume, turned into a
    literal of the signal's type by a runtime step."""
    kind = node.kind
    assert isinstance(kind, ir.GateNode)
    name = ctx.names.name(node.id)
    if kind.kind is ir.GateKind.SLEEP:
        secs = int(seconds(kind.sleep_s)) if kind.sleep_s > 0 else 0
        template = b.add_template(f"fcomp-sleep-{secs}s", lambda _: sleep_template(secs))
        return Lowered([{"name": name, "template": template}], [name], [name])
    if kind.kind is ir.GateKind.APPROVE:
        return Lowered(
            [{"name": name, "template": b.use_runtime(APPROVE_TEMPLATE)}], [name], [name]
        )
    assert kind.kind is ir.GateKind.SIGNAL and kind.signal_type is not None
    convert = ctx.names.name(f"{node.id}-signal")
    tasks: list[dict[str, Any]] = [
        {
            "name": name,
            "template": b.use_runtime(WAIT_SIGNAL_TEMPLATE),
            # the id the value answers, URL-quoted (inert to Argo, readable when plain)
            "arguments": params(signal=quote(kind.signal_id, safe="")),
        },
        {
            "name": convert,
            "template": b.use_runtime(SIGNAL_TEMPLATE),
            "arguments": params(
                node=ctx.path(node),
                type=b64(kind.signal_type.pb),
                var=kind.output_variable_name,
                value=f"{{{{tasks.{name}.outputs.parameters.value}}}}",
            ),
            "_deps": [f"{name}.Succeeded"],
        },
    ]
    return Lowered(tasks, [name], [name, convert], {convert})


def lower_array(b: DagBuilder, ctx: DagContext, node: ir.Node) -> Lowered | None:
    """A map: a runtime step binds the inputs and counts elements; a fan-out over the count
    (not over values, so no parameter grows with the list) runs the sub-task per element; a
    runtime step gathers the outputs into lists, honouring the success criteria."""
    kind = node.kind
    assert isinstance(kind, ir.ArrayNode)
    sub = kind.node
    if sub is None or not isinstance(sub.kind, ir.TaskNode):
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            "array nodes over anything but a task are not supported on the Argo target",
            node,
        )
        return None
    unit = _unit(b, ctx, node, sub)
    if unit is None:
        return None
    if not isinstance(unit, PodUnit):
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"map tasks over '{unit.task.type}' tasks are not supported on the Argo target",
            node,
        )
        return None
    iface = ctx.scope.cw.interfaces.get(node.id)
    assert iface is not None
    mapped = kind.mapped_inputs(iface)
    short = unit.task.id.name.rsplit(".", 1)[-1]
    element = b.add_template(short, lambda name: pod_template(name, unit, b.config, element=True))
    fanout = b.add_template(
        f"map-{short}", lambda name: _fanout_template(name, element, kind.parallelism)
    )
    size, run, gather = (
        ctx.names.name(node.id),
        ctx.names.name(f"{node.id}-map"),
        ctx.names.name(f"{node.id}-gather"),
    )
    path = ctx.path(node)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    outputs = json.dumps(
        {n: b64(v.type.pb) for n, v in iface.outputs.items()}, sort_keys=True, separators=(",", ":")
    )
    count = f"{{{{tasks.{size}.outputs.result}}}}"
    tasks: list[dict[str, Any]] = [
        {
            "name": size,
            "template": b.use_runtime(ARRAY_SIZE_TEMPLATE),
            "arguments": params(node=path, plan=plan, inputs=json.dumps(mapped)),
        },
        {
            "name": run,
            "template": fanout,
            "arguments": params(node=path, count=count),
            "_deps": [f"{size}.Succeeded"],
        },
        {
            "name": gather,
            "template": b.use_runtime(GATHER_TEMPLATE),
            "arguments": params(
                node=path,
                size=count,
                outputs=outputs,
                min_successes="" if kind.min_successes is None else str(kind.min_successes),
                min_success_ratio=""
                if kind.min_success_ratio is None
                else repr(float(kind.min_success_ratio)),
            ),
            "_deps": [f"{run}.Succeeded"],
        },
    ]
    return Lowered(tasks, [size], [size, run, gather], {run, gather})


def _fanout_template(name: str, element: str, parallelism: int | None) -> dict[str, Any]:
    template: dict[str, Any] = {
        "name": name,
        "inputs": {"parameters": [{"name": "node"}, {"name": "count"}]},
    }
    if parallelism:
        template["parallelism"] = parallelism
    template["dag"] = {
        "tasks": [
            {
                "name": "element",
                "template": element,
                "withSequence": {"count": "{{inputs.parameters.count}}"},
                "arguments": params(node="{{inputs.parameters.node}}", index="{{item}}"),
                "continueOn": {"failed": True},
            }
        ]
    }
    return template


NODE_LOWERINGS: dict[type, Handler] = {
    ir.TaskNode: lower_task_node,
    ir.SubworkflowNode: lower_subworkflow,
    ir.BranchNode: lower_branch,
    ir.GateNode: lower_gate,
    ir.ArrayNode: lower_array,
    ir.LaunchPlanNode: lower_launch_plan,
}
