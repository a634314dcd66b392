"""fcomp's configuration: cluster settings from ``fcomp.toml`` / ``[tool.fcomp]`` and flags.

Every setting has a default that works for a local run. Unknown keys and values of the wrong
kind are reported as ``ConfigError`` diagnostics.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source

DEFAULT_RUNTIME_IMAGE = "ghcr.io/fcomp/runtime:0.1.0"
DEFAULT_CONNECTOR_IMAGE = "ghcr.io/fcomp/connector:0.1.0"


@dataclass(frozen=True, slots=True)
class Config:
    """All settings; see the README's configuration reference for each."""

    #: Kubernetes namespace of the emitted Argo objects (empty: not set, the cluster's current).
    namespace: str = ""
    #: Service account for workflow pods when neither the launch plan nor the task sets one.
    service_account: str = ""
    #: Where node data lives: a local path (for local runs), or an ``s3://`` or ``gs://`` URL.
    storage_prefix: str = "/tmp/fcomp-data"
    #: Where tasks write raw outputs (files, data frames); else the launch plan's, else
    #: ``<storage>/raw``.
    raw_output_prefix: str = ""
    #: Image holding ``fcomp-runtime`` (bind, branch, gather steps).
    runtime_image: str = DEFAULT_RUNTIME_IMAGE
    #: Image replacements applied to every task image (exact match, or prefix ending in ``/``).
    image_substitutions: Mapping[str, str] = field(default_factory=dict)
    #: Tolerations added to pods of interruptible tasks.
    interruptible_tolerations: tuple[Mapping[str, Any], ...] = ()
    #: Node selector added to pods of interruptible tasks.
    interruptible_node_selector: Mapping[str, str] = field(default_factory=dict)
    #: Kubernetes resource name for Flyte's ``gpu`` resource.
    gpu_resource_name: str = "nvidia.com/gpu"
    #: Node label selecting a GPU device (Flyte's ``gpu-device-node-label``).
    gpu_device_node_label: str = "k8s.amazonaws.com/accelerator"
    #: Node label selecting a GPU partition size.
    gpu_partition_size_node_label: str = "k8s.amazonaws.com/gpu-partition-size"
    #: Argo Workflows version the output targets: ``"4"`` or ``"3.7"``.
    argo_version: str = "4"
    #: Airflow operator flavour: ``kubernetes`` or ``local``.
    airflow_flavour: str = "kubernetes"
    #: Client image running connector tasks (queries, Airflow operators) on Argo: flytekit, the
    #: task type's flytekit plugin and ``fcomp-runtime`` installed.
    connector_image: str = DEFAULT_CONNECTOR_IMAGE
    #: Client image per task type (``bigquery_query_job_task = "..."``), over ``connector_image``.
    connector_images: Mapping[str, str] = field(default_factory=dict)
    #: Image of the query client for ``hive`` / ``presto`` tasks (``hive = "..."``); a task of
    #: an engine with no client image and command cannot run (Flyte runs them on services).
    query_client_images: Mapping[str, str] = field(default_factory=dict)
    #: The client's command per engine, split like a shell line; ``{query_file}`` is the
    #: rendered query, ``{cluster_label}``, ``{catalog}``, ``{schema}``, ``{routing_group}``
    #: the task's settings (``presto = "trino --server http://presto:8080 --catalog
    #: {catalog} --schema {schema} --file {query_file}"``).
    query_client_commands: Mapping[str, str] = field(default_factory=dict)
    #: Airflow connection id per query task type, for the Airflow target, where such tasks
    #: then run with the providers' operators on it: ``hive`` and ``presto`` with common-sql's
    #: ``SQLExecuteQueryOperator``, ``bigquery_query_job_task`` with
    #: ``BigQueryInsertJobOperator`` (a Google Cloud connection), ``snowflake`` with
    #: ``SQLExecuteQueryOperator`` and the Snowflake provider's hook (a Snowflake connection).
    #: A key names the task type (every task of it) or the type and the task's routing setting
    #: after a colon, which wins (``"hive:<cluster label>"``, ``"presto:<catalog>"``,
    #: ``"bigquery_query_job_task:<project>"``, ``"snowflake:<account>"``).
    airflow_sql_connections: Mapping[str, str] = field(default_factory=dict)
    #: Largest Argo object (as compact JSON) a build emits; a larger workflow is split into
    #: child WorkflowTemplates run as child workflows (etcd keeps objects under about 1.5 MiB).
    argo_max_object_bytes: int = 1_000_000
    #: Most tasks in one Airflow DAG file; a larger workflow's DAG triggers child DAGs of at
    #: most this many tasks in order (each file must import within `dagbag_import_timeout`).
    airflow_max_tasks_per_dag: int = 1_000

    def connector_image_for(self, task_type: str) -> str:
        """The client image for a connector task type."""
        return self.connector_images.get(task_type, self.connector_image)

    @property
    def raw_prefix(self) -> str:
        """The raw output prefix, defaulted from the storage prefix."""
        return self.raw_output_prefix or self.storage_prefix.rstrip("/") + "/raw"

    def substitute_image(self, image: str) -> str:
        """Apply the configured image substitutions."""
        if image in self.image_substitutions:
            return self.image_substitutions[image]
        for old, new in sorted(self.image_substitutions.items(), key=lambda kv: -len(kv[0])):
            if old.endswith("/") and image.startswith(old):
                return new + image[len(old) :]
        return image


_CHOICES = {"argo_version": ("4", "3.7"), "airflow_flavour": ("kubernetes", "local")}


