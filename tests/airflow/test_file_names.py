"""DAG file names: one module per DAG, distinct even where file names ignore case."""

from __future__ import annotations

from pathlib import Path

from fcomp.backends.airflow.build import file_names
from tests.robustness.robust_support import Package, build_package


def test_ids_differing_only_in_case_get_distinct_files() -> None:
    names = file_names({"x": "Daily_Run", "y": "daily_run", "z": "DAILY.RUN"})
    assert len({n.casefold() for n in names.values()}) == 3
    assert names["Daily_Run"] == "Daily_Run.py"  # the first keeps its plain name


def test_a_build_writes_one_file_per_plan_whatever_the_case(tmp_path: Path) -> None:
    package = Package.load("launch_plans").copy()
    plan = package.launch_plan("greet_daily")
    twin = type(plan)()
    twin.CopyFrom(plan)
    twin.id.name = "GREET_daily"
    package.files["99_GREET_daily_3.pb"] = twin
    built = build_package(package, tmp_path, "airflow")
    assert built.errors == []
    greet = [name for name in built.files if name.casefold().startswith("greet_daily")]
    assert len(greet) == 2 and len({n.casefold() for n in greet}) == 2
    assert "dag_id='GREET_daily'" in built.text()
