"""Launch-plan checks: the workflow exists, fixed and default inputs fit its interface, the
schedule is one Flyte's scheduler runs, its kickoff input is a datetime input, and its labels,
annotations and env vars are ones Kubernetes accepts."""

from __future__ import annotations

from fcomp.compiler import codes, ir
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.compiler.passes.k8s import launch_plan_refusals
from fcomp.compiler.passes.typing import is_castable
from fcomp.compiler.schedules import MAX_RATE_SECONDS, CronError, rate_seconds, schedule_cron


def check_launch_plan(lp: ir.LaunchPlan, catalog: ir.Catalog) -> list[Diagnostic]:
    """Errors in one launch plan."""
    out: list[Diagnostic] = []
    src = lp.source

    def error(code: str, message: str, field: str) -> None:
        out.append(Diagnostic(Severity.ERROR, code, message, src.at(field=field)))

    out += [refusal.diagnostic(src) for refusal in launch_plan_refusals(lp)]
    wf = catalog.workflows.find(lp.workflow)
    if wf is None:
        error(
            codes.WORKFLOW_REFERENCE_NOT_FOUND,
            f"referenced workflow [{lp.workflow.render()}] not found",
            "workflow_id",
        )
        return out
    inputs = wf.interface.inputs

    def untyped(name: str, what: str, field: str) -> None:
        # Flyte checks a launch plan's inputs when it starts an execution from it
        # (transformers/k8s validateInputs): a literal of no known type is IDLTypeNotFound.
        error(
            codes.IDL_TYPE_NOT_FOUND,
            f"{what} [{name}] is a literal whose type cannot be inferred; it may have been "
            "written by a newer flytekit than this Flyte version knows",
            field,
        )

    for name, lit in lp.fixed_inputs:
        var = inputs.get(name)
        if var is None:
            error(
                codes.VARIABLE_NAME_NOT_FOUND,
                f"fixed input [{name}] is not an input of workflow [{wf.id.name}]",
                f"fixed_inputs.{name}",
            )
        elif lit.type is None:
            untyped(name, "fixed input", f"fixed_inputs.{name}")
        elif not is_castable(lit.type, var.type):
            error(
                codes.MISMATCHING_TYPES,
                f"fixed input [{name}] (type [{ir.render_type(lit.type)}]) doesn't match "
                f"expected type [{ir.render_type(var.type)}]",
                f"fixed_inputs.{name}",
            )
    fixed = {name for name, _ in lp.fixed_inputs}
    for param in lp.default_inputs:
        name = param.var.name
        var = inputs.get(name)
        if var is None:
            error(
                codes.VARIABLE_NAME_NOT_FOUND,
                f"default input [{name}] is not an input of workflow [{wf.id.name}]",
                f"default_inputs.{name}",
            )
            continue
        if name in fixed:
            error(
                codes.PARAMETER_BOUND_MORE_THAN_ONCE,
                f"input [{name}] is both a default and a fixed input",
                f"default_inputs.{name}",
            )
        default = param.default
        if default is not None and default.type is None:
            untyped(name, "default of input", f"default_inputs.{name}")
        elif default is not None and default.type is not None:
            if not is_castable(default.type, var.type):
                error(
                    codes.MISMATCHING_TYPES,
                    f"default of input [{name}] (type [{ir.render_type(default.type)}]) doesn't "
                    f"match expected type [{ir.render_type(var.type)}]",
                    f"default_inputs.{name}",
                )
    if lp.schedule is not None:
        out += _schedule_problems(lp.schedule, src)
    if lp.schedule is not None and lp.schedule.kickoff_time_input_arg:
        arg = lp.schedule.kickoff_time_input_arg
        var = inputs.get(arg)
        kickoff = var.type if var is not None else None
        if not (isinstance(kickoff, ir.Simple) and kickoff.simple is ir.SimpleType.DATETIME):
            error(
                codes.INVALID_VALUE,
                f"invalid value [kickoff_time_input_arg]: '{arg}' is not a datetime input",
                "entity_metadata.schedule.kickoff_time_input_arg",
            )
    return out


def _schedule_problems(schedule: ir.Schedule, src: Source) -> list[Diagnostic]:
    """A schedule Flyte's scheduler would never trigger (a cron it cannot read, a rate of
    nothing or longer than it holds), or a cron offset the kickoff input cannot be shifted
    by."""
    expr = schedule.expression
    if isinstance(expr, ir.FixedRate):
        if rate_seconds(expr) is not None:
            return []
        return [
            Diagnostic(
                Severity.ERROR,
                codes.INVALID_VALUE,
                f"fixed rate of {expr.value} {expr.unit}: Flyte's scheduler runs a rate of at "
                f"least one unit and at most {MAX_RATE_SECONDS} seconds (Go's time.Duration)",
                src.at(field="entity_metadata.schedule.rate"),
            )
        ]
    field = "entity_metadata.schedule." + (
        "cron_expression" if expr.aws else "cron_schedule.schedule"
    )
    out = []
    try:
        schedule_cron(expr)
    except CronError as error:
        code = codes.UNSUPPORTED_CONSTRUCT if error.unsupported else codes.INVALID_VALUE
        out.append(
            Diagnostic(
                Severity.ERROR,
                code,
                f"cron schedule '{expr.schedule}': {error}",
                src.at(field=field),
            )
        )
    if expr.offset and schedule.kickoff_time_input_arg:  # the only use of the offset
        from fcomp.runtime.scalars import FormError, parse_duration

        try:
            parse_duration(expr.offset)
        except FormError as error:
            out.append(
                Diagnostic(
                    Severity.ERROR,
                    codes.INVALID_VALUE,
                    f"cron schedule offset '{expr.offset}': {error}; the offset shifts the "
                    "kickoff input by an ISO 8601 duration of weeks, days, hours, minutes "
                    "and seconds",
                    src.at(field="entity_metadata.schedule.cron_schedule.offset"),
                )
            )
    return out
