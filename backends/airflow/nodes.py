"""How each node kind becomes Airflow tasks (one handler per kind, in a registry).

Branches: a branch task evaluates the cases with Flyte's rules (runtime ``branch``) and
follows the chosen case's entry tasks; Airflow skips the others (and, through the default
``all_success`` rule, everything after them); a join task with ``none_failed_min_one_success``
ends the branch, so nodes after it run exactly when the chosen case succeeded. Maps: a size
task binds the inputs and returns the element indices in chunks, a mapped task
(``.partial().expand()``) runs each chunk, and a gather task (``none_skipped``: it runs when
elements failed, and is skipped with the branch case it is in) collects the outputs with the
map's success criteria.

Airflow refuses to map over more than ``[core] max_map_length`` items (1024 by default). The
``local`` flavour's size step returns the indices in at most that many chunks (read from
``AIRFLOW__CORE__MAX_MAP_LENGTH``), each mapped task running its chunk's elements one after
another, so any size runs; the ``kubernetes`` flavour runs one pod per element, so a map
larger than the limit fails at expansion with Airflow's error: raise the setting for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fcomp.backends.airflow import steps
from fcomp.backends.airflow.graph import Context, FlowBuilder
from fcomp.backends.airflow.model import NONE_FAILED_MIN_ONE_SUCCESS, NONE_SKIPPED, Lowered
from fcomp.backends.airflow.native import NATIVE_ENGINES, NativeError
from fcomp.backends.airflow.params import param_specs, stand_in
from fcomp.backends.airflow.sql import sql_connection, sql_problem
from fcomp.backends.common.caching import cache_key_json
from fcomp.backends.common.conditions import cases_json
from fcomp.backends.common.plans import PlanScope, b64
from fcomp.compiler import codes, ir
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, lower_task
from fcomp.compiler.plugins.units import ArrayTaskUnit, ConnectorUnit, K8sResourceUnit, PodUnit

Handler = Callable[[FlowBuilder, Context, ir.Node], Lowered | None]

#: A ``Literal`` holding Flyte's none value (``scalar { none_type {} }``), base64.
NONE_LITERAL = "CgIqAA=="


def one(op_id: str) -> Lowered:
    """A node lowered to a single task."""
    return Lowered([op_id], [op_id], [op_id])


def task_unit(
    b: FlowBuilder, ctx: Context, node: ir.Node, task_node: ir.Node
) -> PodUnit | K8sResourceUnit | ArrayTaskUnit | ConnectorUnit | None:
    """Lower the task of ``task_node`` to its execution unit (``node`` is reported on)."""
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
    if isinstance(unit, ConnectorUnit) and unit.engine in NATIVE_ENGINES:
        return unit  # Airflow's own operator
    if isinstance(unit, ConnectorUnit) and sql_connection(b.config, unit) is not None:
        return unit  # common-sql's operator on the configured connection
    if isinstance(unit, ConnectorUnit) and unit.pod is not None:
        unit = unit.pod  # the task's flytekit connector, run in its client image
    if isinstance(unit, ConnectorUnit):
        why = unit.reason or "no client image or operator runs it"
        if unit.query is not None:
            why += f", or an Airflow connection (airflow_sql_connections.{unit.engine})"
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"task '{task.id.name}' of type '{task.type}' cannot run on the Airflow target: {why}",
            node,
        )
        return None
    if isinstance(unit, PodUnit | ArrayTaskUnit):
        pod = unit if isinstance(unit, PodUnit) else unit.element
        problem = ""
        if pod.data_config is not None:
            problem = "moves its inputs and outputs as files (raw-container data config)"
        elif pod.input_values:
            problem = f"uses input values in its command ({', '.join(pod.input_values)})"
        if problem:
            b.error(
                codes.UNSUPPORTED_CONSTRUCT,
                f"task '{task.id.name}' {problem}, not supported on the Airflow target",
                node,
            )
            return None
    return unit


def lower_task_node(b: FlowBuilder, ctx: Context, node: ir.Node) -> Lowered | None:
    """A task node: one task binding the inputs and running the unit (a cached task looks its
    outputs up first and stores them after)."""
    unit = task_unit(b, ctx, node, node)
    if unit is None:
        return None
    if isinstance(unit, ArrayTaskUnit):
        return lower_array_task(b, ctx, node, unit)
    if isinstance(unit, ConnectorUnit) and unit.engine not in NATIVE_ENGINES:
        return lower_sql(b, ctx, node, unit)
    if isinstance(unit, ConnectorUnit):
        return lower_native(b, ctx, node, unit)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    if isinstance(unit, K8sResourceUnit):
        return one(b.flow.add(ctx.group, node.id, steps.Resource(ctx.path(node), plan, unit)).id)
    cache = None
    if unit.policy.cache is not None:
        cache = steps.Cache(cache_key_json(unit.task, unit.policy.cache, b.launch_plan))
    step = steps.Task(ctx.path(node), plan, unit, cache=cache)
    return one(b.flow.add(ctx.group, node.id, step).id)


def lower_native(
    b: FlowBuilder, ctx: Context, node: ir.Node, unit: ConnectorUnit
) -> Lowered | None:
    """A task wrapping an Airflow operator: that operator (see :mod:`.native`)."""
    task = unit.task
    problem = ""
    try:
        native = NATIVE_ENGINES[unit.engine](unit)
    except NativeError as error:
        problem = str(error)
    if not problem and task.interface.outputs:
        names = ", ".join(task.interface.outputs)
        problem = f"it declares outputs ({names}), which the operator it wraps does not write"
    if not problem and unit.policy.cache is not None:
        problem = "caching a task without outputs is not supported on the Airflow target"
    if problem:
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"task '{task.id.name}' of type '{task.type}': {problem}",
            node,
        )
        return None
    step = steps.Native(ctx.path(node), native, unit)
    return one(b.flow.add(ctx.group, node.id, step).id)


def lower_sql(b: FlowBuilder, ctx: Context, node: ir.Node, unit: ConnectorUnit) -> Lowered | None:
    """A query run on the connection configured for its engine (see :mod:`.sql`): render it
    (the node's inputs bound), run it with the provider's operator, write the outputs."""
    query, conn_id = unit.query, sql_connection(b.config, unit)
    assert query is not None and conn_id is not None
    problem = sql_problem(unit)
    if problem:
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"task '{unit.task.id.name}' of type '{unit.task.type}': {problem}",
            node,
        )
        return None
    path = ctx.path(node)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    render = b.flow.add(
        ctx.group, f"{node.id}-render", steps.Task(path, plan, query.render, xcom=True)
    )
    run = b.flow.add(
        ctx.group, node.id, steps.SqlQuery(path, conn_id, render.id, unit, query.settings)
    )
    run.after([render.id])
    env_from = ((query.results_env, run.id),) if query.results_env else ()
    outputs_step = steps.Task(path, plan, query.outputs, env_from=env_from)
    outputs = b.flow.add(ctx.group, f"{node.id}-outputs", outputs_step)
    outputs.after([run.id])
    return Lowered([render.id], [outputs.id], [render.id, run.id, outputs.id])


def lower_subworkflow(b: FlowBuilder, ctx: Context, node: ir.Node) -> Lowered | None:
    """A subworkflow: a task group; its nodes live under the subworkflow node's path."""
    kind = node.kind
    assert isinstance(kind, ir.SubworkflowNode)
    sub = b.compiled.workflow(kind.workflow)
    assert sub is not None
    plans = b.plans.node_inputs(ctx.scope, node)
    inputs = {v: plans.get(v, {"literal": NONE_LITERAL}) for v in sub.workflow.interface.inputs}
    group = b.flow.add_group(ctx.group, node.id, tooltip=sub.id.name)
    inner = Context(PlanScope(sub, ctx.scope.prefix.child(node.id), inputs), group.id)
    first = len(b.flow.ops)
    b.workflow(sub, inner)
    ids = list(b.flow.ops)[first:]
    if not ids:
        return one(b.flow.add(group.id, "empty", steps.Join()).id)
    inside = set(ids)
    has_down = {u for i in ids for u in b.flow.ops[i].upstream if u in inside}
    entry = [i for i in ids if not any(u in inside for u in b.flow.ops[i].upstream)]
    exits = [i for i in ids if i not in has_down]
    return Lowered(entry, exits, ids)


def lower_branch(b: FlowBuilder, ctx: Context, node: ir.Node) -> Lowered | None:
    """A branch: decide, run the chosen case, join."""
    kind = node.kind
    assert isinstance(kind, ir.BranchNode)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    cases = json.dumps(cases_json(kind), sort_keys=True, separators=(",", ":"))
    decide = b.flow.add(ctx.group, node.id, steps.Branch(ctx.path(node), plan, cases, ()))
    case_nodes = [c.then_node for c in kind.cases if c.then_node is not None]
    if kind.else_node is not None:
        case_nodes.append(kind.else_node)
    targets: list[tuple[str, ...]] = []
    exits: list[str] = []
    ops = [decide.id]
    for case in case_nodes:
        lowered = b.lower(ctx, case)
        if lowered is None:
            targets.append(())
            continue
        own = [u for u in b.upstream_exits(ctx.scope.cw, case.id, ctx.done) if u != decide.id]
        for op_id in lowered.entry:
            b.flow.ops[op_id].after([decide.id, *own])
        targets.append(tuple(lowered.entry))
        exits += lowered.exits
        ops += lowered.ops
    decide.step = steps.Branch(ctx.path(node), plan, cases, tuple(targets))
    join = b.flow.add(ctx.group, f"{node.id}-join", steps.Join(), NONE_FAILED_MIN_ONE_SUCCESS)
    join.after(exits or [decide.id])
    return Lowered([decide.id], [join.id], [*ops, join.id])


def lower_gate(b: FlowBuilder, ctx: Context, node: ir.Node) -> Lowered | None:
    """Sleep: a deferrable wait from the task's start. Approve: a human-in-the-loop approval
    (its outputs are its inputs, resolved through it at compile time). Signal: a
    human-in-the-loop entry whose value the runtime turns into the node's output."""
    kind = node.kind
    assert isinstance(kind, ir.GateNode)
    title = node.metadata.name or node.id
    step: steps.Step
    if kind.kind is ir.GateKind.SLEEP:
        step = steps.Sleep(kind.sleep_s)
    elif kind.kind is ir.GateKind.APPROVE:
        step = steps.Approve(f"Approve {title}", f"Flyte approve gate '{kind.signal_id}'")
    elif kind.kind is ir.GateKind.SIGNAL and kind.signal_type is not None:
        from fcomp.backends.airflow.params import schema_for

        step = steps.Signal(
            ctx.path(node),
            kind.signal_id,
            b64(kind.signal_type.pb),
            kind.output_variable_name,
            schema_for(kind.signal_type),
        )
    else:
        b.error(codes.VALUE_REQUIRED, "gate node waits for nothing", node)
        return None
    return one(b.flow.add(ctx.group, node.id, step).id)


def lower_array(b: FlowBuilder, ctx: Context, node: ir.Node) -> Lowered | None:
    """A map task: size, mapped elements, gather."""
    kind = node.kind
    assert isinstance(kind, ir.ArrayNode)
    sub = kind.node
    if sub is None or not isinstance(sub.kind, ir.TaskNode):
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            "array nodes over anything but a task are not supported on the Airflow target",
            node,
        )
        return None
    unit = task_unit(b, ctx, node, sub)
    if unit is None:
        return None
    if not isinstance(unit, PodUnit):
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"map tasks over '{unit.task.type}' tasks are not supported on the Airflow target",
            node,
        )
        return None
    iface = ctx.scope.cw.interfaces.get(node.id)
    assert iface is not None
    mapped = kind.mapped_inputs(iface)
    return _map(
        b,
        ctx,
        node,
        unit,
        iface,
        mapped,
        kind.min_successes,
        kind.min_success_ratio,
        parallelism=kind.parallelism,
    )


