"""``fcomp build --target airflow``: one DAG module per launch plan.

Each module defines one DAG whose id is the launch plan's name (sanitised), with the plan's
schedule, typed ``params`` (fixed inputs are not params), retries and timeouts per task,
``max_active_tasks`` from the plan's max parallelism and ``catchup=False``. The operators come
from the configured flavour (``airflow_flavour``: ``kubernetes`` or ``local``). Building never
imports Airflow: the generated files do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from fcomp.backends.airflow import params as param_forms
from fcomp.backends.airflow import steps
from fcomp.backends.airflow.dagsplit import split_flow, write_split
from fcomp.backends.airflow.emit import EmitContext, as_datetime
from fcomp.backends.airflow.graph import FlowBuilder
from fcomp.backends.airflow.kubernetes import MACROS
from fcomp.backends.airflow.local import dropped_settings, resource_runnable
from fcomp.backends.airflow.model import TASK_ID_MAX, Flow
from fcomp.backends.airflow.module import FLAVOURS, DagSettings, write_module
from fcomp.backends.airflow.pods import child_settings
from fcomp.backends.airflow.pysource import Expr, Name, comment
from fcomp.backends.airflow.schedule import schedule_expr
from fcomp.backends.airflow.splits import split_for_pods
from fcomp.backends.common.launch_plans import launch_plans, plan_config
from fcomp.backends.common.names import Namer, NameRule, short_hash
from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.driver import Compilation
from fcomp.compiler.passes.results import CompiledWorkflow

#: DAG ids: Airflow allows letters, digits, ``_``, ``.`` and ``-``, up to 250 characters.
DAG_ID = NameRule(max_len=200, allowed="a-zA-Z0-9_.-", lowercase=False)
#: Longest DAG file name (without ``.py``).
FILE_NAME_MAX = 120
#: Airflow's limit on a tag's length.
TAG_MAX = 100
#: A fixed start date for scheduled DAGs (runs start from the first schedule after it).
START_DATE = (2024, 1, 1)


def build_airflow(
    compilation: Compilation, base_config: Config, names: Sequence[str] = ()
) -> tuple[dict[str, str], list[Diagnostic]]:
    """File name -> DAG module source for every chosen launch plan, and the diagnostics."""
    assert compilation.compiled is not None
    diagnostics: list[Diagnostic] = []
    dag_ids = dag_names(compilation)
    file_of = file_names(dag_ids)
    out: dict[str, str] = {}
    for lp in launch_plans(compilation, names, diagnostics):
        config = plan_config(base_config, lp)
        cw = compilation.compiled.workflow(lp.workflow)
        assert cw is not None
        errors_before = _errors(diagnostics)
        flow = FlowBuilder(compilation.compiled, config, lp, diagnostics, dag_ids).build(cw)
        if config.airflow_flavour == "kubernetes":
            flow = split_for_pods(flow)
        _check_flow(flow, config, lp, diagnostics)
        if _errors(diagnostics) > errors_before:
            continue
        dag_id = dag_ids[lp.id.name]
        ctx = EmitContext(
            config.airflow_flavour,
            flow.ops,
            file_of,
            _kickoff(lp),
            config,
            dict(lp.labels),
            dict(lp.annotations),
        )
        settings = dag_settings(lp, cw, dag_id, config, flow, ctx, diagnostics)
        split = split_flow(flow, dag_id, config.airflow_max_tasks_per_dag)
        if split is None:
            out[file_of[dag_id]] = write_module(flow, settings, ctx)
            continue
        parent, parts = write_split(split, settings, ctx, partial(_context, config, file_of, lp))
        out[file_of[dag_id]] = parent
        base = file_of[dag_id].removesuffix(".py")
        for part_id, source in parts.items():
            out[f"{base}_{part_id.rsplit('.', 1)[-1]}.py"] = source
    return out, diagnostics


def _context(
    config: Config, file_of: Mapping[str, str], lp: ir.LaunchPlan, flow: Flow
) -> EmitContext:
    """A fresh emit context for one module of ``lp``'s DAG (a part of a split DAG)."""
    return EmitContext(
        config.airflow_flavour,
        flow.ops,
        file_of,
        _kickoff(lp),
        config,
        dict(lp.labels),
        dict(lp.annotations),
    )


