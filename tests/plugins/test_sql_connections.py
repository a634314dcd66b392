"""Query tasks on the Airflow target with an Airflow connection configured
(``airflow_sql_connections``): Hive and Presto queries rendered with Flyte's template
variables and run by common-sql's ``SQLExecuteQueryOperator``, BigQuery jobs submitted by the
Google provider's ``BigQueryInsertJobOperator`` as Flyte's connector submits them; outputs
written as Flyte's plugins and connector write them.

The end-to-end runs use a SQLite connection (``AIRFLOW_CONN_...``) and a Hive task whose query
SQLite understands, and for BigQuery a stand-in of the provider's operator that records the
job, in both operator flavours (``kubernetes`` with the stand-in kubelet).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2, types_pb2

from fcomp.backends.airflow.sql import sql_problem
from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths
from fcomp.compiler.plugins.units import ConnectorUnit, PodUnit, QuerySteps
from tests.plugins.sql_support import (
    STAND_INS,
    connections_config,
    run_airflow,
    run_log,
)
from tests.robustness.robust_support import Package, build_package

HIVE = "plugin_hive.count"
QUERY = (
    "CREATE TABLE IF NOT EXISTS seen (ds TEXT, raw TEXT, key TEXT);\n"
    "INSERT INTO seen VALUES ('{{ .Inputs.ds }}', '{{ .RawOutputDataPrefix }}', "
    "'{{ .PerRetryUniqueKey }}')"
)


def _hive(query: str = QUERY, label: str = "default", results: bool = True) -> Package:
    """The Hive example's task running ``query`` on cluster ``label``, declaring a
    ``results`` schema output."""
    package = Package.load("plugin_hive").copy()
    task = package.task(HIVE)
    custom = task.custom
    custom.fields["query"].struct_value.fields["query"].string_value = query
    custom.fields["clusterLabel"].string_value = label
    if results:
        column = types_pb2.SchemaType.SchemaColumn(name="ds", type=2)
        schema = types_pb2.LiteralType(schema=types_pb2.SchemaType(columns=[column]))
        task.interface.outputs.variables["results"].type.CopyFrom(schema)
    return package


def _sqlite(path: Path) -> str:
    """An Airflow connection (JSON form) to the SQLite database at ``path``."""
    return json.dumps({"conn_type": "sqlite", "host": str(path)})


@pytest.mark.parametrize("flavour", ["local", "kubernetes"])
def test_hive_query_runs_on_the_connection(flavour: str, tmp_path: Path) -> None:
    pytest.importorskip("airflow.providers.sqlite")
    database = tmp_path / "warehouse.db"
    env = {"AIRFLOW_CONN_WAREHOUSE": _sqlite(database)}
    run = run_airflow(_hive(), tmp_path, connections_config(hive="warehouse"), env, flavour)
    assert run.ok, run_log(run)[-6000:]
    execution = next((tmp_path / "data").glob("*/n0")).parent.name
    raw = f"{(tmp_path / 'data').resolve()}/raw/{execution}/n0/0"
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT ds, raw, key FROM seen").fetchall()
    assert rows == [("2024-05-06", raw, f"{execution}-n0--0")]
    outputs = literals_pb2.LiteralMap.FromString(
        next((tmp_path / "data").glob("*/n0/data/0/outputs.pb")).read_bytes()
    )
    schema = outputs.literals["results"].scalar.schema
    assert schema.uri == raw
    assert [c.name for c in schema.type.columns] == ["ds"]


def test_a_failing_query_fails_the_node(tmp_path: Path) -> None:
    pytest.importorskip("airflow.providers.sqlite")
    package = _hive(query="SELECT * FROM no_such_table", results=False)
    env = {"AIRFLOW_CONN_WAREHOUSE": _sqlite(tmp_path / "w.db")}
    run = run_airflow(package, tmp_path, connections_config(hive="warehouse"), env, params={})
    assert not run.ok
    assert "no such table" in run_log(run)


def _operator_call(source: str) -> str:
    start = source.index("SQLExecuteQueryOperator(\n")
    return source[start : source.index("\n    )\n", start)]


@pytest.mark.parametrize(
    ("label", "connections", "expected"),
    [
        ("etl", {"hive": "any", "hive__etl": "etl_conn"}, "etl_conn"),
        ("adhoc", {"hive": "any", "hive__etl": "etl_conn"}, "any"),
        ("default", {"hive": "any"}, "any"),
    ],
)
def test_the_cluster_label_picks_the_connection(
    label: str, connections: dict[str, str], expected: str, tmp_path: Path
) -> None:
    built = build_package(
        _hive(label=label), tmp_path, "airflow", connections_config(**connections)
    )
    assert built.errors == []
    (source,) = built.files.values()
    call = _operator_call(source)
    assert f"conn_id='{expected}'" in call
    assert "sql=\"{{ ti.xcom_pull(task_ids='n0-render') }}\"" in call
    assert "split_statements=True" in call and "do_xcom_push=False" in call


def test_without_a_connection_for_the_label_nothing_is_routed(tmp_path: Path) -> None:
    built = build_package(
        _hive(label="adhoc"), tmp_path, "airflow", connections_config(hive__etl="etl")
    )
    messages = [d.message for d in built.errors if d.code == codes.UNSUPPORTED_CONSTRUCT]
    assert any("airflow_sql_connections.hive" in m for m in messages), messages


def _presto(**settings: str) -> Package:
    package = Package.load("plugin_hive").copy()
    task = package.task(HIVE)
    task.type = "presto"
    task.custom.Clear()
    task.custom.update({"statement": "SELECT 1", **settings})
    return package


def test_presto_catalog_routes_and_schema_is_the_database(tmp_path: Path) -> None:
    config = connections_config(presto="p_any", presto__sales="p_sales")
    built = build_package(_presto(catalog="sales", schema="q3"), tmp_path, "airflow", config)
    assert built.errors == []
    call = _operator_call(next(iter(built.files.values())))
    assert "conn_id='p_sales'" in call and "database='q3'" in call


def test_presto_routing_group_is_refused(tmp_path: Path) -> None:
    built = build_package(
        _presto(routingGroup="etl"), tmp_path, "airflow", connections_config(presto="p")
    )
    assert any("routing group 'etl'" in d.message for d in built.errors), built.errors


def test_the_argo_target_still_needs_a_query_client(tmp_path: Path) -> None:
    built = build_package(_hive(), tmp_path, "argo", connections_config(hive="warehouse"))
    messages = [d.message for d in built.errors]
    assert any("query_client_images.hive" in m for m in messages), messages


def test_render_prints_the_query_and_records_the_prefix(tmp_path: Path) -> None:
    from fcomp.runtime.queries import query_outputs, query_render

    inputs = literals_pb2.LiteralMap()
    inputs.literals["ds"].scalar.primitive.string_value = "d'1"
    (tmp_path / "inputs.pb").write_bytes(inputs.SerializeToString())
    package = _hive(query="SELECT '{{ .Inputs.ds }}' -- {{ .RawOutputDataPrefix }}")
    (tmp_path / "task.pb").write_bytes(package.task(HIVE).SerializeToString())

    class Args:
        engine = "hive"
        inputs = str(tmp_path / "inputs.pb")
        value = ["rawOutputDataPrefix=s3://b/raw/x/n0/1"]
        task_template = str(tmp_path / "task.pb")
        out = "-"
        record = str(tmp_path)
        output_prefix = str(tmp_path / "out")
        raw_output_prefix = None
        results_env = None
        generic = False

    printed = query_render(Args)
    assert printed is not None
    assert json.loads(printed) == "SELECT 'd'1' -- s3://b/raw/x/n0/1"
    assert json.loads((tmp_path / "query.json").read_text()) == {
        "rawOutputDataPrefix": "s3://b/raw/x/n0/1"
    }
    query_outputs(Args)
    outputs = literals_pb2.LiteralMap.FromString((tmp_path / "out" / "outputs.pb").read_bytes())
    assert outputs.literals["results"].scalar.schema.uri == "s3://b/raw/x/n0/1"
    assert os.path.getsize(tmp_path / "out" / "outputs.pb") > 0


STATEMENT = "SELECT * FROM events WHERE ds = @ds"


def _bigquery(results: bool = True) -> Package:
    """The Hive example's task made a BigQuery job as ``flytekitplugins-bigquery`` writes
    one (a Sql target, ``ProjectID`` and ``Location`` in ``custom``), optionally declaring
    the ``results`` data frame."""
    package = Package.load("plugin_hive").copy()
    task = package.task(HIVE)
    task.type = "bigquery_query_job_task"
    task.custom.Clear()
    task.custom.update({"ProjectID": "flyte-proj", "Location": "EU", "Domain": "development"})
    task.sql.statement = STATEMENT
    task.sql.dialect = task.sql.ANSI
    if results:
        dataset = types_pb2.LiteralType(structured_dataset_type=types_pb2.StructuredDatasetType())
        task.interface.outputs.variables["results"].type.CopyFrom(dataset)
    return package


@pytest.mark.parametrize("flavour", ["local", "kubernetes"])
def test_bigquery_job_runs_with_the_providers_operator(flavour: str, tmp_path: Path) -> None:
    """The job the operator submits is the one Flyte's connector submits (the statement as
    it is, the input as a typed query parameter, standard SQL, the task's project and
    location); the outputs are what the connector reports for the job's destination table.
    The Google provider's operator is a stand-in here (``tests/airflow/stand_ins``)."""
    pytest.importorskip("airflow")
    flytekit = pytest.importorskip("flytekit")
    from flytekit.core.type_engine import TypeEngine

    record = tmp_path / "job.json"
    env = {
        "FCOMP_BIGQUERY_RECORD": str(record),
        "FCOMP_BIGQUERY_DESTINATION": "flyte-proj:_anon1.tmp_result",
    }
    config = connections_config(bigquery_query_job_task="gcp")
    run = run_airflow(_bigquery(), tmp_path, config, env, flavour, (str(STAND_INS),))
    assert run.ok, run_log(run)[-6000:]
    parameter = {
        "name": "ds",
        "parameterType": {"type": "STRING"},
        "parameterValue": {"value": "2024-05-06"},
    }
    assert json.loads(record.read_text()) == {
        "configuration": {
            "query": {"query": STATEMENT, "useLegacySql": False, "queryParameters": [parameter]}
        },
        "project_id": "flyte-proj",
        "location": "EU",
        "gcp_conn_id": "gcp",
        "deferrable": False,
    }
    outputs = literals_pb2.LiteralMap.FromString(
        next((tmp_path / "data").glob("*/n0/data/0/outputs.pb")).read_bytes()
    )
    ctx = flytekit.FlyteContextManager.current_context()
    uri = "bq://flyte-proj:_anon1.tmp_result"
    declared = TypeEngine.to_literal_type(flytekit.StructuredDataset)
    expected = TypeEngine.to_literal(
        ctx, flytekit.StructuredDataset(uri=uri), flytekit.StructuredDataset, declared
    )
    assert outputs.literals["results"] == expected.to_flyte_idl()


