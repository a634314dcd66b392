"""Helpers of the tests of query tasks run on Airflow connections
(``airflow_sql_connections``): the configuration, and a run of a package's workflow on real
Airflow with stand-ins of providers not installed here."""

from __future__ import annotations

from pathlib import Path

from fcomp.backends.airflow.localrun import AirflowRun, run_airflow_local
from fcomp.compiler.config import Config, config_from_mapping
from fcomp.compiler.driver import compile_paths
from tests.robustness.robust_support import Package

KUBELET = Path(__file__).parents[1] / "airflow" / "fake_kubelet"
#: Stand-ins of providers not installed here (the Google provider's BigQuery operator, the
#: Snowflake provider's hook).
STAND_INS = Path(__file__).parents[1] / "airflow" / "stand_ins"


def connections_config(**connections: str) -> Config:
    """A configuration with ``airflow_sql_connections`` (``__`` in a key for ``:``)."""
    config, problems = config_from_mapping(
        {"airflow_sql_connections": {k.replace("__", ":"): v for k, v in connections.items()}}
    )
    assert problems == []
    return config


def run_airflow(
    package: Package,
    tmp_path: Path,
    config: Config,
    env: dict[str, str],
    flavour: str = "local",
    pythonpath: tuple[str, ...] = (),
    params: dict[str, str] | None = None,
    workflow: str = "fcomp_examples.plugin_hive.hive_wf",
) -> AirflowRun:
    """Run the package's workflow on real Airflow (``kubernetes``: pods by the stand-in
    kubelet); the run, which built with no diagnostic."""
    (tmp_path / "home").mkdir()
    kubelet = flavour == "kubernetes"
    run, diagnostics = run_airflow_local(
        compile_paths([package.write(tmp_path / "pkg")]),
        workflow,
        {"ds": "2024-05-06"} if params is None else params,
        storage=tmp_path / "data",
        config=config,
        workdir=tmp_path / "work",
        pythonpath=[*pythonpath, *([str(KUBELET)] if kubelet else [])],
        env={
            "HOME": str(tmp_path / "home"),
            **({"FCOMP_FAKE_KUBELET": "1"} if kubelet else {}),
            **env,
        },
        flavour=flavour,
    )
    assert diagnostics == [] and run is not None
    return run


def run_log(run: AirflowRun) -> str:
    """The run's Airflow log."""
    return run.log.read_text(encoding="utf-8", errors="replace")
