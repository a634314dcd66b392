"""The task graph of every example launch plan equals the one worked out independently from
the compiled workflow (:mod:`airflow_reference`), in both flavours."""

from __future__ import annotations

import pytest
from airflow_reference import expected_graph
from airflow_support import MODULES, compiled, config

from fcomp.backends.airflow.graph import FlowBuilder
from fcomp.backends.airflow.model import NONE_FAILED_MIN_ONE_SUCCESS, NONE_SKIPPED, ONE_FAILED, Op
from fcomp.backends.airflow.splits import split_for_pods
from fcomp.backends.common.launch_plans import launch_plans
from fcomp.compiler.diagnostics import Diagnostic


def _flows(module: str, flavour: str):  # type: ignore[no-untyped-def]
    compilation = compiled(module)
    assert compilation.compiled is not None
    plans = launch_plans(compilation, (), [])
    dag_ids = {lp.id.name: lp.id.name for lp in plans}
    for lp in plans:
        cw = compilation.compiled.workflow(lp.workflow)
        assert cw is not None
        diagnostics: list[Diagnostic] = []
        builder = FlowBuilder(compilation.compiled, config(flavour), lp, diagnostics, dag_ids)
        flow = builder.build(cw)
        if flavour == "kubernetes":
            flow = split_for_pods(flow)
        yield lp, cw, flow, diagnostics


@pytest.mark.parametrize("flavour", ["local", "kubernetes"])
@pytest.mark.parametrize("module", MODULES)
def test_tasks_and_edges_match_the_compiled_graph(module: str, flavour: str) -> None:
    compilation = compiled(module)
    assert compilation.compiled is not None
    for lp, cw, flow, diagnostics in _flows(module, flavour):
        if diagnostics:
            continue  # reported constructs (e.g. task types without an Airflow lowering)
        expected = expected_graph(compilation.compiled, cw)
        if flavour == "kubernetes":
            expected = expected.split()
        assert set(flow.ops) == expected.tasks, lp.id.name
        assert set(flow.edges()) == expected.edges, lp.id.name


def test_trigger_rules_of_branches_maps_and_failure_nodes() -> None:
    rules: dict[str, set[str]] = {}
    for module in ("branches", "map_tasks", "failure"):
        for _lp, _cw, flow, _d in _flows(module, "local"):
            for op in flow.ops.values():
                rules.setdefault(op.trigger_rule, set()).add(f"{module}:{op.local_id}")
    assert any(t.endswith("-join") for t in rules[NONE_FAILED_MIN_ONE_SUCCESS])
    assert all(t.endswith("-join") for t in rules[NONE_FAILED_MIN_ONE_SUCCESS])
    assert rules[NONE_SKIPPED] and all(t.endswith("-gather") for t in rules[NONE_SKIPPED])
    assert rules[ONE_FAILED] == {"failure:fn0"}


def test_upstream_tasks_are_added_once_in_order_without_the_task_itself() -> None:
    op = Op("t", "t", "", step=None)  # type: ignore[arg-type]
    op.after(["a", "b", "a", "t"])
    op.after([])
    op.after(["c", "b", "d", "c"])
    assert op.upstream == ["a", "b", "c", "d"]