def test_bigquery_parameters_are_written_as_the_client_writes_them(tmp_path: Path) -> None:
    """Each input type Flyte's connector passes, written as google-cloud-bigquery's
    ``ScalarQueryParameter.to_api_repr`` writes it: integers as text, floats as numbers
    (NaN and infinities as text), booleans as ``true``/``false``, datetimes in UTC as
    ``%Y-%m-%dT%H:%M:%S.%f``."""
    from fcomp.runtime.queries import bigquery_job

    template = _bigquery().task(HIVE)
    variables = template.interface.inputs.variables
    kinds = {"n": 1, "x": 2, "s": 3, "b": 4, "t": 5, "inf": 2}
    for name, simple in kinds.items():
        variables[name].type.simple = simple
    inputs = literals_pb2.LiteralMap()
    inputs.literals["ds"].scalar.primitive.string_value = "d"
    inputs.literals["n"].scalar.primitive.integer = -7
    inputs.literals["x"].scalar.primitive.float_value = 0.5
    inputs.literals["inf"].scalar.primitive.float_value = float("inf")
    inputs.literals["s"].scalar.primitive.string_value = "it's"
    inputs.literals["b"].scalar.primitive.boolean = True
    inputs.literals["t"].scalar.primitive.datetime.FromJsonString("2024-02-29T23:59:58.123456Z")
    job = bigquery_job(template, inputs)
    values = {
        p["name"]: (p["parameterType"]["type"], p["parameterValue"]["value"])
        for p in job["queryParameters"]
    }
    assert values == {
        "b": ("BOOL", "true"),
        "ds": ("STRING", "d"),
        "inf": ("FLOAT64", "inf"),
        "n": ("INT64", "-7"),
        "s": ("STRING", "it's"),
        "t": ("DATETIME", "2024-02-29T23:59:58.123456"),
        "x": ("FLOAT64", 0.5),
    }
    assert job["query"] == STATEMENT and job["useLegacySql"] is False


