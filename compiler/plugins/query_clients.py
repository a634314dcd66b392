"""Hive and Presto queries run by a configured client container (``query_client_images`` and
``query_client_commands``), in place of the Qubole and Presto services Flyte's backend plugins
call.

The pod runs, in order: the runtime's bind step (added by each backend); ``query-render``
(runtime image), which reads the query from the task template and renders it with Flyte's
template variables into a file on a
shared ``emptyDir`` (a Presto query wrapped as Flyte's Presto plugin wraps it, into a Parquet
table at the raw output prefix); the client (configured image and command, as an init
container, so it runs to completion first); and ``query-outputs`` (runtime image, the main
container), which writes the ``results`` schema at the raw output prefix when the task
declares it, as Flyte's plugins do.

A target running the query with its own operator for the engine (Airflow, with a connection
configured) runs :func:`query_steps` around it instead: ``query-render`` printing what the
operator runs (Hive and Presto: the query; BigQuery: the job's query configuration, the
inputs as query parameters; Snowflake: the statement and its client-side parameters), then
``query-outputs`` (at the raw output prefix the render step recorded beside the node's
inputs, so the two agree whichever attempt ran each, or, for BigQuery and Snowflake, at the
location the operator returned: the job's destination table, the query's results).

A task setting that changes how the query runs is kept or refused, never dropped: the client
command must use ``{cluster_label}`` / ``{catalog}`` / ``{schema}`` / ``{routing_group}`` when
the task sets them, and a Hive query's Qubole timeout and retry count, or a query
collection, are refused.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.plugins.pods import PRIMARY
from fcomp.compiler.plugins.policy import exec_policy
from fcomp.compiler.plugins.registry import LoweringError, TaskContext
from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, PodUnit, QuerySteps, Text

RENDER = "fcomp-query-render"
CLIENT = "fcomp-query-client"
VOLUME = "fcomp-query"
QUERY_DIR = "/var/run/fcomp-query"
QUERY_FILE = f"{QUERY_DIR}/query.sql"
#: Template variables the render step is given (its ``--value NAME=...``).
_VALUES = (
    ("input", PlaceholderKind.INPUT),
    ("inputPrefix", PlaceholderKind.INPUT_PREFIX),
    ("outputPrefix", PlaceholderKind.OUTPUT_PREFIX),
    ("rawOutputDataPrefix", PlaceholderKind.RAW_OUTPUT_PREFIX),
    ("perRetryUniqueKey", PlaceholderKind.PER_RETRY_UNIQUE_KEY),
    ("taskTemplatePath", PlaceholderKind.TASK_TEMPLATE_PATH),
    ("checkpointOutputPrefix", PlaceholderKind.CHECKPOINT_PREFIX),
    ("prevCheckpointPrefix", PlaceholderKind.PREV_CHECKPOINT),
)


@dataclass(frozen=True)
class Query:
    """What a query task runs: its statement and the settings its client may use."""

    statement: str
    settings: Mapping[str, str]


def _text(kind: PlaceholderKind, before: str = "") -> Text:
    return Text.of(before, Placeholder(kind)) if before else Text.of(Placeholder(kind))


def hive_query(ctx: TaskContext, custom: Mapping[str, Any]) -> Query:
    """A ``QuboleHiveJob``: its query, and its cluster label."""
    found = custom.get("query")
    query: Mapping[str, Any] = found if isinstance(found, dict) else {}
    for name in ("timeoutSec", "retryCount"):
        if query.get(name):
            raise LoweringError.of(
                codes.UNSUPPORTED_CONSTRUCT,
                f"a Hive query's Qubole {name} cannot be kept by a query client",
                ctx,
                f"custom.query.{name}",
            )
    if custom.get("queryCollection"):
        raise LoweringError.of(
            codes.UNSUPPORTED_CONSTRUCT,
            "a Hive query collection is not supported (Flyte runs only 'query')",
            ctx,
            "custom.queryCollection",
        )
    return Query(
        str(query.get("query") or ""), {"cluster_label": str(custom.get("clusterLabel") or "")}
    )


def presto_query(ctx: TaskContext, custom: Mapping[str, Any]) -> Query:
    """A ``PrestoQuery``: its statement, catalog, schema and routing group."""
    settings = {
        "catalog": str(custom.get("catalog") or ""),
        "schema": str(custom.get("schema") or ""),
        "routing_group": str(custom.get("routingGroup") or ""),
    }
    return Query(str(custom.get("statement") or ""), settings)


def bigquery_query(ctx: TaskContext, custom: Mapping[str, Any]) -> Query:
    """A BigQuery job: the task's statement (run as it is, the inputs given as query
    parameters, as Flyte's connector does), its project and location."""
    target = ctx.task.target
    statement = target.statement if isinstance(target, ir.Sql) else ""
    settings = {
        "project": str(custom.get("ProjectID") or ""),
        "location": str(custom.get("Location") or ""),
    }
    return Query(statement, settings)


