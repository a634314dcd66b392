"""Hive and Presto queries run by a configured query client container, on both targets: the
query rendered with Flyte's template variables (a Presto query wrapped as Flyte's Presto plugin
wraps it), the client run with the task's settings, and the ``results`` schema written at the
raw output prefix as Flyte's plugins write it. Each run here uses a stand-in client (a shell
command copying the query file it is given), so what reaches the client is checked exactly."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import struct_pb2

from fcomp.compiler import codes
from fcomp.compiler.config import config_from_mapping
from fcomp.runtime.errors import StepError
from fcomp.runtime.queries import PRESTO_WRAP, render_query
from tests.robustness.robust_support import Package, build_package

HIVE = "plugin_hive.count"
#: A client that copies the query file to $QUERY_COPY, and its other arguments to
#: $QUERY_COPY.args.
CLIENT = 'sh -c \'cp "$1" "$QUERY_COPY"; shift; echo "$@" > "$QUERY_COPY.args"\' sh {query_file}'


def _config_file(tmp: Path, engine: str, command: str = CLIENT) -> Path:
    path = tmp / "fcomp.toml"
    text = f'[query_client_images]\n{engine} = "example/client:1"\n'
    text += f"[query_client_commands]\n{engine} = {json.dumps(command)}\n"
    path.write_text(text, encoding="utf-8")
    return path


def _presto(results: bool, **settings: str) -> Package:
    """The Hive example's task made a Presto query (``PrestoQuery``), optionally declaring
    a ``results`` schema output."""
    package = Package.load("plugin_hive").copy()
    task = package.task(HIVE)
    task.type = "presto"
    task.custom.Clear()
    custom = {"statement": "SELECT * FROM t WHERE ds = '{{ .Inputs.ds }}'", **settings}
    task.custom.update(custom)
    if results:
        column = types_pb2.SchemaType.SchemaColumn(name="n", type=1)
        schema = types_pb2.LiteralType(schema=types_pb2.SchemaType(columns=[column]))
        task.interface.outputs.variables["results"].type.CopyFrom(schema)
    return package


def _run(
    engine: str, package: Path, config: Path, tmp: Path, *params: str
) -> subprocess.CompletedProcess[str]:
    fcomp = str(Path(sys.executable).with_name("fcomp"))
    argv = [fcomp, "run", "--engine", engine, str(package), "--config", str(config)]
    argv += ["--storage", str(tmp / "data"), *params]
    env = {**os.environ, "QUERY_COPY": str(tmp / "query.sql"), "HOME": str(tmp)}
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)


def test_render_follows_flytes_template_rules() -> None:
    inputs = literals_pb2.LiteralMap()
    inputs.literals["ds"].scalar.primitive.string_value = "2024-01-02"
    inputs.literals["n"].scalar.primitive.integer = 7
    values = {"rawOutputDataPrefix": "s3://b/raw", "perRetryUniqueKey": "k-n0-0"}
    text = "{{ .Inputs.ds }} {{$inputs.n}} {{ .rawoutputdataprefix }} {{.PerRetryUniqueKey}}"
    text += " {{ .Other }}"
    assert render_query(text, values, inputs) == "2024-01-02 7 s3://b/raw k-n0-0 {{ .Other }}"
    with pytest.raises(StepError, match="requested input is not found"):
        render_query("{{ .Inputs.missing }}", values, inputs)


@pytest.mark.parametrize("engine", ["argo-local", "airflow-local"])
def test_hive_query_reaches_the_client_rendered(engine: str, tmp_path: Path) -> None:
    if engine == "airflow-local":
        pytest.importorskip("airflow")
    config = _config_file(
        tmp_path, "hive", CLIENT.replace(" {query_file}", " {query_file} {cluster_label}")
    )
    package = Package.load("plugin_hive").copy()
    package.task(HIVE).custom.update({"clusterLabel": "etl"})
    proc = _run(
        engine,
        package.write(tmp_path / "pkg"),
        config,
        tmp_path,
        "-p",
        "ds=2024-05-06",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout) == {}  # the task declares no outputs
    query = (tmp_path / "query.sql").read_text()
    # the task's cluster label, given to the client
    assert (tmp_path / "query.sql.args").read_text() == "etl\n"
    execution = next((tmp_path / "data").glob("*/n0")).parent.name
    key = f"{execution}-n0--0"
    raw = f"{tmp_path / 'data'}/raw/{execution}/n0/0"
    expected = (
        f"CREATE TEMPORARY TABLE {key}_tmp AS SELECT COUNT(*) FROM events WHERE ds = '2024-05-06'; "
        f"CREATE EXTERNAL TABLE {key} LIKE {key}_tmp STORED AS PARQUET; "
        f"ALTER TABLE {key} SET LOCATION '{raw}'; "
        f"INSERT OVERWRITE TABLE {key} SELECT * FROM {key}_tmp; DROP TABLE {key};"
    )
    assert query == expected


def test_presto_results_are_the_raw_output_prefix(tmp_path: Path) -> None:
    command = CLIENT.replace(" {query_file}", " {query_file} {catalog} {schema}")
    package = _presto(True, catalog="hive", schema="events").write(tmp_path / "pkg")
    proc = _run(
        "argo-local", package, _config_file(tmp_path, "presto", command), tmp_path, "-p", "ds=d1"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    query = (tmp_path / "query.sql").read_text()
    assert (tmp_path / "query.sql.args").read_text() == "hive events\n"
    execution = next((tmp_path / "data").glob("*/n0")).parent.name
    raw = f"{tmp_path / 'data'}/raw/{execution}/n0/0"
    table = hashlib.sha256(f"{execution}-n0--0".encode()).hexdigest()[:32]
    assert query == PRESTO_WRAP.format(
        table=table, location=raw, statement="SELECT * FROM t WHERE ds = 'd1'"
    )
    outputs = literals_pb2.LiteralMap.FromString(
        next((tmp_path / "data").glob("*/n0/data/0/outputs.pb")).read_bytes()
    )
    schema = outputs.literals["results"].scalar.schema
    assert schema.uri == raw
    assert [c.name for c in schema.type.columns] == ["n"]


@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_a_setting_the_client_does_not_take_is_reported(target: str, tmp_path: Path) -> None:
    config, problems = config_from_mapping(
        {
            "query_client_images": {"presto": "example/client:1"},
            "query_client_commands": {"presto": "presto --file {query_file}"},
        }
    )
    assert problems == []
    built = build_package(_presto(False, catalog="hive"), tmp_path, target, config)
    messages = [d.message for d in built.errors if d.code == codes.UNSUPPORTED_CONSTRUCT]
    assert any("sets catalog 'hive'" in m and "{catalog}" in m for m in messages), messages


def test_qubole_only_settings_are_refused(tmp_path: Path) -> None:
    config, _ = config_from_mapping(
        {
            "query_client_images": {"hive": "c:1"},
            "query_client_commands": {"hive": "h {query_file}"},
        }
    )
    package = Package.load("plugin_hive").copy()
    custom: Any = package.task(HIVE).custom
    query = custom.fields["query"].struct_value
    query.fields["timeoutSec"].CopyFrom(struct_pb2.Value(number_value=60))
    built = build_package(package, tmp_path, "argo", config)
    assert any("timeoutSec" in d.message for d in built.errors)
