"""Spark tasks on the ``kubernetes`` flavour run through the provider's own
``SparkKubernetesOperator``: the SparkApplication its launcher would create (from the rendered
``template_spec``) is the one Flyte's Spark plugin builds, with the node's run-time paths
filled in, and passes the strict SparkApplication schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from airflow_probe import RUN_ID
from airflow_support import compiled, config, write_folder

from fcomp.backends.airflow.build import build_airflow
from fcomp.compiler.plugins.registry import TaskContext, lower_task
from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, Text
from tests.plugins.sparkschema import spark_errors

PREFIX = "s3://bucket/data"


@pytest.fixture(scope="module")
def spark_task(probe: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files, diagnostics = build_airflow(
        compiled("spark"), config("kubernetes", storage_prefix=PREFIX, namespace="jobs")
    )
    assert diagnostics == []
    found = probe(write_folder(tmp_path_factory.mktemp("spark-dags"), files))
    assert found["import_errors"] == {}
    (dag,) = [d for d in found["dags"].values() if "n0" in d["tasks"]]
    task: dict[str, Any] = dag["tasks"]["n0"]
    return task


def _expected_manifest() -> dict[str, Any]:
    """Flyte's SparkApplication for the example's Spark task, with each placeholder filled
    as the runtime contract lays a manual run's first attempt out."""
    program = compiled("spark").compiled
    assert program is not None
    (cw,) = [w for w in program.workflows.values() if w.id.name.endswith("spark_wf")]
    node = cw.node("n0")
    task = program.catalog.tasks.find(node.kind.task)  # type: ignore[union-attr]
    unit = lower_task(TaskContext(task, node, cw.workflow, config("kubernetes")))
    execution = re.sub(r"[^A-Za-z0-9._-]", "-", RUN_ID)
    data = f"{PREFIX}/{execution}/n0/data"
    raw = f"{PREFIX}/raw/{execution}/n0/0"
    values = {
        PlaceholderKind.INPUT: f"{data}/inputs.pb",
        PlaceholderKind.OUTPUT_PREFIX: f"{data}/0",
        PlaceholderKind.RAW_OUTPUT_PREFIX: raw,
        PlaceholderKind.CHECKPOINT_PREFIX: f"{raw}/_flytecheckpoints",
        PlaceholderKind.PREV_CHECKPOINT: '""',
    }

    def fill(value: Any) -> Any:
        if isinstance(value, Text):
            return "".join(values[p.kind] if isinstance(p, Placeholder) else p for p in value.parts)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [fill(v) for v in value]
        return value

    return {"apiVersion": unit.api_version, "kind": unit.kind, **fill(dict(unit.manifest))}


def test_the_provider_operator_runs_spark(spark_task: dict[str, Any]) -> None:
    assert spark_task["operator"] == "SparkKubernetesOperator"
    assert "RENDER ERROR" not in str(spark_task["rendered"])


def test_the_launcher_creates_flytes_spark_application(
    spark_task: dict[str, Any], shared_dir: Path
) -> None:
    body = dict(spark_task["spark_body"])
    assert body["metadata"] == {"name": "app", "namespace": "ns"}  # the operator names it
    expected = _expected_manifest()
    for key in ("apiVersion", "kind"):
        assert body[key] == expected[key]
    assert body["spec"] == expected["spec"]
    assert spark_errors(body, shared_dir) == []