#: The task ``config`` keys Flyte's Snowflake connector reads (each one it needs).
SNOWFLAKE_SETTINGS = ("user", "account", "database", "schema", "warehouse")


def snowflake_query(ctx: TaskContext, custom: Mapping[str, Any]) -> Query:
    """A Snowflake query: the task's statement (run as it is, the inputs bound by the client
    as Flyte's connector binds them) and the connection settings of its ``config``."""
    target = ctx.task.target
    statement = target.statement if isinstance(target, ir.Sql) else ""
    return Query(statement, {k: ctx.task.config_value(k) for k in SNOWFLAKE_SETTINGS})


#: How each engine's task gives its query.
QUERIES = {
    "hive": hive_query,
    "presto": presto_query,
    "bigquery_query_job_task": bigquery_query,
    "snowflake": snowflake_query,
}
#: The variable the outputs step of an engine whose operator returns where the results are
#: (a BigQuery job's destination table, a Snowflake query's location) reads that from.
RESULTS_ENV = "FCOMP_QUERY_RESULTS"
#: Where the outputs step finds the results, by engine: the raw output prefix the render
#: step recorded (the query writes there), or what the operator returned.
_RESULTS_FROM: dict[str, list[Any]] = {
    "hive": ["--record", Text.of(Placeholder(PlaceholderKind.INPUT_PREFIX))],
    "presto": ["--record", Text.of(Placeholder(PlaceholderKind.INPUT_PREFIX))],
    "bigquery_query_job_task": ["--results-env", RESULTS_ENV],
    "snowflake": ["--results-env", RESULTS_ENV, "--generic"],
}


def client_configured(ctx: TaskContext, engine: str) -> bool:
    """Whether a client image and command are configured for ``engine``."""
    config = ctx.config
    return engine in config.query_client_images and engine in config.query_client_commands


