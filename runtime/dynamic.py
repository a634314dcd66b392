"""The ``dynamic`` command: after a dynamic task ran, compile the ``futures.pb`` it wrote into
a child workflow for the target (the only runtime step that loads fcomp's compiler)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from fcomp.runtime.errors import StepError

FUTURES = "futures.pb"


def _latest(storage: Any, node: str) -> tuple[str, str]:
    """(kind, path) of the latest attempt's ``outputs.pb`` or ``futures.pb``."""
    directory = storage.data_dir(node)
    try:
        names = storage.backend.names(directory)
    except OSError as error:
        raise StepError(f"node '{node}': cannot list {directory}: {error}") from error
    for attempt in sorted((int(n) for n in names if n.isdigit()), reverse=True):
        for kind in ("outputs.pb", FUTURES):
            path = storage.attempt_path(node, attempt, kind)
            if storage.backend.exists(path):
                return kind, path
    raise StepError(
        f"node '{node}': the task wrote neither outputs.pb nor {FUTURES} in {directory}"
    )


def dynamic(args: Any) -> str | None:
    """Print ``none`` when the task wrote outputs, else write the child manifest and print
    ``child``; with ``--json`` the file holds the manifest as a JSON string (``null`` when
    there is none), as an Airflow pod's XCom file does."""
    from flyteidl.core import dynamic_job_pb2, tasks_pb2

    from fcomp.runtime.storage import Storage

    storage = Storage(args.prefix, args.exec)
    out = Path(args.manifest_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    kind, path = _latest(storage, args.node)
    if kind == "outputs.pb":
        out.write_text("null" if args.json else "", encoding="utf-8")
        return "none"
    futures = dynamic_job_pb2.DynamicJobSpec.FromString(storage.read(path, args.node))
    task = tasks_pb2.TaskTemplate.FromString(base64.b64decode(args.task))
    text = compile_child(futures, task, args)
    out.write_text(json.dumps(text) if args.json else text, encoding="utf-8")
    return "child"


def compile_child(futures: Any, task: Any, args: Any) -> str:
    """The child for ``futures`` as the target's text (fcomp's public build entry point)."""
    from fcomp.compiler.config import config_from_mapping
    from fcomp.compiler.diagnostics import Source
    from fcomp.compiler.driver import compile_dynamic_job
    from fcomp.idl.model import EntityKind, LoadedEntity

    node_id = args.node.rsplit("/", 1)[-1]
    source = Source(file=f"{args.exec}/{args.node}/futures.pb")
    compiled = compile_dynamic_job(
        LoadedEntity(EntityKind.DYNAMIC_JOB, futures, source),
        LoadedEntity(EntityKind.TASK, task, Source(file="task.pb", entity=task.id.name)),
        node_id,
    )
    settings = dict(item.split("=", 1) for item in args.set or [])
    config, problems = config_from_mapping(settings, source="--set")
    if problems:
        raise StepError("; ".join(p.render() for p in problems))
    build = _BUILDERS.get(args.target)
    if build is None:
        raise StepError(f"dynamic children for target '{args.target}' are not built here")
    child, diagnostics = build(compiled, args.exec, args.node, config)
    if child is None:
        details = "; ".join(d.render() for d in diagnostics) or "no workflow"
        raise StepError(f"node {args.node}: the dynamic workflow does not compile: {details}")
    return str(child)


def _argo_child(compiled: Any, execution: str, node: str, config: Any) -> tuple[Any, list[Any]]:
    from fcomp.backends.argo.dynamic import child_workflow, manifest_text

    doc, diagnostics = child_workflow(compiled, execution, node, config)
    return (manifest_text(doc) if doc is not None else None), diagnostics


def _airflow_child(compiled: Any, execution: str, node: str, config: Any) -> tuple[Any, list[Any]]:
    from fcomp.backends.airflow.dynamic import child_dag

    return child_dag(compiled, execution, node, config)


#: What a dynamic child is for each target: an Argo Workflow (JSON) or a DAG module (Python).
_BUILDERS = {"argo": _argo_child, "airflow": _airflow_child}
