"""Argo documents for a launch plan: a ``WorkflowTemplate`` (and a ``CronWorkflow`` when the
plan has a schedule), or a ready-to-submit ``Workflow``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.backends.argo.dags import DagBuilder, DagContext, finish_task, set_when
from fcomp.backends.argo.kubelet import literal
from fcomp.backends.argo.launchplans import INPUTS_PARAM, REPORT_PARAM
from fcomp.backends.argo.render import SPEC_PASSES, escape, exec_scope, expr_string
from fcomp.backends.argo.steps import (
    OUTPUTS_TEMPLATE,
    RUNTIME_TEMPLATES,
    START_TEMPLATE,
    cache_templates,
    control_templates,
    dynamic_templates,
    outputs_template,
    start_template,
)
from fcomp.backends.common.names import ARGO_TASK, Namer
from fcomp.backends.common.plans import PlanScope, b64
from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.passes.results import CompiledProgram, CompiledWorkflow
from fcomp.compiler.schedules import CronError, rate_seconds, schedule_cron
from fcomp.runtime.contract import DEFAULT_MARK

API_VERSION = "argoproj.io/v1alpha1"
LABEL_PREFIX = "fcomp.dev/"
#: Argo's length limit for CronWorkflow names (their Jobs' names derive from them).
CRON_NAME_MAX = 52


@dataclass(frozen=True)
class ArgoOptions:
    """What to emit: ``template`` (WorkflowTemplate + CronWorkflow) or ``workflow``."""

    emit: str = "template"


#: Passes over ``spec.podMetadata``: the spec's globals, then the pod's.
POD_METADATA_PASSES = 2


def _pod_metadata(pairs: ir.KeyValues) -> dict[str, str]:
    return {escape(k, POD_METADATA_PASSES): escape(v, POD_METADATA_PASSES) for k, v in pairs}


def _text_default(p: ir.Parameter | None) -> str | None:
    """A default's text when the parameter can carry it: Argo substitutes a parameter's
    value in ways its versions disagree on, so text with ``{{`` stays with the start step."""
    if p is None or p.default is None or p.default.text is None or "{{" in p.default.text:
        return None
    return p.default.text


def _parameters(lp: ir.LaunchPlan, wf: ir.Workflow) -> list[dict[str, Any]]:
    """Workflow arguments: every input the plan does not fix, with its default as text, and
    the two parameters a parent execution sets on a child (inputs to read, node to report to)."""
    fixed = {name for name, _ in lp.fixed_inputs}
    defaults = {p.var.name: p for p in lp.default_inputs}
    out: list[dict[str, Any]] = [
        {"name": INPUTS_PARAM, "value": ""},
        {"name": REPORT_PARAM, "value": ""},
    ]
    for name, var in wf.interface.inputs.items():
        if name in fixed:
            continue
        param: dict[str, Any] = {"name": name}
        p = defaults.get(name)
        if p is not None and p.default is not None:
            # A default with no (safe) text form stays with the start step (``--default``),
            # which takes it when the parameter still holds the mark.
            text = _text_default(p)
            param["value"] = DEFAULT_MARK if text is None else text
        elif ir.is_none_union(var.type) and (p is None or not p.required):
            param["value"] = ""
        if var.description:
            param["description"] = escape(var.description, SPEC_PASSES)
        out.append(param)
    return out


#: What Argo accepts as a parameter name.
_PARAM_NAME = re.compile(r"[-a-zA-Z0-9_]+")


def parameter_name_errors(lp: ir.LaunchPlan, wf: ir.Workflow) -> list[Diagnostic]:
    """Workflow inputs that become Argo parameters under names Argo refuses."""
    fixed = {name for name, _ in lp.fixed_inputs}
    return [
        Diagnostic(
            Severity.ERROR,
            codes.UNSUPPORTED_CONSTRUCT,
            f"workflow input {name!r} cannot be an Argo parameter: Argo takes only letters, "
            "digits, '-' and '_' in parameter names",
            wf.source.at(field=f"interface.inputs.{name}"),
        )
        for name in wf.interface.inputs
        if name not in fixed and not _PARAM_NAME.fullmatch(name)
    ]


def concurrency_warnings(lp: ir.LaunchPlan) -> list[Diagnostic]:
    """What Argo cannot keep of the plan's concurrency limit: Flyte refuses (skips) a new
    execution while ``max`` are running; an Argo ``CronWorkflow`` skips a run only while one
    runs (``Forbid``), and nothing limits workflows submitted from the template."""
    policy = lp.concurrency
    if policy is None or policy.max_concurrency <= 0:
        return []
    if lp.schedule is None:
        why = "Argo does not limit the workflows submitted from a WorkflowTemplate"
    elif policy.max_concurrency > 1:
        why = "an Argo CronWorkflow skips a run only while one other runs (Forbid), or never"
    else:
        return []
    return [
        Diagnostic(
            Severity.WARNING,
            codes.IGNORED_FIELD,
            f"at most {policy.max_concurrency} concurrent executions are not enforced: {why}",
            lp.source.at(field="concurrency_policy"),
        )
    ]


def _start_args(lp: ir.LaunchPlan, wf: ir.Workflow) -> list[str]:
    fixed = dict(lp.fixed_inputs)
    defaults = {p.var.name: p for p in lp.default_inputs if p.default is not None}
    args: list[str] = ["--inputs-from", "{{workflow.parameters." + INPUTS_PARAM + "}}"]
    for name, var in wf.interface.inputs.items():
        args += ["--type", f"{name}={b64(var.type.pb)}"]
        if name in fixed:
            args += ["--fixed", f"{name}={b64(fixed[name].pb)}"]
            continue
        # The value arrives base64-encoded: Argo's later passes never see the user's text.
        value = "{{=sprig.b64enc(workflow.parameters[" + expr_string(name) + "])}}"
        args += ["--param-b64", f"{name}={value}"]
        default = defaults.get(name)
        if default is not None and default.default is not None and _text_default(default) is None:
            args += ["--default", f"{name}={b64(default.default.pb)}"]
    schedule = lp.schedule
    if schedule is not None and schedule.kickoff_time_input_arg:
        expr = schedule.expression
        if isinstance(expr, ir.CronSchedule) and expr.offset:
            args += ["--shift", f"{schedule.kickoff_time_input_arg}={expr.offset}"]
    return args


def cron_expression(expr: ir.CronSchedule | ir.FixedRate) -> str | None:
    """A schedule as an Argo cron string (5 fields or ``@every``); None when it has none."""
    if isinstance(expr, ir.FixedRate):
        unit = {"MINUTE": "m", "HOUR": "h", "DAY": "h"}.get(expr.unit)
        if unit is None or rate_seconds(expr) is None:
            return None
        value = expr.value * 24 if expr.unit == "DAY" else expr.value
        return f"@every {value}{unit}"
    try:
        cron = schedule_cron(expr)
    except CronError:
        return None
    return f"@every {cron.every_seconds}s" if cron.every_seconds else cron.fields


def _cron(
    lp: ir.LaunchPlan, name: str, template_name: str, config: Config, diagnostics: list[Diagnostic]
) -> dict[str, Any] | None:
    schedule = lp.schedule
    assert schedule is not None
    cron = cron_expression(schedule.expression)
    if cron is None:
        diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                codes.UNSUPPORTED_CONSTRUCT,
                f"schedule {schedule.expression} has no Argo cron equivalent",
                lp.source.at(field="entity_metadata.schedule"),
            )
        )
        return None
    workflow_spec: dict[str, Any] = {"workflowTemplateRef": {"name": template_name}}
    if schedule.kickoff_time_input_arg:
        workflow_spec["arguments"] = {
            "parameters": [
                {"name": schedule.kickoff_time_input_arg, "value": "{{workflow.scheduledTime}}"}
            ]
        }
    spec: dict[str, Any] = {
        "schedules": [cron],
        "timezone": "UTC",
        "concurrencyPolicy": "Allow",
        "workflowSpec": workflow_spec,
    }
    if lp.concurrency is not None and lp.concurrency.max_concurrency == 1:
        spec["concurrencyPolicy"] = "Forbid"  # Flyte's one behaviour: skip the new run
    if not lp.active:
        spec["suspend"] = True
    metadata: dict[str, Any] = {"name": name[:CRON_NAME_MAX].rstrip("-")}
    if config.namespace:
        metadata["namespace"] = config.namespace
    return {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": metadata, "spec": spec}


def dynamic_settings(config: Config) -> list[str]:
    """The settings a dynamic step needs to build its child workflow like this one."""
    out: list[str] = []
    for key in (
        "storage_prefix",
        "raw_output_prefix",
        "runtime_image",
        "namespace",
        "argo_version",
    ):
        value = getattr(config, key)
        if value:
            out += ["--set", f"{key}={literal(value)}"]
    return out


def failure_handler(builder: DagBuilder, cw: CompiledWorkflow) -> str | None:
    """An exit handler running the workflow's failure node when the workflow did not succeed."""
    node = cw.workflow.failure_node
    if node is None:
        return None
    ctx = DagContext(PlanScope(cw), Namer(ARGO_TASK, reserved=set(RUNTIME_TEMPLATES)), True)
    lowered = builder.lower_node(ctx, node)
    if lowered is None:
        return None
    for task in lowered.tasks:
        if task["name"] in lowered.entry:
            set_when(task, "{{workflow.status}} != Succeeded")
    name = "fcomp-on-failure"
    builder.templates[name] = {
        "name": name,
        "dag": {"tasks": [finish_task(t) for t in lowered.tasks]},
    }
    return name


def build_documents(
    compiled: CompiledProgram,
    lp: ir.LaunchPlan,
    name: str,
    config: Config,
    options: ArgoOptions,
    diagnostics: list[Diagnostic],
    object_names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The Argo documents of one launch plan, named ``name``."""
    return lower_documents(compiled, lp, name, config, options, diagnostics, object_names)[0]


#: Renders a template of a document again with another execution-id expression.
Rebuild = Callable[[str, str], dict[str, Any]]


def lower_documents(
    compiled: CompiledProgram,
    lp: ir.LaunchPlan,
    name: str,
    config: Config,
    options: ArgoOptions,
    diagnostics: list[Diagnostic],
    object_names: Mapping[str, str],
) -> tuple[list[dict[str, Any]], Rebuild]:
    """:func:`build_documents`, and how to render the main document's templates with another
    execution id (for :mod:`fcomp.backends.argo.split`)."""
    cw = compiled.workflow(lp.workflow)
    assert cw is not None
    wf = cw.workflow
    builder = DagBuilder(compiled, config, lp, diagnostics)
    builder.object_names = dict(object_names)
    entry = builder.dag(cw, root=True)
    on_exit = failure_handler(builder, cw)

    def runtime() -> dict[str, dict[str, Any]]:
        """The runtime step templates, rendered with the current execution id."""
        return {
            **control_templates(config),
            **cache_templates(config),
            **dynamic_templates(config, dynamic_settings(config)),
            START_TEMPLATE: start_template(config, _start_args(lp, wf)),
            OUTPUTS_TEMPLATE: outputs_template(config),
        }

    def rebuild(template: str, exec_id: str) -> dict[str, Any]:
        if template in RUNTIME_TEMPLATES:
            with exec_scope(exec_id):
                return runtime()[template]
        return builder.rebuild(template, exec_id)

    control = runtime()
    templates = [
        builder.templates[entry],
        *(t for n, t in builder.templates.items() if n != entry),
        control[START_TEMPLATE],
        control[OUTPUTS_TEMPLATE],
        *(control[n] for n in sorted(builder.runtime_templates)),
    ]
    labels = {
        f"{LABEL_PREFIX}launch-plan": name,
        **dict(lp.labels),
    }
    annotations = {
        f"{LABEL_PREFIX}workflow": wf.id.name,
        f"{LABEL_PREFIX}launch-plan": lp.id.name,
        **dict(lp.annotations),
    }
    spec: dict[str, Any] = {"entrypoint": entry}
    if on_exit is not None:
        spec["onExit"] = on_exit
    diagnostics.extend(parameter_name_errors(lp, wf))
    diagnostics.extend(concurrency_warnings(lp))
    params = _parameters(lp, wf)
    if params:
        spec["arguments"] = {"parameters": params}
    service_account = lp.service_account or config.service_account
    if service_account:
        spec["serviceAccountName"] = escape(service_account, POD_METADATA_PASSES)
    if lp.max_parallelism > 0:
        spec["parallelism"] = lp.max_parallelism
    if lp.labels or lp.annotations:
        spec["podMetadata"] = {
            **({"labels": _pod_metadata(lp.labels)} if lp.labels else {}),
            **({"annotations": _pod_metadata(lp.annotations)} if lp.annotations else {}),
        }
    spec["templates"] = templates
    metadata: dict[str, Any] = {}
    if options.emit == "workflow":
        metadata["generateName"] = name[: 63 - 6].rstrip("-") + "-"
    else:
        metadata["name"] = name
    if config.namespace:
        metadata["namespace"] = config.namespace
    metadata["labels"] = labels
    metadata["annotations"] = annotations
    kind = "Workflow" if options.emit == "workflow" else "WorkflowTemplate"
    docs = [{"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}]
    if options.emit != "workflow" and lp.schedule is not None:
        cron = _cron(lp, name, name, config, diagnostics)
        if cron is not None:
            docs.append(cron)
    return docs, rebuild