def query_pod(ctx: TaskContext, engine: str, custom: Mapping[str, Any]) -> PodUnit:
    """The pod running a query task with the configured client."""
    query = QUERIES[engine](ctx, custom)
    if not query.statement.strip():
        raise LoweringError.of(codes.UNSUPPORTED_CONSTRUCT, "the query is empty", ctx, "custom")
    config = ctx.config
    try:
        argv = shlex.split(config.query_client_commands[engine])
    except ValueError as error:
        raise LoweringError.of(
            codes.UNSUPPORTED_CONSTRUCT,
            f"query_client_commands.{engine} is not a command line: {error}",
            ctx,
        ) from None
    for name, value in query.settings.items():
        if "$" in value:  # the kubelet would expand it in the client's arguments
            raise LoweringError.of(
                codes.UNSUPPORTED_CONSTRUCT, f"the task's {name} holds '$'", ctx, "custom"
            )
        used = any("{" + name + "}" in a for a in argv)
        if value and not used:
            raise LoweringError.of(
                codes.UNSUPPORTED_CONSTRUCT,
                f"the task sets {name} '{value}', which query_client_commands.{engine} does not "
                f"pass to the client (use {{{name}}})",
                ctx,
                "custom",
            )
    fills = {"query_file": QUERY_FILE, **query.settings}
    for key, value in fills.items():
        argv = [a.replace("{" + key + "}", value) for a in argv]
    mount = [{"name": VOLUME, "mountPath": QUERY_DIR}]
    render = {
        "name": RENDER,
        "image": config.runtime_image,
        "command": ["fcomp-runtime"],
        "args": _render_args(engine, QUERY_FILE),
        "volumeMounts": mount,
    }
    client = {
        "name": CLIENT,
        "image": config.query_client_images[engine],
        "command": argv,
        "volumeMounts": mount,
    }
    outputs = _outputs_container(
        ctx, ["--raw-output-prefix", _text(PlaceholderKind.RAW_OUTPUT_PREFIX)]
    )
    pod = {
        "initContainers": [render, client],
        "containers": [outputs],
        "volumes": [{"name": VOLUME, "emptyDir": {}}],
        "restartPolicy": "Never",
    }
    return _unit(ctx, pod)


def query_steps(ctx: TaskContext, engine: str, custom: Mapping[str, Any]) -> QuerySteps:
    """The steps a target running the query with its own operator for ``engine`` runs
    around it: render (printing the query, recording the raw output prefix it used beside the
    node's inputs) and, after it, the outputs (at the recorded prefix)."""
    query = QUERIES[engine](ctx, custom)
    if not query.statement.strip():
        raise LoweringError.of(codes.UNSUPPORTED_CONSTRUCT, "the query is empty", ctx, "custom")
    render_args = [*_render_args(engine, "-"), "--record", _text(PlaceholderKind.INPUT_PREFIX)]
    results_env = RESULTS_ENV if "--results-env" in _RESULTS_FROM[engine] else ""
    render = {
        "name": PRIMARY,
        "image": ctx.config.runtime_image,
        "command": ["fcomp-runtime"],
        "args": render_args,
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }
    outputs = _outputs_container(ctx, _RESULTS_FROM[engine])
    return QuerySteps(
        render=_unit(ctx, {"containers": [render], "restartPolicy": "Never"}),
        outputs=_unit(ctx, {"containers": [outputs], "restartPolicy": "Never"}),
        settings=dict(query.settings),
        results_env=results_env,
    )


def _render_args(engine: str, out: str) -> list[Any]:
    """``query-render`` writing the query to ``out`` (``-``: printed as a JSON string)."""
    args: list[Any] = ["query-render", "--engine", engine, "--inputs", _text(PlaceholderKind.INPUT)]
    for name, kind in _VALUES:
        args += ["--value", _text(kind, f"{name}=")]
    return [*args, "--task-template", _text(PlaceholderKind.TASK_TEMPLATE_PATH), "--out", out]


def _outputs_container(ctx: TaskContext, raw: list[Any]) -> dict[str, Any]:
    """The container writing the outputs (``raw``: where the results are, or the record)."""
    return {
        "name": PRIMARY,
        "image": ctx.config.runtime_image,
        "command": ["fcomp-runtime"],
        "args": [
            "query-outputs",
            "--task-template",
            _text(PlaceholderKind.TASK_TEMPLATE_PATH),
            "--output-prefix",
            _text(PlaceholderKind.OUTPUT_PREFIX),
            *raw,
        ],
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }


def _unit(ctx: TaskContext, pod: dict[str, Any]) -> PodUnit:
    return PodUnit(
        task=ctx.task,
        pod_spec=pod,
        primary=PRIMARY,
        labels=ctx.task.metadata.k8s_metadata.labels,
        annotations=ctx.task.metadata.k8s_metadata.annotations,
        policy=exec_policy(ctx.task, ctx.node, ctx.workflow, ctx.launch_plan),
        needs_task_template=True,
    )