def lower_array_task(
    b: FlowBuilder, ctx: Context, node: ir.Node, unit: ArrayTaskUnit
) -> Lowered | None:
    """A legacy map task (``container_array``): mapped like an array node, each element
    writing its outputs straight into its ``data`` folder."""
    iface = unit.task.interface
    mapped = tuple(n for n, v in iface.inputs.items() if isinstance(v.type, ir.Collection))
    return _map(
        b,
        ctx,
        node,
        unit.element,
        iface,
        mapped,
        unit.min_successes,
        unit.min_success_ratio,
        legacy=True,
        parallelism=unit.parallelism,
    )


def _map(
    b: FlowBuilder,
    ctx: Context,
    node: ir.Node,
    unit: PodUnit,
    iface: ir.Interface,
    mapped: tuple[str, ...],
    min_successes: int | None,
    min_success_ratio: float | None,
    legacy: bool = False,
    parallelism: int | None = None,
) -> Lowered:
    """Size, mapped elements, gather."""
    path = ctx.path(node)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    size = b.flow.add(ctx.group, node.id, steps.ArraySize(path, plan, mapped))
    limit = parallelism if parallelism else None  # 0: no limit, as on Flyte
    element = steps.Task(path, "", unit, element=steps.Element({}, mapped, path, legacy, limit))
    run = b.flow.add(ctx.group, f"{node.id}-map", element)
    run.mapped_over = size.id
    run.after([size.id])
    outputs = json.dumps(
        {n: b64(v.type.pb) for n, v in iface.outputs.items()}, sort_keys=True, separators=(",", ":")
    )
    gather_step = steps.Gather(path, outputs, size.id, min_successes, min_success_ratio)
    gather = b.flow.add(ctx.group, f"{node.id}-gather", gather_step, NONE_SKIPPED)
    gather.after([size.id, run.id])
    return Lowered([size.id], [gather.id], [size.id, run.id, gather.id])