def dag_names(compilation: Compilation) -> dict[str, str]:
    """The DAG id of every launch plan of the input, by launch-plan name."""
    ids = Namer(DAG_ID)
    return {lp.id.name: ids.name(lp.id.name) for lp in launch_plans(compilation, (), [])}


def dag_files(compilation: Compilation) -> dict[str, str]:
    """The DAG file name of every launch plan of the input, by launch-plan name."""
    dag_ids = dag_names(compilation)
    files = file_names(dag_ids)
    return {name: files[dag_id] for name, dag_id in dag_ids.items()}


def _errors(diagnostics: list[Diagnostic]) -> int:
    return sum(d.severity is Severity.ERROR for d in diagnostics)


def _kickoff(lp: ir.LaunchPlan) -> str:
    return lp.schedule.kickoff_time_input_arg if lp.schedule is not None else ""


#: The flavour that runs what the other cannot (a Kubernetes resource runs only in
#: ``kubernetes``; a Spark task runs in both).
_OTHER_FLAVOUR = {"kubernetes": "local", "local": "kubernetes"}


def _check_flow(
    flow: Flow, config: Config, lp: ir.LaunchPlan, diagnostics: list[Diagnostic]
) -> None:
    """Report steps the flavour cannot run, task ids over Airflow's length limit and task
    groups nested deeper than a DAG module can hold."""
    depth = group_depth(flow)
    too_deep = depth > MAX_GROUP_DEPTH
    if too_deep:
        diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                codes.LIMIT_EXCEEDED,
                f"task groups nest {depth} deep (subworkflows and branches inside each other); "
                f"a DAG module holds at most {MAX_GROUP_DEPTH}: Python compiles at most 20 "
                "nested blocks, one of them the DAG's own",
                lp.source,
            )
        )
    emitters = FLAVOURS[config.airflow_flavour]
    if config.airflow_flavour == "local":
        _local_drops(flow, diagnostics)
    for op in flow.ops.values():
        runnable = type(op.step) in emitters
        if runnable and isinstance(op.step, steps.Resource) and config.airflow_flavour == "local":
            runnable = resource_runnable(op.step.unit)
        if not runnable:
            other = _OTHER_FLAVOUR[config.airflow_flavour]
            hint = (
                ""
                if type(op.step) not in FLAVOURS[other]
                else (f"; the '{other}' flavour runs it (--set airflow_flavour={other})")
            )
            unit = getattr(op.step, "unit", None)
            what = f"task type '{unit.task.type}'" if unit is not None else type(op.step).__name__
            if isinstance(op.step, steps.Task) and op.step.unit.dynamic:
                what = f"dynamic task '{op.step.unit.task.id.name}'"
            if isinstance(op.step, steps.Resource):
                what += f" ({op.step.unit.kind})"
            diagnostics.append(
                Diagnostic(
                    Severity.ERROR,
                    codes.UNSUPPORTED_CONSTRUCT,
                    f"{what} (task '{op.id}') cannot run with the Airflow "
                    f"'{config.airflow_flavour}' flavour{hint}",
                    lp.source,
                )
            )
        if len(op.id) > TASK_ID_MAX and not too_deep:
            diagnostics.append(
                Diagnostic(
                    Severity.ERROR,
                    codes.UNSUPPORTED_CONSTRUCT,
                    f"task id '{op.id[:60]}...' is {len(op.id)} characters long; Airflow allows "
                    f"{TASK_ID_MAX} (subworkflows nested too deep)",
                    lp.source,
                )
            )


def _local_drops(flow: Flow, diagnostics: list[Diagnostic]) -> None:
    """Report the pod settings the ``local`` flavour does not apply, once per task and set of
    settings (a node's overrides may add some)."""
    seen: set[tuple[str, ...]] = set()
    for op in flow.ops.values():
        if not isinstance(op.step, steps.Task):
            continue
        unit = op.step.unit
        dropped = dropped_settings(unit)
        key = (unit.task.id.name, *dropped)
        if dropped and key not in seen:
            seen.add(key)
            diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    codes.IGNORED_FIELD,
                    f"task '{unit.task.id.name}' runs as a process on the Airflow worker "
                    f"(airflow_flavour=local), without its {', '.join(dropped)}",
                    unit.task.source,
                )
            )


#: Task groups (each a ``with TaskGroup(...)`` block inside the DAG's ``with``) a DAG module
#: can nest: Python refuses code with more than 20 statically nested blocks.
MAX_GROUP_DEPTH = 19


