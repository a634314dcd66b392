"""Snowflake query tasks on the Airflow target with a Snowflake connection configured
(``airflow_sql_connections.snowflake``): run by common-sql's ``SQLExecuteQueryOperator`` on the
Snowflake provider's hook as Flyte's connector runs them (the statement as it is, the inputs
bound by the client as the Python values flytekit reads them as, in the task's account,
warehouse, database and schema), the ``results`` written as the connector writes them.

The Snowflake provider is not installed here: the end-to-end runs use a stand-in of its hook
(``tests/airflow/stand_ins``) that records what it was asked to run.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2

from fcomp.backends.airflow.prelude.sqlparams import fcomp_sql_parameter
from fcomp.backends.airflow.sql import sql_problem
from fcomp.compiler import codes, ir
from fcomp.compiler.driver import compile_paths
from fcomp.compiler.plugins.units import ConnectorUnit, PodUnit, QuerySteps
from fcomp.runtime.queries import snowflake_query
from tests.plugins.sql_support import STAND_INS, connections_config, run_airflow, run_log
from tests.robustness.robust_support import Package, build_package

WORKFLOW = "fcomp_examples.plugin_queries.queries_wf"
CUSTOMER = "fcomp_examples.plugin_queries.customer"
#: The Snowflake task's config in example ``plugin_queries`` (flytekitplugins-snowflake).
SETTINGS = {
    "user": "flyte",
    "account": "example-account",
    "database": "SNOWFLAKE_SAMPLE_DATA",
    "schema": "TPCH_SF1",
    "warehouse": "COMPUTE_WH",
}
QUERY_ID = "01b0fcomp-0000-0000-0000-000000000001"


def _records(path: Path) -> list[dict[str, Any]]:
    found = []
    with path.open("rb") as handle:
        while True:
            try:
                found.append(pickle.load(handle))
            except EOFError:
                return found


def _run(tmp_path: Path, flavour: str, fail: bool = False) -> tuple[Any, Path]:
    """Example ``plugin_queries`` (the tasks the real plugins write) on Airflow, its BigQuery
    task on a Google Cloud connection and its Snowflake task on a Snowflake connection, both
    providers stand-ins."""
    record = tmp_path / "snowflake.pickle"
    env = {
        "FCOMP_SNOWFLAKE_RECORD": str(record),
        "FCOMP_BIGQUERY_RECORD": str(tmp_path / "job.json"),
        "FCOMP_BIGQUERY_DESTINATION": "flyte-examples:_anon.t",
        **({"FCOMP_SNOWFLAKE_FAIL": "1"} if fail else {}),
    }
    config = connections_config(bigquery_query_job_task="gcp", snowflake="sf")
    run = run_airflow(
        Package.load("plugin_queries"),
        tmp_path,
        config,
        env,
        flavour,
        (str(STAND_INS),),
        params={},
        workflow=WORKFLOW,
    )
    return run, record


@pytest.mark.parametrize("flavour", ["local", "kubernetes"])
def test_snowflake_query_runs_as_the_connector_runs_it(flavour: str, tmp_path: Path) -> None:
    """The hook runs the statement as one statement, with the input as the Python value
    flytekit reads it as, autocommitted, in the task's account, warehouse, database and
    schema; the outputs are the literal the connector writes for the query's results."""
    pytest.importorskip("airflow.providers.common.sql")
    flytekit = pytest.importorskip("flytekit")
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.types import LiteralType, StructuredDatasetType

    run, record = _run(tmp_path, flavour)
    assert run.ok, run_log(run)[-6000:]
    (ran,) = _records(record)
    statement = Package.load("plugin_queries").task(CUSTOMER).sql.statement
    assert ran == {
        "conn_id": "sf",
        "settings": {k: SETTINGS[k] for k in ("account", "warehouse", "database", "schema")},
        "sql": [statement],
        "autocommit": True,
        "parameters": {"customer_id": 1},
    }
    assert type(ran["parameters"]["customer_id"]) is int
    outputs = literals_pb2.LiteralMap.FromString(
        next((tmp_path / "data").glob("*/n0/data/0/outputs.pb")).read_bytes()
    )
    uri = "snowflake://flyte:example-account/COMPUTE_WH/SNOWFLAKE_SAMPLE_DATA/TPCH_SF1/" + QUERY_ID
    ctx = flytekit.FlyteContextManager.current_context()
    expected = TypeEngine.to_literal(  # as the connector's ``get`` writes it
        ctx,
        flytekit.StructuredDataset(uri=uri),
        flytekit.StructuredDataset,
        LiteralType(structured_dataset_type=StructuredDatasetType(format="")),
    )
    assert outputs == literals_pb2.LiteralMap(literals={"results": expected.to_flyte_idl()})


def test_a_failing_snowflake_query_fails_the_node(tmp_path: Path) -> None:
    pytest.importorskip("airflow.providers.common.sql")
    run, _ = _run(tmp_path, "local", fail=True)
    assert not run.ok
    assert "Object 'CUSTOMERS' does not exist" in run_log(run)
    assert not list((tmp_path / "data").glob("*/n0/data/0/outputs.pb"))