def test_bigquery_inputs_the_connector_cannot_pass_are_reported(tmp_path: Path) -> None:
    compilation = compile_paths([_bigquery().write(tmp_path / "pkg")])
    (task,) = compilation.program.tasks
    duration = ir.Variable("ds", ir.Simple(simple=ir.SimpleType.DURATION))
    empty = PodUnit(task=task, pod_spec={}, primary="primary")
    unit = ConnectorUnit(
        task=dataclasses.replace(task, interface=ir.Interface.of([duration])),
        engine="bigquery_query_job_task",
        pod=None,
        query=QuerySteps(render=empty, outputs=empty),
    )
    assert "input 'ds' (Duration) cannot be a BigQuery query parameter" in sql_problem(unit)
    assert sql_problem(dataclasses.replace(unit, task=task)) == ""


def test_bigquery_without_a_connection_keeps_the_connector_pod(tmp_path: Path) -> None:
    built = build_package(_bigquery(), tmp_path, "airflow", Config())
    assert built.errors == []
    (source,) = built.files.values()
    assert "FcompBigQueryJob" not in source and "KubernetesPodOperator(" in source
    with_connection = build_package(
        _bigquery(), tmp_path / "c", "airflow", connections_config(bigquery_query_job_task="gcp")
    )
    (source,) = with_connection.files.values()
    assert "class FcompBigQueryJob(BigQueryInsertJobOperator)" in source
    assert "gcp_conn_id='gcp'" in source and "project_id='flyte-proj'" in source


def test_real_plugin_output_runs_on_the_connections(tmp_path: Path) -> None:
    """The tasks ``flytekitplugins-bigquery`` and ``-snowflake`` write (example
    ``plugin_queries``): with a Google Cloud connection the BigQuery task gets the provider's
    operator in its project and location, its render and outputs steps around it; the
    Snowflake task keeps flytekit's connector pod."""
    package = Package.load("plugin_queries")
    built = build_package(
        package, tmp_path, "airflow", connections_config(bigquery_query_job_task="gcp")
    )
    assert built.errors == []
    (source,) = built.files.values()
    call = source[
        source.index("FcompBigQueryJob(\n") : source.index(
            "\n    )\n", source.index("FcompBigQueryJob(\n")
        )
    ]
    assert "rendered_by='n1-render'" in call and "gcp_conn_id='gcp'" in call
    assert "project_id='flyte-examples'" in call and "location='US'" in call
    assert "task_id='n1-outputs'" in source and "'FCOMP_QUERY_RESULTS'" in source
    assert "SQLExecuteQueryOperator" not in source
    assert source.count("'connector',") == 1  # the Snowflake task's connector pod