#: The smallest value of each whole-number setting (the fixed parts of a split need room).
_MINIMUM = {"argo_max_object_bytes": 1_000, "airflow_max_tasks_per_dag": 10}


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, int) and not isinstance(default, bool):
        if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
            value = int(value)
        least = _MINIMUM.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise TypeError(f"a whole number of at least {least}")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise TypeError("a string")
        _check_text(value)
        if name in _CHOICES and value not in _CHOICES[name]:
            raise TypeError("one of " + ", ".join(_CHOICES[name]))
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            raise TypeError("a list of tables")
        for table in value:
            _check_toleration(table)
        return tuple(value)
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise TypeError("a table of strings")
    for item in (*value, *value.values()):
        _check_text(item)
    check = _TABLE_CHECKS.get(name)
    if check is not None:
        check(value)
    return dict(value)


_DIGITS = re.compile(r"[0-9]{1,18}")
#: The fields of a Kubernetes toleration, with the type each holds.
_TOLERATION_FIELDS = {
    "key": str,
    "operator": str,
    "value": str,
    "effect": str,
    "tolerationSeconds": int,
}


def _check_toleration(table: Mapping[str, Any]) -> None:
    """A Kubernetes toleration: known fields only, each of its type."""
    for key, value in table.items():
        kind = _TOLERATION_FIELDS.get(key)
        if kind is None:
            raise TypeError(
                "a list of tolerations (fields " + ", ".join(_TOLERATION_FIELDS) + f"; not '{key}')"
            )
        if not isinstance(value, kind) or isinstance(value, bool):
            what = "text" if kind is str else "a whole number"
            raise TypeError(f"a list of tolerations whose '{key}' is {what}")
        if isinstance(value, str):
            _check_text(value)


#: Query engines a connection may be configured for (``airflow_sql_connections``).
SQL_ENGINES = ("hive", "presto", "bigquery_query_job_task", "snowflake")
_CONN_ID = re.compile(r"[A-Za-z0-9_.-]{1,250}")


def _check_connections(value: Mapping[str, str]) -> None:
    for key, conn_id in value.items():
        engine, _, setting = key.partition(":")
        if engine not in SQL_ENGINES or (":" in key and not setting):
            raise TypeError(
                f"a table whose keys are {', '.join(SQL_ENGINES)}, optionally followed by "
                f"':' and a cluster label, catalog, project or account (not '{key}')"
            )
        if not _CONN_ID.fullmatch(conn_id):
            raise TypeError(
                f"a table of Airflow connection ids (letters, digits, _ . -; not '{conn_id}')"
            )


#: Further checks of table settings, by name.
_TABLE_CHECKS = {"airflow_sql_connections": _check_connections}


def _check_text(value: str) -> None:
    """Settings are copied into templated fields of both targets: no template tags."""
    for tag in ("{{", "{%", "{#"):
        if tag in value:
            raise TypeError(f"text without '{tag}' (Argo and Airflow read it as a template tag)")


def config_from_mapping(
    data: Mapping[str, Any], base: Config | None = None, source: str = ""
) -> tuple[Config, list[Diagnostic]]:
    """Apply ``data`` (keys with ``-`` or ``_``) over ``base``; bad keys become diagnostics."""
    config = base or Config()
    defaults = {f.name: getattr(Config(), f.name) for f in fields(Config)}
    problems: list[Diagnostic] = []
    updates: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in defaults:
            problems.append(
                Diagnostic(
                    Severity.ERROR,
                    codes.CONFIG_ERROR,
                    f"unknown setting '{key}'; known: {', '.join(sorted(defaults))}",
                    Source(file=source),
                )
            )
            continue
        try:
            updates[name] = _coerce(name, value, defaults[name])
        except TypeError as exc:
            problems.append(
                Diagnostic(
                    Severity.ERROR,
                    codes.CONFIG_ERROR,
                    f"setting '{key}' must be {exc}",
                    Source(file=source),
                )
            )
    return replace(config, **updates), problems


def load_config(
    path: str | Path | None = None, search_from: Path | None = None
) -> tuple[Config, list[Diagnostic]]:
    """Read ``path``, or the first ``fcomp.toml`` / ``pyproject.toml`` with ``[tool.fcomp]``
    in ``search_from`` (default: the current folder)."""
    candidates: list[Path]
    if path is not None:
        candidates = [Path(path)]
    else:
        here = search_from or Path.cwd()
        candidates = [here / "fcomp.toml", here / "pyproject.toml"]
    for candidate in candidates:
        if not candidate.is_file():
            if path is not None:
                return Config(), [
                    Diagnostic(
                        Severity.ERROR,
                        codes.CONFIG_ERROR,
                        "configuration file not found",
                        Source(file=str(candidate)),
                    )
                ]
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            return Config(), [
                Diagnostic(
                    Severity.ERROR,
                    codes.CONFIG_ERROR,
                    f"cannot read: {exc}",
                    Source(file=str(candidate)),
                )
            ]
        if candidate.name == "pyproject.toml":
            tool = data.get("tool", {})
            settings = tool.get("fcomp") if isinstance(tool, dict) else None
            if settings is None:
                continue
        else:
            settings = data
        if not isinstance(settings, dict):
            return Config(), [
                Diagnostic(
                    Severity.ERROR,
                    codes.CONFIG_ERROR,
                    "the settings must be a table ([tool.fcomp] in pyproject.toml)",
                    Source(file=str(candidate)),
                )
            ]
        return config_from_mapping(settings, source=str(candidate))
    return Config(), []
