"""Launch plans that start themselves (directly, or through subworkflows and other plans) are
reported with a warning; plans that only start others are not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fcomp.compiler import ir
from fcomp.compiler.diagnostics import Diagnostics, Severity
from fcomp.compiler.driver import compile_paths
from fcomp.compiler.passes.pipeline import compile_program
from fcomp.compiler.passes.recursion import self_starting_plans

PACKAGES = Path(__file__).resolve().parents[2] / "examples" / "packages"
WF = "fcomp_examples.lp_reference.lp_reference_wf"


def _program() -> ir.Program:
    compilation = compile_paths([PACKAGES / "lp_reference.tgz"])
    assert compilation.ok
    return compilation.program


def _named(program: ir.Program, name: str) -> ir.LaunchPlan:
    return next(lp for lp in program.launch_plans if lp.id.name == name)


def _warned(program: ir.Program) -> list[str]:
    return [d.message for d in self_starting_plans(program, ir.Catalog(program))]


def test_plans_starting_other_plans_are_not_reported() -> None:
    assert _warned(_program()) == []
    for package in sorted(PACKAGES.glob("*.tgz")):
        compilation = compile_paths([package])
        codes = {d.code for d in compilation.diagnostics}
        assert "SelfStartingLaunchPlan" not in codes, package.name


def _retarget(program: ir.Program, plan: ir.LaunchPlan, workflow: ir.Ident) -> ir.Program:
    plans = tuple(
        replace(lp, workflow=workflow) if lp is plan else lp for lp in program.launch_plans
    )
    return replace(program, launch_plans=plans)


def test_a_plan_whose_workflow_starts_it_is_reported() -> None:
    """``lp_reference_wf`` starts ``child_lp``: pointing ``child_lp`` at that workflow makes
    it start itself; the parent plan only starts it and is not reported."""
    program = _program()
    parent, child = _named(program, WF), _named(program, "child_lp")
    [message] = _warned(_retarget(program, child, parent.workflow))
    assert message.startswith(f"launch plan [{child.id.render()}] starts itself")


def test_a_cycle_through_two_plans_is_reported_for_each() -> None:
    """``child_lp`` runs a copy of ``lp_reference_wf`` whose launch-plan nodes start the
    parent plan, which starts ``child_lp`` again."""
    program = _program()
    parent, child = _named(program, WF), _named(program, "child_lp")
    workflow = next(wf for wf in program.workflows if wf.id == parent.workflow)
    nodes = tuple(
        replace(n, kind=replace(n.kind, launch_plan=parent.id))
        if isinstance(n.kind, ir.LaunchPlanNode)
        else n
        for n in workflow.nodes
    )
    copy = replace(workflow, id=replace(workflow.id, name=workflow.id.name + "_copy"), nodes=nodes)
    cyclic = _retarget(replace(program, workflows=(*program.workflows, copy)), child, copy.id)
    warned = _warned(cyclic)
    assert len(warned) == 2
    assert {m.split("]")[0] for m in warned} == {
        f"launch plan [{parent.id.render()}",
        f"launch plan [{child.id.render()}",
    }


def test_the_compiler_reports_it_as_a_warning() -> None:
    """Through the whole compiler (the retargeted plan's inputs no longer fit, which gives
    errors of their own): one warning, on the plan, and no error of its code."""
    program = _program()
    parent, child = _named(program, WF), _named(program, "child_lp")
    diagnostics = Diagnostics()
    compile_program(_retarget(program, child, parent.workflow), diagnostics)
    found = [d for d in diagnostics if d.code == "SelfStartingLaunchPlan"]
    assert [(d.severity, d.source.entity) for d in found] == [(Severity.WARNING, "child_lp")]