def test_parameters_are_the_values_flytekit_binds() -> None:
    """Each input type fcomp passes to the Snowflake client, through the render step's JSON
    and back, is the Python value (type and all) flytekit's connector binds: integers,
    floats (infinities too), strings, booleans, datetimes in UTC, durations, lists."""
    flytekit = pytest.importorskip("flytekit")
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.interface import Variable
    from flytekit.models.literals import LiteralMap

    simple = types_pb2.SimpleType
    template = Package.load("plugin_queries").copy().task(CUSTOMER)
    variables = template.interface.inputs.variables
    inputs = literals_pb2.LiteralMap()

    def add(name: str, kind: types_pb2.LiteralType, literal: literals_pb2.Literal) -> None:
        variables[name].type.CopyFrom(kind)
        inputs.literals[name].CopyFrom(literal)

    def primitive(**value: Any) -> literals_pb2.Literal:
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=value))

    def of(s: int) -> types_pb2.LiteralType:
        return types_pb2.LiteralType(simple=s)

    when = primitive(datetime={"seconds": 1_709_251_198, "nanos": 123_456_789})
    add("customer_id", of(simple.INTEGER), primitive(integer=-7))
    add("x", of(simple.FLOAT), primitive(float_value=0.5))
    add("inf", of(simple.FLOAT), primitive(float_value=float("-inf")))
    add("s", of(simple.STRING), primitive(string_value="it's %(s)s"))
    add("b", of(simple.BOOLEAN), primitive(boolean=False))
    add("t", of(simple.DATETIME), when)
    add("d", of(simple.DURATION), primitive(duration={"seconds": -90061, "nanos": 500_000}))
    ids = types_pb2.LiteralType(collection_type=of(simple.INTEGER))
    add("ids", ids, literals_pb2.Literal(collection={"literals": [primitive(integer=3)] * 2}))
    nested = types_pb2.LiteralType(collection_type=types_pb2.LiteralType(collection_type=of(5)))
    add("tt", nested, literals_pb2.Literal(collection={"literals": [{"collection": {}}]}))
    inputs.literals["tt"].collection.literals[0].collection.literals.append(when)

    rendered = json.loads(json.dumps(snowflake_query(template, inputs)))
    got = {k: fcomp_sql_parameter(v) for k, v in rendered["parameters"].items()}
    ctx = flytekit.FlyteContextManager.current_context()
    variables_model = {  # the connector's ``task_template.interface.inputs``
        name: Variable.from_flyte_idl(v) for name, v in template.interface.inputs.variables.items()
    }
    expected = TypeEngine.literal_map_to_kwargs(
        ctx, LiteralMap.from_flyte_idl(inputs), literal_types=variables_model
    )
    assert sorted(got) == sorted(expected)
    for name, value in expected.items():
        assert repr(got[name]) == repr(value), name
    assert rendered["statement"] == template.sql.statement


def test_a_query_without_inputs_binds_nothing() -> None:
    """With no inputs the connector passes no parameters (a ``%`` in the statement stays)."""
    template = Package.load("plugin_queries").copy().task(CUSTOMER)
    template.interface.inputs.variables.clear()
    template.sql.statement = "SELECT '100%'"
    assert snowflake_query(template, literals_pb2.LiteralMap()) == {
        "statement": "SELECT '100%'",
        "parameters": None,
    }


def test_inputs_and_settings_the_query_cannot_take_are_reported(tmp_path: Path) -> None:
    compilation = compile_paths([Package.load("plugin_queries").write(tmp_path / "pkg")])
    task = next(t for t in compilation.program.tasks if t.id.name == CUSTOMER)
    empty = PodUnit(task=task, pod_spec={}, primary="primary")
    query = QuerySteps(render=empty, outputs=empty, settings=SETTINGS)
    unit = ConnectorUnit(task=task, engine="snowflake", pod=None, query=query)
    assert sql_problem(unit) == ""
    pairs = ir.Variable("m", ir.MapOf(value=ir.Simple(simple=ir.SimpleType.INTEGER)))
    mapped = dataclasses.replace(task, interface=ir.Interface.of([pairs]))
    assert "input 'm' (Dict[str, Integer]) cannot be a Snowflake query parameter" in sql_problem(
        dataclasses.replace(unit, task=mapped)
    )
    unset = dataclasses.replace(query, settings={**SETTINGS, "warehouse": ""})
    assert "its config does not set warehouse" in sql_problem(
        dataclasses.replace(unit, query=unset)
    )


def test_the_account_picks_the_connection(tmp_path: Path) -> None:
    package = Package.load("plugin_queries")
    config = connections_config(**{"snowflake": "any", "snowflake__example-account": "sf_x"})
    built = build_package(package, tmp_path, "airflow", config)
    assert built.errors == []
    (source,) = built.files.values()
    start = source.index("FcompSnowflakeQuery(\n")
    call = source[start : source.index("\n    )\n", start)]
    assert "conn_id='sf_x'" in call and "rendered_by='n0-render'" in call
    assert "'warehouse': 'COMPUTE_WH'" in call
    assert "results='snowflake://flyte:example-account/COMPUTE_WH/" in call
    other = build_package(
        package, tmp_path / "o", "airflow", connections_config(snowflake__other="sf_other")
    )
    messages = [d.message for d in other.errors if d.code == codes.UNSUPPORTED_CONSTRUCT]
    assert messages == [], messages  # the connector pod runs it instead
    (source,) = other.files.values()
    assert "FcompSnowflakeQuery" not in source and source.count("'connector',") == 2
