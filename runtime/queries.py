"""Query tasks run by a client container (``hive``, ``presto``): render the query as Flyte's
backend plugins do, and write the outputs those plugins write.

- ``query-render`` writes the query file the client container runs: Flyte's template
  variables (``{{ .Inputs.x }}``, ``{{ .RawOutputDataPrefix }}``, ``{{ .PerRetryUniqueKey }}``,
  ... case-insensitive, ``.`` or ``$``) replaced by their values, unknown ones left as they
  are (``template.go``); a Presto query is wrapped as Flyte's Presto plugin wraps it, into a
  table written as Parquet at the raw output prefix, then that table dropped.
- ``query-outputs`` writes ``outputs.pb``: the ``results`` schema (when the task declares
  it) located at the raw output prefix, as the Hive and Presto plugins report it.

When a separate operator runs the query (Airflow's, on a connection), ``query-render --out -``
prints the query as a JSON string for it and ``--record`` keeps the raw output prefix it used
beside the node's inputs, where ``query-outputs --record`` reads it back. For BigQuery and
Snowflake it prints what Flyte's connector submits (a job's query configuration; a statement
and its parameters), and ``query-outputs --results-env`` takes the results' location from what
the operator returned.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import os
import re
from collections.abc import Callable
from typing import Any

from fcomp.runtime.copilot import INPUT_VAR, _join, _read, _write, template_value

#: A Flyte template variable other than an input: ``{{ .Name }}``.
_VARIABLE = re.compile(r"(?i)\{\{\s*[.$]([A-Za-z]+)\s*\}\}")
#: The variables ``template.go`` knows, by lowercase name.
VARIABLES = (
    "input",
    "inputPrefix",
    "outputPrefix",
    "rawOutputDataPrefix",
    "perRetryUniqueKey",
    "taskTemplatePath",
    "checkpointOutputPrefix",
    "prevCheckpointPrefix",
)
#: The file (beside the node's inputs) where ``query-render --record`` keeps the raw output
#: prefix the query used, for ``query-outputs --record``.
RECORD = "query.json"
#: Flyte's Presto plugin: the query becomes a table at the raw output prefix.
PRESTO_WRAP = """CREATE TABLE hive.flyte_temporary_tables."{table}_temp"
WITH (format = 'PARQUET', external_location = '{location}')
AS ({statement});
DROP TABLE hive.flyte_temporary_tables."{table}_temp";
"""


def add_parsers(commands: Any, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add this module's subcommands to the runtime's subparsers."""
    render = commands.add_parser(
        "query-render", parents=parents or [], help="write a query task's query file"
    )
    render.add_argument("--engine", required=True, choices=sorted([*ENGINES, *JOBS]))
    render.add_argument("--inputs", required=True, help="URI of the node's inputs.pb")
    render.add_argument(
        "--value", action="append", default=[], metavar="NAME=TEXT", help="a template variable"
    )
    render.add_argument("--task-template", required=True, help="URI of the task's task.pb")
    render.add_argument(
        "--out", required=True, help="local file to write the query to (-: print it as JSON)"
    )
    render.add_argument(
        "--record", help="URI of a folder where the raw output prefix used is recorded"
    )
    outputs = commands.add_parser(
        "query-outputs", parents=parents or [], help="write a query task's outputs.pb"
    )
    outputs.add_argument("--task-template", required=True, help="URI of the task's task.pb")
    outputs.add_argument("--output-prefix", required=True, help="URI where outputs.pb goes")
    where = outputs.add_mutually_exclusive_group(required=True)
    where.add_argument("--raw-output-prefix", help="where the results are")
    where.add_argument("--record", help="URI of the folder query-render recorded it in")
    where.add_argument(
        "--results-env",
        help="variable holding the results' location (a BigQuery table, a Snowflake query's)",
    )
    outputs.add_argument(
        "--generic",
        action="store_true",
        help="write results as a data frame of no columns and the generic format",
    )


def render_query(statement: str, values: dict[str, str], inputs: Any) -> str:
    """``statement`` with every variable Flyte knows replaced (inputs from ``inputs``)."""
    from fcomp.runtime.errors import StepError

    known = {name.lower(): name for name in VARIABLES}

    def variable(match: re.Match[str]) -> str:
        name = known.get(match.group(1).lower())
        return values[name] if name in values else match.group(0)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in inputs.literals:
            raise StepError(f"requested input is not found [{name}]")
        return template_value(inputs.literals[name])

    return _VARIABLE.sub(variable, INPUT_VAR.sub(value, statement))


