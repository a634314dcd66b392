"""Build the task graph of one launch plan's DAG from its compiled workflow.

The root workflow gets a start task (workflow inputs), one or more tasks per node (by the
handler registered for the node's kind in :mod:`.nodes`), and an outputs task; a subworkflow
becomes a task group whose node paths live under the subworkflow node's path (binding plans
use concrete scopes, since every subworkflow is inlined). Dependencies follow the compiled
connections: a node's entry tasks wait for every exit task of its upstream nodes.

Failure policies: a failed task fails its downstream tasks (``upstream_failed``) and the
outputs task, so the run ends failed; tasks that do not depend on it still run. That is
Flyte's FAIL_AFTER_EXECUTABLE_NODES_COMPLETE. For FAIL_IMMEDIATELY Flyte also aborts the
running nodes; Airflow cannot abort the other tasks of a run without ending it successful
(``fail_fast`` marks the rest skipped, and a run whose leaves are skipped succeeds), so those
finish too: the run's state and outputs are Flyte's, side effects of parallel nodes may not be.
The failure node waits for every node task with ``one_failed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fcomp.backends.airflow import steps
from fcomp.backends.airflow.model import ONE_FAILED, Flow, Lowered
from fcomp.backends.common.plans import PlanBuilder, PlanError, PlanScope, b64, to_json
from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.passes.results import END_NODE, START_NODE, CompiledProgram, CompiledWorkflow

START_TASK = "start"
OUTPUTS_TASK = "outputs"
FAILURE_TASK = "on-failure"


@dataclass
class Context:
    """Where nodes are being lowered: the plan scope, the task group, and the lowered nodes
    of the scope so far (by node id)."""

    scope: PlanScope
    group: str
    done: dict[str, Lowered] = field(default_factory=dict)

    def path(self, node: ir.Node) -> str:
        """The node's path in the runtime data layout."""
        return self.scope.prefix.child(node.id).render()


class FlowBuilder:
    """Builds the :class:`~.model.Flow` of one launch plan."""

    def __init__(
        self,
        compiled: CompiledProgram,
        config: Config,
        launch_plan: ir.LaunchPlan,
        diagnostics: list[Diagnostic],
        dag_ids: Mapping[str, str],
    ) -> None:
        self.compiled = compiled
        self.config = config
        self.launch_plan = launch_plan
        self.diagnostics = diagnostics
        #: DAG id of every launch plan of the build, by launch-plan name.
        self.dag_ids = dag_ids
        self.plans = PlanBuilder(compiled)
        self.flow = Flow()

    def error(self, code: str, message: str, node: ir.Node) -> None:
        """Report an error about a node."""
        self.diagnostics.append(Diagnostic(Severity.ERROR, code, message, node.source))

    # --- the root ---------------------------------------------------------------------------
    def build(self, cw: CompiledWorkflow) -> Flow:
        """Start task, every node, outputs task, and the failure node."""
        start = self.flow.add("", START_TASK, start_step(self.launch_plan, cw.workflow))
        ctx = Context(PlanScope(cw), "")
        ctx.done[START_NODE] = Lowered([start.id], [start.id], [start.id])
        self.workflow(cw, ctx)
        try:
            plan = to_json(self.plans.workflow_outputs(ctx.scope))
        except PlanError as exc:
            plan = "{}"
            self.diagnostics.append(
                Diagnostic(Severity.ERROR, codes.INTERNAL_ERROR, str(exc), cw.workflow.source)
            )
        outputs = self.flow.add("", OUTPUTS_TASK, steps.Outputs(plan))
        outputs.after(self.upstream_exits(cw, END_NODE, ctx.done))
        if not outputs.upstream:
            outputs.after([start.id])
        self._failure_node(cw, ctx, start.id, outputs.id)
        return self.flow

    def _failure_node(self, cw: CompiledWorkflow, ctx: Context, start: str, end: str) -> None:
        """The failure node runs when any node task fails; the run still ends failed, since the
        outputs task (a leaf) is then upstream-failed."""
        node = cw.workflow.failure_node
        if node is None:
            return
        watched = [i for i in self.flow.ops if i not in (start, end)]
        lowered = self.lower(ctx, node)
        if lowered is None:
            return
        for op_id in lowered.entry:
            op = self.flow.ops[op_id]
            op.after(watched)
            op.trigger_rule = ONE_FAILED

    # --- workflows and nodes ----------------------------------------------------------------
    def workflow(self, cw: CompiledWorkflow, ctx: Context) -> None:
        """Lower every node of ``cw`` in topological order into ``ctx``."""
        for node_id in cw.order:
            node = cw.node(node_id)
            lowered = self.lower(ctx, node)
            if lowered is None:
                continue
            deps = self.upstream_exits(cw, node.id, ctx.done)
            for op_id in lowered.entry:
                self.flow.ops[op_id].after(deps)
            ctx.done[node.id] = lowered

    def upstream_exits(
        self, cw: CompiledWorkflow, node_id: str, done: Mapping[str, Lowered]
    ) -> list[str]:
        """Every exit task of the node's upstream nodes (each once, in order)."""
        out: dict[str, None] = {}
        for up in cw.upstream.get(node_id, ()):
            lowered = done.get(up)
            if lowered is not None:
                out.update(dict.fromkeys(lowered.exits))
        return list(out)

    def lower(self, ctx: Context, node: ir.Node) -> Lowered | None:
        """Lower one node with the handler registered for its kind."""
        from fcomp.backends.airflow.nodes import NODE_LOWERINGS

        handler = NODE_LOWERINGS.get(type(node.kind))
        if handler is None:
            what = type(node.kind).__name__.removesuffix("Node").lower() or "empty"
            self.error(
                codes.UNSUPPORTED_CONSTRUCT,
                f"{what} nodes are not supported on the Airflow target",
                node,
            )
            return None
        try:
            return handler(self, ctx, node)
        except PlanError as exc:
            self.error(codes.INTERNAL_ERROR, f"cannot plan the node's bindings: {exc}", node)
            return None


def start_step(lp: ir.LaunchPlan, wf: ir.Workflow) -> steps.Start:
    """The start task's data: input types, fixed inputs, defaults without a text form, and a
    cron schedule's offset for its kickoff input."""
    fixed = {name: b64(lit.pb) for name, lit in lp.fixed_inputs}
    defaults: dict[str, str] = {}
    for p in lp.default_inputs:
        name = p.var.name
        if name in fixed or p.default is None or p.default.text is not None:
            continue
        defaults[name] = b64(p.default.pb)
    shift: dict[str, str] = {}
    schedule = lp.schedule
    if schedule is not None and schedule.kickoff_time_input_arg:
        expr = schedule.expression
        if isinstance(expr, ir.CronSchedule) and expr.offset:
            shift[schedule.kickoff_time_input_arg] = expr.offset
    types = {name: b64(var.type.pb) for name, var in wf.interface.inputs.items()}
    return steps.Start(types, fixed, defaults, shift)
