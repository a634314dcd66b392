"""The JSON text of a node's input plans, written straight from the bindings, is the text of
the plan built and encoded, for every node of every example, at the top level and inside a
subworkflow's scope."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fcomp.backends.common.plans import PathText, PlanBuilder, PlanError, PlanScope, Raw, to_json
from fcomp.compiler.driver import compile_paths
from fcomp.compiler.passes.results import CompiledWorkflow

PACKAGES = sorted(
    p for p in (Path(__file__).parents[2] / "examples" / "packages").glob("*.tgz")
    if p.name != "all.tgz"
)  # fmt: skip


def _scopes(cw: CompiledWorkflow) -> list[PlanScope]:
    """The workflow as the top level and as a subworkflow (path and inputs placeholders)."""
    inputs = {
        var: Raw(f'"{{{{inputs.parameters.in-{var}}}}}"') for var in cw.workflow.interface.inputs
    }
    return [PlanScope(cw), PlanScope(cw, PathText((Raw("{{inputs.parameters.scope}}"),)), inputs)]


def _text(fn: Callable[[], str]) -> str:
    try:
        return fn()
    except PlanError as exc:
        return f"PlanError: {exc}"


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.stem)
def test_input_plan_text_is_the_encoded_plan(package: Path) -> None:
    compilation = compile_paths([package])
    assert compilation.compiled is not None
    plans = PlanBuilder(compilation.compiled)
    checked = 0
    for cw in compilation.compiled.workflows.values():
        for scope in _scopes(cw):
            nodes = [*cw.workflow.nodes]
            if cw.workflow.failure_node is not None:
                nodes.append(cw.workflow.failure_node)
            for node in nodes:
                fast = _text(lambda: plans.node_inputs_json(scope, node))  # noqa: B023
                slow = _text(lambda: to_json(plans.node_inputs(scope, node)))  # noqa: B023
                assert fast == slow, (package.name, cw.id.render(), node.id)
                checked += 1
    assert checked


def test_both_ways_are_taken() -> None:
    """The examples hold nodes written straight (plain promises to task outputs and workflow
    inputs) and nodes that need the plan built (subworkflow, branch and literal inputs)."""
    straight = built = 0
    for package in PACKAGES:
        compilation = compile_paths([package])
        assert compilation.compiled is not None
        plans = PlanBuilder(compilation.compiled)
        for cw in compilation.compiled.workflows.values():
            for scope in _scopes(cw):
                for node in cw.workflow.nodes:
                    if not node.inputs:
                        continue
                    if plans._plain_inputs_json(scope, node) is None:
                        built += 1
                    else:
                        straight += 1
    assert straight > 50 and built > 50, (straight, built)