def lower_launch_plan(b: FlowBuilder, ctx: Context, node: ir.Node) -> Lowered | None:
    """A launch-plan node: bind the inputs, run the plan's DAG as a child run, wait for it;
    the child's outputs task writes its outputs to this node."""
    kind = node.kind
    assert isinstance(kind, ir.LaunchPlanNode)
    lp = b.compiled.catalog.launch_plans.find(kind.launch_plan)
    dag_id = b.dag_ids.get(lp.id.name) if lp is not None else None
    if dag_id is None:
        b.error(
            codes.WORKFLOW_REFERENCE_NOT_FOUND,
            f"launch plan [{kind.launch_plan.render()}] is not in the input, so there is no "
            "DAG to run for it",
            node,
        )
        return None
    plan = b.plans.node_inputs_json(ctx.scope, node)
    child = b.compiled.workflow(lp.workflow) if lp is not None else None
    stand_ins: dict[str, object] = {}
    if lp is not None and child is not None:
        for spec in param_specs(lp, child.workflow):
            if not spec.has_default:
                stand_ins[spec.name] = stand_in(spec.schema)
    step = steps.Child(ctx.path(node), plan, dag_id, stand_ins)
    return one(b.flow.add(ctx.group, node.id, step).id)


NODE_LOWERINGS: dict[type, Handler] = {
    ir.TaskNode: lower_task_node,
    ir.SubworkflowNode: lower_subworkflow,
    ir.BranchNode: lower_branch,
    ir.GateNode: lower_gate,
    ir.ArrayNode: lower_array,
    ir.LaunchPlanNode: lower_launch_plan,
}
