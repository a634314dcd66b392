"""Convert workflow templates, launch plans and dynamic job specs."""

from __future__ import annotations

from flyteidl.admin import launch_plan_pb2, schedule_pb2
from flyteidl.core import dynamic_job_pb2, workflow_pb2

from fcomp.compiler import ir
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.frontend.interfaces import convert_interface, convert_parameters
from fcomp.compiler.frontend.nodes import convert_bindings, convert_node
from fcomp.compiler.frontend.tasks import convert_ident
from fcomp.compiler.frontend.types import convert_literal

#: Ids of the nodes Flyte's compiler adds; compiled closures already carry them.
START_NODE = "start-node"
END_NODE = "end-node"


def registered_template(t: workflow_pb2.WorkflowTemplate) -> workflow_pb2.WorkflowTemplate:
    """A compiled template as it was registered: without Flyte's start and end nodes, and with
    the ``<branch>-`` prefix Flyte's compiler gave every branch child taken off again.

    Compiling the result reproduces the compiled ids exactly, instead of prefixing them twice
    (``n0-n0`` becoming ``n0-n0-n0``). A child whose id lacks its parent's prefix keeps it.
    """
    out = workflow_pb2.WorkflowTemplate()
    out.CopyFrom(t)
    kept = [n for n in out.nodes if n.id not in (START_NODE, END_NODE)]
    del out.nodes[:]
    out.nodes.extend(kept)
    roots = list(out.nodes)
    if out.HasField("failure_node"):
        roots.append(out.failure_node)
    # (node, the id the compiler gave it); iterative, so deep nesting cannot overflow.
    stack = [(n, n.id) for n in roots]
    while stack:
        node, compiled_id = stack.pop()
        if node.WhichOneof("target") != "branch_node":
            continue
        ie = node.branch_node.if_else
        children = [o.then_node for o in ie.other if o.HasField("then_node")]
        if ie.HasField("case") and ie.case.HasField("then_node"):
            children.append(ie.case.then_node)
        if ie.WhichOneof("default") == "else_node":
            children.append(ie.else_node)
        prefix = f"{compiled_id}-"
        for child in children:
            child_id = child.id
            if child_id.startswith(prefix) and len(child_id) > len(prefix):
                child.id = child_id[len(prefix) :]
            stack.append((child, child_id))
    return out


def convert_workflow(
    t: workflow_pb2.WorkflowTemplate, source: Source, *, compiled: bool = False
) -> ir.Workflow:
    """Convert a workflow template; a compiled one first goes back to its registered form
    (see :func:`registered_template`)."""
    source = Source(source.file, t.id.name)
    if compiled:
        t = registered_template(t)
    nodes = list(t.nodes)
    policy = t.metadata.on_failure
    return ir.Workflow(
        id=convert_ident(t.id),
        interface=convert_interface(t.interface),
        nodes=tuple(convert_node(n, source) for n in nodes),
        outputs=convert_bindings(t.outputs, source.at(node=END_NODE)),
        failure_node=convert_node(t.failure_node, source) if t.HasField("failure_node") else None,
        metadata=ir.WorkflowMetadata(
            on_failure=ir.FailurePolicy(policy)
            if policy in ir.FailurePolicy._value2member_map_
            else ir.FailurePolicy.FAIL_IMMEDIATELY,
            quality_of_service=_qos(t.metadata.quality_of_service),
            tags=tuple(sorted(t.metadata.tags.items())),
            interruptible=t.metadata_defaults.interruptible,
        ),
        source=source,
    )


def _qos(q: object) -> str:
    tier = getattr(q, "tier", 0)
    return {1: "HIGH", 2: "MEDIUM", 3: "LOW"}.get(tier, "")


def _schedule(s: schedule_pb2.Schedule) -> ir.Schedule | None:
    kind = s.WhichOneof("ScheduleExpression")
    expression: ir.CronSchedule | ir.FixedRate
    if kind == "cron_expression":
        expression = ir.CronSchedule(s.cron_expression, aws=True)
    elif kind == "cron_schedule":
        expression = ir.CronSchedule(s.cron_schedule.schedule, s.cron_schedule.offset)
    elif kind == "rate":
        unit = schedule_pb2.FixedRateUnit.Name(s.rate.unit)
        expression = ir.FixedRate(s.rate.value, unit)
    else:
        return None
    return ir.Schedule(expression, s.kickoff_time_input_arg)


def convert_launch_plan(lp: launch_plan_pb2.LaunchPlan, source: Source) -> ir.LaunchPlan:
    """Convert a launch plan (id + spec)."""
    spec = lp.spec
    source = Source(source.file, lp.id.name)
    service_account = (
        spec.security_context.run_as.k8s_service_account
        or spec.auth_role.kubernetes_service_account
        or spec.auth.kubernetes_service_account
    )
    iam_role = (
        spec.security_context.run_as.iam_role
        or spec.auth_role.assumable_iam_role
        or spec.auth.assumable_iam_role
    )
    concurrency = None
    if spec.HasField("concurrency_policy"):
        cp = spec.concurrency_policy
        concurrency = ir.ConcurrencyPolicy(
            cp.max, launch_plan_pb2.ConcurrencyLimitBehavior.Name(cp.behavior)
        )
    meta = spec.entity_metadata
    return ir.LaunchPlan(
        id=convert_ident(lp.id),
        workflow=convert_ident(spec.workflow_id),
        default_inputs=convert_parameters(spec.default_inputs),
        fixed_inputs=tuple(
            (k, convert_literal(spec.fixed_inputs.literals[k]))
            for k in sorted(spec.fixed_inputs.literals, key=ir.natural_key)
        ),
        schedule=_schedule(meta.schedule) if meta.HasField("schedule") else None,
        labels=tuple(sorted(spec.labels.values.items())),
        annotations=tuple(sorted(spec.annotations.values.items())),
        service_account=service_account,
        iam_role=iam_role,
        raw_output_prefix=spec.raw_output_data_config.output_location_prefix,
        max_parallelism=spec.max_parallelism,
        interruptible=spec.interruptible.value if spec.HasField("interruptible") else None,
        overwrite_cache=spec.overwrite_cache,
        envs=tuple((kv.key, kv.value) for kv in spec.envs.values),
        notifications=len(meta.notifications),
        active=lp.closure.state == launch_plan_pb2.ACTIVE if lp.HasField("closure") else True,
        concurrency=concurrency,
        cluster_assignment=spec.cluster_assignment.cluster_pool_name,
        quality_of_service=_qos(spec.quality_of_service),
        source=source,
    )


def convert_dynamic_job(d: dynamic_job_pb2.DynamicJobSpec, source: Source) -> ir.DynamicJob:
    """Convert a dynamic job spec's nodes and outputs (its tasks and subworkflows separately)."""
    return ir.DynamicJob(
        nodes=tuple(convert_node(n, source) for n in d.nodes),
        outputs=convert_bindings(d.outputs, source.at(node=END_NODE)),
        min_successes=d.min_successes,
        source=source,
    )
