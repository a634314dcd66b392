"""End to end on real Airflow with the ``kubernetes`` flavour: the DAG files a deployment gets
by default run with ``dag.test()``, their ``KubernetesPodOperator`` pods run as local processes
by a stand-in kubelet (``fake_kubelet/``: the pod the operator builds, its init containers
then its first container, volumes as folders, the XCom file), and the outputs equal
``pyflyte run`` of the same workflow. Covers the steps this flavour adds around pods: branch
choices, map element lists and guards, cache lookups and stores, and dynamic tasks' child DAGs
(compiled in a pod, run from the worker).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from airflow_support import WORKFLOWS, compiled, require_airflow
from test_e2e import FLYTE_SIDE_FILES, _case, _expected, _launch_plan, _outputs, oracle

from fcomp.backends.airflow.localrun import run_airflow_local
from fcomp.compiler.config import Config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KUBELET = Path(__file__).parent / "fake_kubelet"

CASES = [
    "chain.chain_wf.x10",
    "caching.caching_wf.fresh",
    "dynamic.dynamic_wf.default",
    "dynamic.nested_dynamic_wf.default",
    "dynamic.dynamic_subworkflow_wf.default",
    "branches.branch_on_output_wf.x8",
    "branches.branch_fail_wf.negative",
    "map_tasks.map_wf.default",
    "map_tasks.map_min_success_wf.too_many_failures",
    "raw_container.raw_container_wf.default",
    "failure.on_failure_wf.fails",
    "subworkflows.nested_subworkflow_wf.x7",
    "types_files.file_wf.default",
    "plugin_airflow.airflow_wf.x5",
    "plugin_airflow.airflow_fail_wf.default",
]


@pytest.mark.parametrize("key", CASES)
def test_kubernetes_flavour_runs_like_pyflyte(key: str, tmp_path: Path) -> None:
    require_airflow()
    case = _case(key)
    expected = _expected(case)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    texts = {
        name: oracle.cli_value(oracle._fill(value, str(run_dir)))
        for name, value in case.inputs.items()
    }
    (tmp_path / "home").mkdir()
    env = {
        **case.env,
        "FCOMP_FAKE_KUBELET": "1",
        "HOME": str(tmp_path / "home"),
        "FCOMP_CACHE_DIR": os.environ.get("FCOMP_CACHE_DIR", str(Path.home() / ".cache/fcomp")),
    }
    run, diagnostics = run_airflow_local(
        compiled(case.module),
        _launch_plan(case),
        texts,
        storage=tmp_path / "data",
        config=Config(),
        workdir=tmp_path / "work",
        pythonpath=[str(KUBELET), str(WORKFLOWS)],
        env=env,
        flavour="kubernetes",
    )
    assert diagnostics == [] and run is not None
    log = run.log.read_text(encoding="utf-8", errors="replace")[-6000:]
    assert ("succeeded" if run.ok else "failed") == expected["status"], log
    if run.ok:
        assert oracle.outputs_equal(expected["outputs"], _outputs(run.storage)), log
    side = oracle._side_files(run_dir)
    assert side == FLYTE_SIDE_FILES.get(key, expected.get("side_files", side))
