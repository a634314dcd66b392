"""Keep every DAG file small enough to import within Airflow's ``dagbag_import_timeout``: a flow
of more than ``airflow_max_tasks_per_dag`` tasks is split into child DAGs that its DAG
triggers in order.

Airflow imports each DAG file within ``dagbag_import_timeout`` (30 s by default), and the
import time of one file grows faster than its task count (the README's performance section:
a file of 10,000 tasks times out, eleven files of at most 1,000 import in about a millisecond
per task). Past the limit the flow is cut, in its task order, into parts of at
most that many tasks; tasks that refer to each other (a mapped task and its list, a branch and
its cases' choice, a gather and its guard) stay together. Each part is a child DAG (``<dag
id>.part<k>``, in a file of its own, no schedule) holding the part's tasks and the
dependencies among them. The parent keeps the start and outputs tasks and runs each part with
``TriggerDagRunOperator`` (waiting for it), after the parts and tasks it depended on.

A child run gets the parent's run id (``trigger_run_id``), so the runtime's execution id
(the run id made path-safe) is the parent's: the children read and write the node data where
the parent's tasks do. The ``local`` flavour's ``dag.test()`` does not run triggered DAGs, so a
split DAG runs on an Airflow deployment, not with ``fcomp run --engine airflow-local``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fcomp.backends.airflow import steps
from fcomp.backends.airflow.emit import EmitContext, common_kwargs
from fcomp.backends.airflow.model import ALL_SUCCESS, Flow, Op
from fcomp.backends.airflow.module import FLAVOURS, DagSettings, _ordered, write_module
from fcomp.backends.airflow.pysource import Expr, call

#: Tasks that stay in the parent DAG: they read its params and the run's conf.
_PARENT_STEPS = (steps.Start, steps.Outputs)


@dataclass(frozen=True)
class RunPart:
    """Trigger child DAG ``dag_id`` with this run's id and wait until it ends."""

    dag_id: str


def emit_run_part(ctx: EmitContext, op: Op, step: RunPart) -> Expr:
    """``TriggerDagRunOperator`` running a part as a run with the same run id."""
    ctx.need("airflow.providers.standard.operators.trigger_dagrun", "TriggerDagRunOperator")
    return call(
        "TriggerDagRunOperator",
        **common_kwargs(ctx, op),
        trigger_dag_id=step.dag_id,
        trigger_run_id="{{ run_id }}",
        wait_for_completion=True,
        poke_interval=10,
        allowed_states=["success"],
        failed_states=["failed"],
        deferrable=True,
    )


for _emitters in FLAVOURS.values():
    _emitters[RunPart] = emit_run_part  # type: ignore[index]


@dataclass
class Split:
    """A flow cut into the parent's flow and the parts' flows (``dag_id`` -> flow)."""

    parent: Flow
    parts: dict[str, Flow] = field(default_factory=dict)


def split_flow(flow: Flow, dag_id: str, max_tasks: int) -> Split | None:
    """The flow cut into parts of at most ``max_tasks`` tasks, or None when it fits."""
    if len(flow.ops) <= max_tasks:
        return None
    ordered = _ordered(flow)
    stay = [op for op in ordered if isinstance(op.step, _PARENT_STEPS)]
    stay_ids = {op.id for op in stay}
    groups = _groups(flow, [op for op in ordered if op.id not in stay_ids])
    parts: list[list[Op]] = [[]]
    for group in groups:
        if parts[-1] and len(parts[-1]) + len(group) > max_tasks:
            parts.append([])
        parts[-1].extend(group)
    part_of = {op.id: k for k, ops in enumerate(parts) for op in ops}
    split = Split(Flow(groups={}))
    parent = split.parent
    names = parent.namer("")
    for op in stay:
        names.name(op.local_id)
    launch: list[Op] = []
    for k, ops in enumerate(parts):
        child_id = f"{dag_id}.part{k}"
        child = Flow(groups=flow.groups)
        for op in ops:
            kept = [u for u in op.upstream if part_of.get(u) == k]
            child.ops[op.id] = dataclasses.replace(op, upstream=kept)
        split.parts[child_id] = child
        launcher = parent.add("", f"part{k}", RunPart(child_id))  # type: ignore[arg-type]
        launch.append(launcher)
        after: dict[str, None] = {}
        for op in ops:
            for u in op.upstream:
                owner = part_of.get(u)
                if owner is None:
                    after[u] = None
                elif owner != k:
                    after[launch[owner].id] = None
        launcher.after(list(after))
    for op in stay:
        ups: dict[str, None] = {}
        for u in op.upstream:
            owner = part_of.get(u)
            ups[launch[owner].id if owner is not None else u] = None
        parent.ops[op.id] = dataclasses.replace(op, upstream=list(ups))
    # Parent order: start, the parts, then the outputs (creation order is emission order).
    starts = {k: v for k, v in parent.ops.items() if isinstance(v.step, steps.Start)}
    rest = {k: v for k, v in parent.ops.items() if k not in starts}
    parent.ops = {**starts, **rest}
    for op_id in [i for i, v in parent.ops.items() if isinstance(v.step, steps.Outputs)]:
        parent.ops[op_id] = parent.ops.pop(op_id)
    return split


def write_split(
    split: Split, settings: DagSettings, ctx: EmitContext, new_ctx: Callable[[Flow], EmitContext]
) -> tuple[str, dict[str, str]]:
    """The parent module's source (written with ``ctx``, which the DAG's settings were made
    with) and each part's, by DAG id (each with a context ``new_ctx(flow)``)."""
    ctx.ops = split.parent.ops
    parent_source = write_module(split.parent, settings, ctx)
    kwargs = dict(settings.dag_kwargs)
    for key in ("params", "start_date", "is_paused_upon_creation", "max_active_runs"):
        kwargs.pop(key, None)
    kwargs["schedule"] = None
    sources: dict[str, str] = {}
    for dag_id, flow in split.parts.items():
        child_kwargs = {
            **kwargs,
            "dag_id": dag_id,
            "description": f"Part of {settings.dag_id}: run by it, with its run id",
        }
        child = dataclasses.replace(
            settings,
            dag_id=dag_id,
            description=str(child_kwargs["description"]),
            dag_kwargs=child_kwargs,
        )
        sources[dag_id] = write_module(flow, child, new_ctx(flow))
    return parent_source, sources


def _groups(flow: Flow, ops: list[Op]) -> list[list[Op]]:
    """``ops`` in groups that must stay in one DAG: an op with the ops its step or mapping
    names (each group in the order of its first op)."""
    index = {op.id: i for i, op in enumerate(ops)}
    parent = list(range(len(ops)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, op in enumerate(ops):
        for ref in _named_ops(op):
            j = index.get(ref)
            if j is not None:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        # A task that runs only after some of its upstream tasks failed or were skipped
        # (a branch join, a gather's guard) reads their states: keep it with them.
        if op.trigger_rule != ALL_SUCCESS:
            for ref in op.upstream:
                j = index.get(ref)
                if j is not None:
                    a, b = find(i), find(j)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
    out: dict[int, list[Op]] = {}
    for i, op in enumerate(ops):
        out.setdefault(find(i), []).append(op)
    return list(out.values())


def _named_ops(op: Op) -> list[str]:
    """The task ids an op's step or mapping refers to."""
    found: list[str] = [op.mapped_over] if op.mapped_over else []
    stack: list[Any] = [op.step]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            if type(value).__name__.endswith("Unit"):
                continue  # execution units name no tasks
            stack.extend(getattr(value, f.name) for f in dataclasses.fields(value))
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return found
