"""What every flavour shares when it writes operators: imports, variable names, operator
arguments from the execution policy, Jinja-safe text for templated fields, ``Param`` values,
and the operators that are the same in every flavour (join, sleep, approve)."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fcomp.backends.airflow import steps
from fcomp.backends.airflow.model import ALL_SUCCESS, Op
from fcomp.backends.airflow.pysource import Call, Expr, Name, call
from fcomp.backends.common.names import short_hash
from fcomp.compiler.config import Config
from fcomp.compiler.plugins.units import ExecPolicy

#: File name endings Airflow loads as template files when a templated string ends with them.
TEMPLATE_EXTS = (".json", ".yaml", ".yml", ".sh", ".bash", ".sql", ".hql")

SDK = "airflow.sdk"
#: Where common-sql's operator lives (the Hive, Presto and Trino providers' way to run SQL).
SQL_OPERATOR_MODULE = "airflow.providers.common.sql.operators.sql"


def templated(text: str, template_ext: tuple[str, ...] = TEMPLATE_EXTS) -> str:
    """Text for a Jinja-templated operator field that renders to exactly ``text``: every ``{``
    becomes an expression printing it (so no ``{{``, ``{%`` or ``{#`` of the input is ever
    read as Jinja), and a text ending like a template file name (one of the operator's
    ``template_ext``) is not loaded as one."""
    out = text.replace("{", "{{ '{' }}")
    if out.endswith(template_ext):
        out += "{{ '' }}"
    return out


def timedelta(seconds: float) -> Call:
    """``datetime.timedelta(seconds=...)``."""
    return call(
        "datetime.timedelta", seconds=seconds if not float(seconds).is_integer() else int(seconds)
    )


@dataclass
class EmitContext:
    """State while one DAG module is written."""

    flavour: str
    ops: Mapping[str, Op]
    #: File name of each DAG of the build, by DAG id (launch-plan nodes run them).
    files: Mapping[str, str] = field(default_factory=dict)
    #: The input receiving a scheduled run's time, if any.
    kickoff: str = ""
    config: Config = field(default_factory=Config)
    #: Labels and annotations of the launch plan, for every pod.
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    imports: dict[str, set[str]] = field(default_factory=dict)
    preludes: set[str] = field(default_factory=set)
    _vars: dict[str, str] = field(default_factory=dict)
    _taken: set[str] = field(default_factory=set)

    def need(self, module: str, *names: str) -> None:
        """Import ``names`` from ``module`` (or the module itself when none are given)."""
        self.imports.setdefault(module, set()).update(names)

    def use(self, prelude: str, _name: str) -> None:
        """Copy prelude ``prelude`` into the module (it defines ``_name``), and the common
        helpers every flavour's prelude builds on."""
        self.preludes |= {prelude, "common"}

    def var(self, op_id: str) -> str:
        """The Python variable holding an operator."""
        found = self._vars.get(op_id)
        if found is not None:
            return found
        base = re.sub(r"\W", "_", op_id.replace(".", "__"), flags=re.ASCII)
        if not base or not base[0].isalpha():
            base = "t_" + base
        name, n = base, 2
        while name in self._taken or name in _RESERVED:
            name, n = f"{base}_{n}", n + 1
        self._taken.add(name)
        self._vars[op_id] = name
        return name

    def param(
        self,
        schema: Mapping[str, Any],
        default: Any = None,
        has_default: bool = False,
        description: str = "",
    ) -> Call:
        """An Airflow ``Param``."""
        self.need(SDK, "Param")
        args: tuple[Expr, ...] = (default,) if has_default else ()
        kwargs: dict[str, Expr] = {k: _schema_value(v) for k, v in schema.items()}
        if description:
            kwargs["description"] = description
        return Call(call("Param").func, args, tuple(kwargs.items()))


def _schema_value(value: Any) -> Expr:
    if isinstance(value, dict):
        return {k: _schema_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_schema_value(v) for v in value]
    assert isinstance(value, str | int | float | bool) or value is None
    return value


#: Names the generated module binds itself.
_RESERVED = {"dag", "datetime", "FCOMP", "DAG", "Param", "TaskGroup"}


def policy_kwargs(policy: ExecPolicy) -> dict[str, Expr]:
    """Retries (immediately, as Flyte does) and the per-attempt timeout."""
    out: dict[str, Expr] = {}
    if policy.retries > 0:
        out["retries"] = policy.retries
        out["retry_delay"] = timedelta(0)
    timeout = policy.attempt_timeout_s
    if timeout and math.isfinite(timeout) and timeout > 0:
        out["execution_timeout"] = timedelta(timeout)
    return out


def common_kwargs(ctx: EmitContext, op: Op) -> dict[str, Expr]:
    """``task_id``, the trigger rule when not the default, and the step's policy."""
    out: dict[str, Expr] = {"task_id": op.local_id}
    if op.trigger_rule != ALL_SUCCESS:
        out["trigger_rule"] = op.trigger_rule
    element = getattr(op.step, "element", None)
    if isinstance(element, steps.Element) and element.parallelism:
        out["max_active_tis_per_dagrun"] = element.parallelism  # the array node's parallelism
    unit = getattr(op.step, "unit", None)
    policy = getattr(unit, "policy", None)
    if isinstance(policy, ExecPolicy):
        out.update(policy_kwargs(policy))
    if any(isinstance(v, Call) and v.func == call("datetime.timedelta").func for v in out.values()):
        ctx.need("datetime")
    return out


def emit_join(ctx: EmitContext, op: Op, step: steps.Join) -> Expr:
    """A join: an empty operator with the op's trigger rule."""
    ctx.need("airflow.providers.standard.operators.empty", "EmptyOperator")
    return call("EmptyOperator", **common_kwargs(ctx, op))


def emit_sleep(ctx: EmitContext, op: Op, step: steps.Sleep) -> Expr:
    """A sleep gate: a deferrable wait measured from the task's start."""
    ctx.use("common", "FcompWait")
    ctx.need("datetime")
    seconds = step.seconds if math.isfinite(step.seconds) and step.seconds > 0 else 0
    return call(
        "FcompWait", **common_kwargs(ctx, op), time_to_wait=timedelta(seconds), deferrable=True
    )


def emit_approve(ctx: EmitContext, op: Op, step: steps.Approve) -> Expr:
    """An approve gate: approval continues, rejection fails the node."""
    ctx.need("airflow.providers.standard.operators.hitl", "ApprovalOperator")
    return call(
        "ApprovalOperator",
        subject=templated(step.subject),
        body=templated(step.body),
        fail_on_reject=True,
        **common_kwargs(ctx, op),
    )


def emit_native(ctx: EmitContext, op: Op, step: steps.Native) -> Expr:
    """The operator an ``airflow`` task wraps, built with its parameters as Flyte builds it
    (imported under a name no generated variable takes)."""
    ctx.use("native", "fcomp_native")
    alias = f"_fcomp_{step.call.name}_{short_hash(step.call.module)}"
    ctx.need(step.call.module, f"{step.call.name} as {alias}")
    kwargs = {k: _native_value(ctx, v) for k, v in step.call.kwargs.items()}
    return call("fcomp_native", Name(alias), **common_kwargs(ctx, op), **kwargs)


def emit_sql(ctx: EmitContext, op: Op, step: steps.SqlQuery) -> Expr:
    """A query on its connection, with the provider's operator for its engine."""
    return QUERY_OPERATORS[step.unit.engine](ctx, op, step)


def _sql_execute(ctx: EmitContext, op: Op, step: steps.SqlQuery) -> Expr:
    """common-sql's operator: the text the render task returned, its statements run in
    order, nothing returned as XCom (the results stay where the query writes them)."""
    ctx.need(SQL_OPERATOR_MODULE, "SQLExecuteQueryOperator")
    kwargs: dict[str, Expr] = {
        **common_kwargs(ctx, op),
        "conn_id": templated(step.conn_id),
        "sql": "{{ ti.xcom_pull(task_ids='" + jinja_id(step.rendered_by) + "') }}",
        "split_statements": True,
        "do_xcom_push": False,
    }
    schema = step.settings.get("schema", "")
    if schema:
        kwargs["database"] = templated(schema)
    return call("SQLExecuteQueryOperator", **kwargs)


def _bigquery_job(ctx: EmitContext, op: Op, step: steps.SqlQuery) -> Expr:
    """The Google provider's job operator (the prelude's ``FcompBigQueryJob``, no field
    rendered): the job configuration the render task returned, in the task's project and
    location; returns the destination table."""
    ctx.use("bigquery", "FcompBigQueryJob")
    kwargs: dict[str, Expr] = {
        **common_kwargs(ctx, op),
        "rendered_by": step.rendered_by,
        "gcp_conn_id": step.conn_id,
    }
    for setting, name in (("project", "project_id"), ("location", "location")):
        if step.settings.get(setting):
            kwargs[name] = step.settings[setting]
    return call("FcompBigQueryJob", **kwargs)


def _snowflake_query(ctx: EmitContext, op: Op, step: steps.SqlQuery) -> Expr:
    """common-sql's operator on the Snowflake provider's hook (the prelude's
    ``FcompSnowflakeQuery``, no field rendered): the statement and parameters the render
    task returned, in the task's account, warehouse, database and schema; returns where the
    results are, as Flyte's connector names them."""
    ctx.use("snowflake", "FcompSnowflakeQuery")
    ctx.use("sqlparams", "fcomp_sql_parameter")
    settings = step.settings
    hook_params = {k: settings[k] for k in ("account", "warehouse", "database", "schema")}
    where = "/".join(settings[k] for k in ("warehouse", "database", "schema"))
    return call(
        "FcompSnowflakeQuery",
        **common_kwargs(ctx, op),
        rendered_by=step.rendered_by,
        conn_id=step.conn_id,
        hook_params=hook_params,
        results=f"snowflake://{settings['user']}:{settings['account']}/{where}/",
    )


#: The operator of a query run on a connection, by engine.
QUERY_OPERATORS: dict[str, Callable[[EmitContext, Op, steps.SqlQuery], Expr]] = {
    "hive": _sql_execute,
    "presto": _sql_execute,
    "bigquery_query_job_task": _bigquery_job,
    "snowflake": _snowflake_query,
}


def jinja_id(text: str) -> str:
    """A task id or node path inside a Jinja string literal: they are made of letters,
    digits and ``_.-%/`` only, so there is nothing to escape."""
    if not all((c.isascii() and c.isalnum()) or c in "_.-%/" for c in text):
        raise ValueError(f"not a task id or node path: {text!r}")
    return text


def _native_value(ctx: EmitContext, value: Any) -> Expr:
    """A parameter value as an expression (a ``timedelta`` as its exact constructor call)."""
    if isinstance(value, datetime.timedelta):
        ctx.need("datetime")
        parts = {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}
        return call("datetime.timedelta", **{k: v for k, v in parts.items() if v})
    if isinstance(value, dict):
        return {k: _native_value(ctx, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_native_value(ctx, v) for v in value]
    if isinstance(value, tuple):
        return tuple(_native_value(ctx, v) for v in value)
    assert value is None or isinstance(value, str | int | float | bool)
    return value


#: Writes the operator of one task: ``(context, op, op.step) -> expression``.
Emitter = Callable[[EmitContext, Op, Any], Expr]

SHARED: dict[type, Emitter] = {
    steps.Join: emit_join,
    steps.Sleep: emit_sleep,
    steps.Approve: emit_approve,
    steps.Native: emit_native,
    steps.SqlQuery: emit_sql,
}


def as_datetime(year: int, month: int, day: int) -> Call:
    """A timezone-aware UTC ``datetime.datetime`` literal."""
    return call("datetime.datetime", year, month, day, tzinfo=Name("datetime.timezone.utc"))