def group_depth(flow: Flow) -> int:
    """How deep the flow's task groups nest (0 without groups)."""
    depth: dict[str, int] = {"": 0}
    for gid in flow.groups:
        chain: list[str] = []
        g = gid
        while g not in depth:
            chain.append(g)
            g = flow.groups[g].parent
        d = depth[g]
        for g in reversed(chain):
            d += 1
            depth[g] = d
    return max(depth.values())


def dag_settings(
    lp: ir.LaunchPlan,
    cw: CompiledWorkflow,
    dag_id: str,
    config: Config,
    flow: Flow,
    ctx: EmitContext,
    diagnostics: list[Diagnostic],
    optional: bool = False,
) -> DagSettings:
    """The ``DAG(...)`` arguments of a launch plan's DAG (``optional``: every param may be
    left out, for a child run whose inputs come from its parent)."""
    wf = cw.workflow
    kwargs: dict[str, Expr] = {
        "dag_id": dag_id,
        "description": f"Flyte launch plan {lp.id.name}",
    }
    schedule, problem = schedule_expr(lp.schedule)
    if problem:
        diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                codes.UNSUPPORTED_CONSTRUCT,
                problem,
                lp.source.at(field="entity_metadata.schedule"),
            )
        )
    kwargs["schedule"] = schedule
    if schedule is not None:
        kwargs["start_date"] = as_datetime(*START_DATE)
        if not lp.active:
            kwargs["is_paused_upon_creation"] = True
    kwargs["catchup"] = False
    if lp.max_parallelism > 0:
        kwargs["max_active_tasks"] = lp.max_parallelism
    if lp.concurrency is not None and lp.concurrency.max_concurrency > 0:
        kwargs["max_active_runs"] = lp.concurrency.max_concurrency
    specs = param_forms.param_specs(lp, wf, optional)
    if specs:
        kwargs["params"] = {
            s.name: ctx.param(s.schema, s.default, s.has_default, s.description) for s in specs
        }
    kwargs["tags"] = _tags(wf.metadata.tags)
    header = (
        comment(f"launch plan: {lp.id.name}"),
        comment(f"workflow: {wf.id.name}"),
        comment(f"flavour: {config.airflow_flavour}"),
    )
    start = next(op.step for op in flow.ops.values() if isinstance(op.step, steps.Start))
    settings: dict[str, Any] = {
        "prefix": config.storage_prefix,
        "raw": config.raw_prefix,
        "namespace": config.namespace,
    }
    if config.airflow_flavour == "local" and any(
        getattr(getattr(op.step, "unit", None), "dynamic", False) for op in flow.ops.values()
    ):
        # what the runtime's dynamic step needs to build child DAGs like this one
        settings["dynamic"] = child_settings(config)
    if config.airflow_flavour == "kubernetes":
        settings["inputs"] = list(start.types)
        settings["defaults"] = dict(start.defaults)
        settings["kickoff"] = ctx.kickoff
        children = {
            op.step.node: dict(op.step.params)
            for op in flow.ops.values()
            if isinstance(op.step, steps.Trigger) and op.step.params
        }
        if children:
            settings["child_params"] = children
        kwargs["user_defined_macros"] = {m: Name(m) for m in MACROS}
    return DagSettings(dag_id, str(kwargs["description"]), header, kwargs, settings)


def _tags(pairs: ir.KeyValues) -> list[str]:
    tags = ["fcomp"]
    for key, value in pairs:
        tag = f"{key}:{value}" if value else key
        tags.append(tag if len(tag) <= TAG_MAX else tag[: TAG_MAX - 3] + "...")
    return sorted(set(tags), key=tags.index)


def file_names(dag_ids: Mapping[str, str]) -> dict[str, str]:
    """File name of each DAG id: a module name (``.`` and ``-`` become ``_``), with a short
    hash of the id when two ids would share one, also when they differ only in case (one
    file on a case-insensitive file system, and one module for Python there)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for dag_id in dag_ids.values():
        base = re.sub(r"[^A-Za-z0-9_]", "_", dag_id)[:FILE_NAME_MAX]
        if not base[:1].isalpha():
            base = "dag_" + base
        name = base if base.casefold() not in taken else f"{base}_{short_hash(dag_id)}"
        taken.add(name.casefold())
        out[dag_id] = name + ".py"
    return out
