"""Hive and Presto queries on the Airflow target with an Airflow connection configured
(``airflow_sql_connections``): rendered with Flyte's template variables, run by common-sql's
``SQLExecuteQueryOperator`` on the connection, outputs written as Flyte's plugins write them.

The end-to-end runs use a SQLite connection (``AIRFLOW_CONN_...``) and a Hive task whose query
SQLite understands, in both operator flavours (``kubernetes`` with the stand-in kubelet): the
row the query inserts shows the rendered values reached the database.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2, types_pb2

from fcomp.backends.airflow.localrun import run_airflow_local
from fcomp.compiler import codes
from fcomp.compiler.config import Config, config_from_mapping
from fcomp.compiler.driver import compile_paths
from tests.robustness.robust_support import Package, build_package

HIVE = "plugin_hive.count"
KUBELET = Path(__file__).parents[1] / "airflow" / "fake_kubelet"
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


def _config(**connections: str) -> Config:
    config, problems = config_from_mapping(
        {"airflow_sql_connections": {k.replace("__", ":"): v for k, v in connections.items()}}
    )
    assert problems == []
    return config


@pytest.mark.parametrize("flavour", ["local", "kubernetes"])
def test_hive_query_runs_on_the_connection(flavour: str, tmp_path: Path) -> None:
    pytest.importorskip("airflow.providers.sqlite")
    database = tmp_path / "warehouse.db"
    package = _hive().write(tmp_path / "pkg")
    (tmp_path / "home").mkdir()
    env = {
        "AIRFLOW_CONN_WAREHOUSE": _sqlite(database),
        "HOME": str(tmp_path / "home"),
        **({"FCOMP_FAKE_KUBELET": "1"} if flavour == "kubernetes" else {}),
    }
    run, diagnostics = run_airflow_local(
        compile_paths([package]),
        "fcomp_examples.plugin_hive.hive_wf",
        {"ds": "2024-05-06"},
        storage=tmp_path / "data",
        config=_config(hive="warehouse"),
        workdir=tmp_path / "work",
        pythonpath=[str(KUBELET)] if flavour == "kubernetes" else [],
        env=env,
        flavour=flavour,
    )
    assert diagnostics == [] and run is not None
    log = run.log.read_text(encoding="utf-8", errors="replace")[-6000:]
    assert run.ok, log
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
    package = _hive(query="SELECT * FROM no_such_table", results=False).write(tmp_path / "pkg")
    run, diagnostics = run_airflow_local(
        compile_paths([package]),
        "fcomp_examples.plugin_hive.hive_wf",
        {},
        storage=tmp_path / "data",
        config=_config(hive="warehouse"),
        workdir=tmp_path / "work",
        env={"AIRFLOW_CONN_WAREHOUSE": _sqlite(tmp_path / "w.db"), "HOME": str(tmp_path)},
    )
    assert diagnostics == [] and run is not None
    assert not run.ok
    assert "no such table" in run.log.read_text(encoding="utf-8", errors="replace")


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
    built = build_package(_hive(label=label), tmp_path, "airflow", _config(**connections))
    assert built.errors == []
    (source,) = built.files.values()
    call = _operator_call(source)
    assert f"conn_id='{expected}'" in call
    assert "sql=\"{{ ti.xcom_pull(task_ids='n0-render') }}\"" in call
    assert "split_statements=True" in call and "do_xcom_push=False" in call


def test_without_a_connection_for_the_label_nothing_is_routed(tmp_path: Path) -> None:
    built = build_package(_hive(label="adhoc"), tmp_path, "airflow", _config(hive__etl="etl"))
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
    config = _config(presto="p_any", presto__sales="p_sales")
    built = build_package(_presto(catalog="sales", schema="q3"), tmp_path, "airflow", config)
    assert built.errors == []
    call = _operator_call(next(iter(built.files.values())))
    assert "conn_id='p_sales'" in call and "database='q3'" in call


def test_presto_routing_group_is_refused(tmp_path: Path) -> None:
    built = build_package(_presto(routingGroup="etl"), tmp_path, "airflow", _config(presto="p"))
    assert any("routing group 'etl'" in d.message for d in built.errors), built.errors


def test_the_argo_target_still_needs_a_query_client(tmp_path: Path) -> None:
    built = build_package(_hive(), tmp_path, "argo", _config(hive="warehouse"))
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
