"""End to end on real Airflow: ``fcomp run --engine airflow-local`` runs example workflows
(``dag.test()``, SQLite) and their outputs equal ``pyflyte run`` of the same workflow.

Expected outputs come from ``examples/expected/<case>.json`` when recorded, else from running
the oracle (``examples/oracle.py``, ``pyflyte run``) in the test. Both sides are compared in
the oracle's plain JSON form, reading fcomp's ``end-node`` ``outputs.pb`` from storage.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from airflow_support import EXAMPLES, WORKFLOWS, compiled, package, require_airflow

from fcomp.backends.common.launch_plans import launch_plans

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_spec = importlib.util.spec_from_file_location("fcomp_oracle", EXAMPLES / "oracle.py")
assert _spec is not None and _spec.loader is not None
oracle = importlib.util.module_from_spec(_spec)
sys.modules["fcomp_oracle"] = oracle
_spec.loader.exec_module(oracle)

#: Cases run here: every example workflow (``map_tasks.large_map_wf`` with a short list:
#: the local flavour runs each of 1,000 elements as a process of its own, minutes here).
CASES = [
    "chain.chain_wf.x10",
    "chain.explicit_order_wf.default",
    "fan_in.fan_in_wf.mixed",
    "subworkflows.nested_subworkflow_wf.x7",
    "launch_plans.greet_daily.name_argo",
    "launch_plans.counter_every_10m.default",
    "branches.branch_compare_wf.zero_unflagged",
    "branches.branch_on_output_wf.x8",
    "branches.branch_fail_wf.negative",
    "branches.nested_branch_wf.inner_mid",
    "branches.branch_subworkflow_wf.x1",
    "map_tasks.map_wf.default",
    "map_tasks.map_wf.empty",
    "map_tasks.map_min_success_wf.default",
    "map_tasks.map_min_success_wf.too_many_failures",
    "map_tasks.map_partial_wf.factor2",
    "map_tasks.large_map_wf.default",
    "gates_sleep.sleep_wf.default",
    "gates_approve.approve_wf.approved",
    "gates_approve.approve_wf.rejected",
    "gates_signal.signal_wf.given",
    "failure.on_failure_wf.fails",
    "failure.fail_after_complete_wf.fails",
    "caching.caching_wf.fresh",
    "lp_reference.lp_reference_wf.x5",
    "dynamic.dynamic_wf.default",
    "types_scalars.scalars_wf.custom",
    "types_scalars.time_wf.custom",
    "types_scalars.optional_wf.unbound",
    "types_collections.dict_wf.custom",
    "types_dataclass.dataclass_input_wf.custom",
    "types_files.file_wf.default",
    "task_config.task_config_wf.default",
    "task_config.secret_wf.with_secret",
    "spark.spark_wf.default",
    "raw_container.raw_container_wf.default",
    "pod_template.pod_template_wf.default",
    "types_dataframe.dataframe_wf.custom",
    "types_collections.list_wf.custom",
    "types_collections.nested_wf.default",
    "types_collections.matrix_wf.default",
    "types_collections.bindings_wf.default",
    "types_dataclass.dataclass_wf.custom",
    "types_dataclass.map_attr_wf.default",
    "types_files.directory_wf.three",
    "types_scalars.enum_wf.blue",
    "types_scalars.union_wf.str",
    "dynamic.nested_dynamic_wf.default",
    "dynamic.dynamic_subworkflow_wf.default",
    "launch_plans.kickoff_hourly.given",
    "subworkflows.subworkflow_wf.x0",
    "task_config.gpu_wf.default",
    "plugin_airflow.airflow_wf.x5",
    "plugin_airflow.airflow_fail_wf.default",
]

#: Inputs whose ``pyflyte run`` text differs from the runtime's text form.
TEXT_OVERRIDES = {"types_scalars.time_wf.custom": {"by": "8100"}}
#: How the answers the oracle types on ``pyflyte run``'s terminal are given to ``fcomp run``.
ANSWERS = {"y\n": ["--approve"], "n\n": ["--reject"], "release\n": ["--signal", "title=release"]}
#: Side files ``pyflyte run`` leaves differently from Flyte: locally the first failure stops
#: the run, while on Flyte (and here) FAIL_AFTER_EXECUTABLE_NODES_COMPLETE runs
#: ``independent`` too (the case's note says so).
FLYTE_SIDE_FILES = {
    "failure.fail_after_complete_wf.fails": {"markers/independent": "ran\n"},
}


def _case(key: str) -> Any:
    module, entity, inputset = key.split(".")
    return oracle.find_case(module, entity, inputset)


def _expected(case: Any) -> dict[str, Any]:
    if case.expected_path.exists():
        data: dict[str, Any] = json.loads(case.expected_path.read_text())
        return data
    result: dict[str, Any] = oracle.run_case(case)
    return result


def _launch_plan(case: Any) -> str:
    """The launch plan ``pyflyte run`` ran: a named plan, or the workflow's default plan."""
    names = {lp.id.name for lp in launch_plans(compiled(case.module), (), [])}
    return case.entity if case.entity in names else f"fcomp_examples.{case.module}.{case.entity}"


def _texts(case: Any, tmp: Path) -> list[str]:
    args: list[str] = []
    overrides = TEXT_OVERRIDES.get(case.key, {})
    for name, value in case.inputs.items():
        text = overrides.get(name, oracle.cli_value(oracle._fill(value, str(tmp))))
        args += ["-p", f"{name}={text}"]
    return args


def _outputs(storage: Path) -> dict[str, Any] | None:
    """The top-level run's outputs (child runs of launch-plan nodes and dynamic tasks have
    executions of their own, started after it)."""
    starts = sorted(storage.glob("*/start-node/data/0/outputs.pb"), key=lambda p: p.stat().st_mtime)
    if not starts:
        return None
    found = starts[0].parents[3] / "end-node" / "data" / "0" / "outputs.pb"
    if not found.is_file():
        return None
    plain: dict[str, Any] = oracle.literal_map_to_plain(found.read_bytes())
    return plain


@pytest.mark.parametrize("key", CASES)
def test_example_runs_like_pyflyte(key: str, tmp_path: Path) -> None:
    require_airflow()
    case = _case(key)
    expected = _expected(case)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    storage = tmp_path / "data"
    fcomp = str(Path(sys.executable).with_name("fcomp"))
    argv = [fcomp, "run", "--engine", "airflow-local", str(package(case.module))]
    argv += ["--launch-plan", _launch_plan(case), "--storage", str(storage)]
    argv += ["--pythonpath", str(WORKFLOWS), *_texts(case, run_dir)]
    argv += ANSWERS.get(case.stdin or "", [])
    env = {**os.environ, **case.env, "HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    env["FCOMP_CACHE_DIR"] = os.environ.get("FCOMP_CACHE_DIR", str(Path.home() / ".cache/fcomp"))
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=1800, check=False)
    status = "succeeded" if proc.returncode == 0 else "failed"
    assert status == expected["status"], proc.stderr[-4000:]
    if status == "succeeded":
        assert json.loads(proc.stdout) is not None
        assert oracle.outputs_equal(expected["outputs"], _outputs(storage)), proc.stdout
    side = oracle._side_files(run_dir)
    assert side == FLYTE_SIDE_FILES.get(key, expected.get("side_files", side))
