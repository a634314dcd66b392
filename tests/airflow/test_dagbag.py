"""Every generated DAG file parses, imports in Airflow's DagBag with no import errors, and
holds exactly the tasks and dependencies of the compiled workflow."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from airflow_reference import expected_graph
from airflow_support import MODULES, compiled, config, write_folder

from fcomp.backends.airflow.build import build_airflow, dag_names
from fcomp.backends.common.launch_plans import launch_plans

FLAVOURS = ("local", "kubernetes")


def _build_all(flavour: str, folder: Path) -> dict[str, tuple[str, Any]]:
    """Build every example module that has no reported construct; DAG id -> (module, plan)."""
    plans: dict[str, tuple[str, Any]] = {}
    for module in MODULES:
        compilation = compiled(module)
        files, diagnostics = build_airflow(compilation, config(flavour))
        if diagnostics:
            continue
        for name, text in files.items():
            ast.parse(text)
            assert not (folder / name).exists(), f"two modules write {name}"
        write_folder(folder, files)
        ids = dag_names(compilation)
        for lp in launch_plans(compilation, (), []):
            plans[ids[lp.id.name]] = (module, lp)
    return plans


@pytest.fixture(scope="module", params=FLAVOURS)
def loaded(request: pytest.FixtureRequest, probe: Any, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    flavour = request.param
    folder = tmp_path_factory.mktemp(f"dags-{flavour}")
    plans = _build_all(flavour, folder)
    return flavour, plans, probe(folder)


def test_no_import_errors(loaded: Any) -> None:
    _flavour, plans, found = loaded
    assert found["import_errors"] == {}
    assert set(found["dags"]) == set(plans)


def test_tasks_and_edges_in_the_dagbag(loaded: Any) -> None:
    flavour, plans, found = loaded
    for dag_id, (module, lp) in plans.items():
        compilation = compiled(module)
        assert compilation.compiled is not None
        cw = compilation.compiled.workflow(lp.workflow)
        expected = expected_graph(compilation.compiled, cw)
        if flavour == "kubernetes":
            expected = expected.split()
        tasks = found["dags"][dag_id]["tasks"]
        edges = {(u, t) for t, info in tasks.items() for u in info["upstream"]}
        assert set(tasks) == expected.tasks, dag_id
        assert edges == expected.edges, dag_id


def test_dag_settings(loaded: Any) -> None:
    flavour, plans, found = loaded
    dags = found["dags"]
    for dag_id in plans:
        assert dags[dag_id]["catchup"] is False
        assert "fcomp" in dags[dag_id]["tags"]
    # launch_plans: greet_daily fixes punct and defaults name; counter_every_10m is a fixed rate
    greet = dags["greet_daily"]
    assert "punct" not in greet["params"]
    assert greet["params"]["name"] == "flyte"
    assert greet["schedule"] is not None
    counter = dags["counter_every_10m"]
    assert "0:10:00" in counter["schedule"]
    assert counter["params"]["start"] == 100
    chain = dags["fcomp_examples.chain.chain_wf"]
    assert chain["params"] == {"x": 3}
    assert chain["param_schemas"]["x"]["type"] == "integer"
    operators = {t["operator"] for d in dags.values() for t in d["tasks"].values()}
    if flavour == "kubernetes":
        assert "KubernetesPodOperator" in operators
    else:
        assert "FcompStep" in operators and "KubernetesPodOperator" not in operators


def test_kubernetes_pod_request(loaded: Any) -> None:
    """The pod KubernetesPodOperator creates for a task: the task's primary container first
    (the operator merges its settings into the first one), the runtime's bind step as the
    first init container, run-time values through the downward API, the plan's labels."""
    flavour, _plans, found = loaded
    if flavour != "kubernetes":
        pytest.skip("pods are the kubernetes flavour's")
    request = found["dags"]["greet_daily"]["tasks"]["n0"]["request"]
    spec, metadata = request["spec"], request["metadata"]
    primary = spec["containers"][0]
    assert primary["name"] == "primary"
    assert primary["image"] == "ghcr.io/fcomp/examples:1"
    assert primary["terminationMessagePolicy"] == "FallbackToLogsOnError"
    env = {e["name"]: e for e in primary["env"]}
    assert env["FLYTE_FAIL_ON_ERROR"]["value"] == "true"
    assert "fcomp.dev/exec" in env["FCOMP_EXEC"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert "$(FCOMP_EXEC)/n0/data/$(FCOMP_ATTEMPT)" in " ".join(primary["args"])
    bind = spec["initContainers"][0]
    assert bind["name"] == "fcomp-bind" and bind["command"][:2] == ["fcomp-runtime", "bind"]
    assert metadata["labels"]["team"] == "fcomp"
    assert metadata["annotations"]["fcomp.io/example"] == "launch-plans"
    assert metadata["annotations"]["fcomp.dev/exec"] == "{{ fcomp_exec(run_id) }}"


def test_kubernetes_templates_render(loaded: Any) -> None:
    """The operators' templated fields render with the DAG's macros to the runtime's exact
    arguments (params as text forms, ``$`` doubled so Kubernetes passes them unchanged)."""
    flavour, _plans, found = loaded
    if flavour != "kubernetes":
        pytest.skip("templates are the kubernetes flavour's")
    for dag in found["dags"].values():
        for task in dag["tasks"].values():
            assert "RENDER ERROR" not in json.dumps(task["rendered"]), task
    start = found["dags"]["fcomp_examples.chain.chain_wf"]["tasks"]["start"]["rendered"]
    assert start["cmds"][:2] == ["fcomp-runtime", "start"]
    assert start["cmds"][-3:] == ["--inputs-from=", "--type=x=CAE=", "--param=x=3"]
    assert start["annotations"] == {
        "fcomp.dev/exec": "manual__2024-01-02T03-04-05-00-00",
        "fcomp.dev/attempt": "0",
    }
    greet = found["dags"]["greet_daily"]["tasks"]["start"]["rendered"]["cmds"]
    assert "--param=name=flyte" in greet and any(a.startswith("--fixed=punct=") for a in greet)
    write = found["dags"]["fcomp_examples.gates_signal.signal_wf"]["tasks"]["n1-write"]
    assert write["rendered"]["cmds"][-2:] == ["--value", "entered $$(X) {{ x }}"]
