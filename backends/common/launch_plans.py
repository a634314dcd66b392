"""Which launch plans a build emits: the ones named, or every plan of the input plus a default
plan for each registered workflow that has none (every backend selects the same way)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.compiler.driver import Compilation


def launch_plans(
    compilation: Compilation, names: Sequence[str], diagnostics: list[Diagnostic]
) -> list[ir.LaunchPlan]:
    """The launch plans to build: those named, or every plan plus a default one for each
    workflow that has none."""
    program = compilation.program
    plans = list(program.launch_plans)
    covered = {lp.workflow.name for lp in plans}
    for wf_id in program.primary:
        if wf_id.name not in covered:
            wf = next(w for w in program.workflows if w.id == wf_id)
            plans.append(
                ir.LaunchPlan(
                    id=ir.Ident(ir.ResourceType.LAUNCH_PLAN, wf_id.name),
                    workflow=wf_id,
                    default_inputs=tuple(
                        ir.Parameter(var, required=not ir.is_none_union(var.type))
                        for var in wf.interface.inputs.values()
                    ),
                    source=wf.source,
                )
            )
    if not names:
        return plans
    chosen = []
    for name in names:
        found = [lp for lp in plans if lp.id.name == name]
        if not found:
            diagnostics.append(
                Diagnostic(
                    Severity.ERROR,
                    codes.UNKNOWN_ENTITY,
                    f"no launch plan named '{name}' in the input; known: "
                    + ", ".join(sorted(lp.id.name for lp in plans)),
                    Source(),
                )
            )
        chosen.extend(found)
    return chosen


def plan_config(config: Config, lp: ir.LaunchPlan) -> Config:
    """The build settings of ``lp``'s documents. Flyte takes an execution's raw output
    location from the execution, else its launch plan, else the platform default; here a
    configured ``raw_output_prefix`` is the execution's, the launch plan's comes next, and
    ``<storage>/raw`` is the default."""
    if lp.raw_output_prefix and not config.raw_output_prefix:
        return dataclasses.replace(config, raw_output_prefix=lp.raw_output_prefix)
    return config