def statement(template: Any, engine: str) -> str:
    """The query of a task template's ``custom`` (``QuboleHiveJob.query.query``,
    ``PrestoQuery.statement``)."""
    from google.protobuf import json_format

    custom = json_format.MessageToDict(template.custom)
    if engine == "hive":
        query = custom.get("query")
        return str(query.get("query") or "") if isinstance(query, dict) else ""
    return str(custom.get("statement") or "")


def _hive(query: str, values: dict[str, str]) -> str:
    return query


def _presto(query: str, values: dict[str, str]) -> str:
    key = values.get("perRetryUniqueKey", "")
    table = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    location = values.get("rawOutputDataPrefix", "").replace("'", "''")
    return PRESTO_WRAP.format(table=table, location=location, statement=query)


#: What each engine runs around the rendered query.
ENGINES: dict[str, Callable[[str, dict[str, str]], str]] = {"hive": _hive, "presto": _presto}


def query_render(args: Any) -> str | None:
    """Write the rendered query to ``--out`` (print a job's configuration)."""
    from flyteidl.core import literals_pb2, tasks_pb2

    from fcomp.runtime.codec import parse_message
    from fcomp.runtime.errors import StepError

    values: dict[str, str] = {}
    for item in args.value:
        name, sep, text = item.partition("=")
        if not sep or name not in VARIABLES:
            raise StepError(f"--value {item!r}: expected NAME=TEXT with a known NAME")
        values[name] = text
    inputs = parse_message(
        _read(args.inputs, "the node's inputs"), literals_pb2.LiteralMap, "inputs.pb"
    )
    template = parse_message(
        _read(args.task_template, "the task template"), tasks_pb2.TaskTemplate, "task.pb"
    )
    if args.engine in JOBS:
        return json.dumps(JOBS[args.engine](template, inputs), sort_keys=True)
    query = render_query(statement(template, args.engine), values, inputs)
    query = ENGINES[args.engine](query, values)
    if args.record:
        record = {"rawOutputDataPrefix": values.get("rawOutputDataPrefix", "")}
        _write(_join(args.record, RECORD), json.dumps(record).encode("utf-8"))
    if args.out == "-":
        return json.dumps(query)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(query)
    return None


def query_outputs(args: Any) -> str | None:
    """Write ``outputs.pb``: ``results`` (a schema at the raw output prefix) if declared."""
    from flyteidl.core import literals_pb2, tasks_pb2

    from fcomp.runtime.codec import parse_message, serialize
    from fcomp.runtime.errors import StepError

    template = parse_message(
        _read(args.task_template, "the task template"), tasks_pb2.TaskTemplate, "task.pb"
    )
    raw = args.raw_output_prefix
    if args.results_env:
        raw = os.environ.get(args.results_env, "")
    if args.record:
        try:
            raw = json.loads(_read(_join(args.record, RECORD), "the query record"))[
                "rawOutputDataPrefix"
            ]
        except (ValueError, KeyError, TypeError):
            raise StepError("the query record is not what query-render writes") from None
    variables = template.interface.outputs.variables
    outputs = literals_pb2.LiteralMap()
    extra = sorted(set(variables) - {"results"})
    if extra:
        raise StepError(f"a query task writes only 'results'; it declares {', '.join(extra)}")
    if "results" in variables:
        declared = variables["results"].type
        kind = declared.WhichOneof("type")
        if not raw:
            raise StepError("the query left no results (a BigQuery job without a destination)")
        if args.generic:  # the Snowflake connector's literal, whatever the declared type
            generic = outputs.literals["results"].scalar.structured_dataset
            generic.uri = raw
            generic.metadata.structured_dataset_type.SetInParent()
        elif kind == "schema":
            schema = outputs.literals["results"].scalar.schema
            schema.uri = raw
            schema.type.CopyFrom(declared.schema)
        elif kind == "structured_dataset_type":
            dataset = outputs.literals["results"].scalar.structured_dataset
            dataset.uri = raw
            dataset.metadata.structured_dataset_type.CopyFrom(declared.structured_dataset_type)
        else:
            raise StepError("a query task's 'results' output must be a schema or a data frame")
    _write(_join(args.output_prefix, "outputs.pb"), serialize(outputs))
    return None


#: BigQuery's parameter type for each Flyte simple type flytekit's connector passes (the
#: Python type flytekit reads the input as, then ``pythonTypeToBigQueryType``).
BIGQUERY_TYPES = {
    "INTEGER": "INT64",
    "FLOAT": "FLOAT64",
    "STRING": "STRING",
    "BOOLEAN": "BOOL",
    "DATETIME": "DATETIME",
}


def bigquery_job(template: Any, inputs: Any) -> dict[str, Any]:
    """The query configuration of the BigQuery job Flyte's connector submits: the statement as
    it is, standard SQL, each input a named query parameter (its value as the BigQuery client
    writes it)."""
    from flyteidl.core import types_pb2

    from fcomp.runtime.errors import StepError

    parameters = []
    for name, variable in sorted(template.interface.inputs.variables.items()):
        simple = types_pb2.SimpleType.Name(variable.type.simple)
        kind = BIGQUERY_TYPES.get(simple) if variable.type.WhichOneof("type") == "simple" else None
        if kind is None or name not in inputs.literals:
            raise StepError(f"input '{name}' cannot be a BigQuery query parameter")
        value = _bigquery_value(kind, inputs.literals[name].scalar.primitive)
        parameters.append(
            {"name": name, "parameterType": {"type": kind}, "parameterValue": {"value": value}}
        )
    return {"query": template.sql.statement, "useLegacySql": False, "queryParameters": parameters}


def _bigquery_value(kind: str, primitive: Any) -> Any:
    """A primitive as the BigQuery client writes a parameter of ``kind``."""
    if kind == "INT64":
        return str(primitive.integer)
    if kind == "FLOAT64":
        value = float(primitive.float_value)
        return str(value) if math.isnan(value) or math.isinf(value) else value
    if kind == "BOOL":
        return "true" if primitive.boolean else "false"
    if kind == "DATETIME":  # flytekit reads it in UTC; the client writes it without a zone
        return primitive.datetime.ToDatetime().strftime("%Y-%m-%dT%H:%M:%S.%f")
    return str(primitive.string_value)


#: Flyte simple types whose values Flyte's Snowflake connector binds (the Python value flytekit
#: reads the input as, which the Snowflake client quotes), and how a primitive gives it.
SNOWFLAKE_VALUES: dict[str, Callable[[Any], Any]] = {
    "INTEGER": lambda p: p.integer,
    "FLOAT": lambda p: p.float_value,
    "STRING": lambda p: p.string_value,
    "BOOLEAN": lambda p: p.boolean,
    "DATETIME": lambda p: {"datetime": p.datetime.ToDatetime().isoformat() + "+00:00"},
    "DURATION": lambda p: {"duration": _microseconds(p.duration.ToTimedelta())},
}


def _microseconds(delta: datetime.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def snowflake_query(template: Any, inputs: Any) -> dict[str, Any]:
    """What Flyte's Snowflake connector executes: the statement as it is and the inputs as
    the client-side (``pyformat``) parameters flytekit reads them as, None with no inputs.
    A value JSON cannot carry is tagged: ``{"datetime": ISO text in UTC}``,
    ``{"duration": microseconds}``; a collection is a list."""
    from fcomp.runtime.errors import StepError

    parameters: dict[str, Any] = {}
    for name, variable in sorted(template.interface.inputs.variables.items()):
        if name not in inputs.literals:
            raise StepError(f"requested input is not found [{name}]")
        value = _snowflake_value(variable.type, inputs.literals[name])
        if value is _UNBOUND:
            raise StepError(f"input '{name}' cannot be a Snowflake query parameter")
        parameters[name] = value
    return {"statement": template.sql.statement, "parameters": parameters or None}


_UNBOUND = object()


def _snowflake_value(kind: Any, literal: Any) -> Any:
    """A literal of type ``kind`` as :func:`snowflake_query` passes it (``_UNBOUND``: a type
    the connector cannot bind)."""
    from flyteidl.core import types_pb2

    if kind.WhichOneof("type") == "collection_type":
        values = [_snowflake_value(kind.collection_type, v) for v in literal.collection.literals]
        return _UNBOUND if any(v is _UNBOUND for v in values) else values
    if kind.WhichOneof("type") != "simple":
        return _UNBOUND
    read = SNOWFLAKE_VALUES.get(types_pb2.SimpleType.Name(kind.simple))
    return _UNBOUND if read is None else read(literal.scalar.primitive)


#: Engines whose operator takes a job configuration or bound query (JSON) rather than text.
JOBS: dict[str, Callable[[Any, Any], dict[str, Any]]] = {
    "bigquery_query_job_task": bigquery_job,
    "snowflake": snowflake_query,
}


COMMANDS: dict[str, Callable[[Any], str | None]] = {
    "query-render": query_render,
    "query-outputs": query_outputs,
}
