"""Load a DAG folder with Airflow's DagBag and print what it holds as JSON (run in a
subprocess with ``AIRFLOW_HOME`` set, so the test process never imports Airflow)."""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def describe(folder: str) -> dict[str, Any]:
    """Import errors, and for each DAG its settings, tasks and edges."""
    started = time.monotonic()
    from airflow.dag_processing.dagbag import DagBag

    imported = time.monotonic()
    bag = DagBag(dag_folder=folder)
    loaded = time.monotonic()
    dags: dict[str, Any] = {}
    for dag_id, dag in sorted(bag.dags.items()):
        tasks: dict[str, Any] = {}
        for task in dag.tasks:
            tasks[task.task_id] = {
                "operator": type(task).__name__,
                "trigger_rule": str(getattr(task.trigger_rule, "value", task.trigger_rule)),
                "upstream": sorted(task.upstream_task_ids),
                "retries": task.retries,
                "spec": _plain(getattr(task, "spec", None)),
                "pod": _pod(getattr(task, "full_pod_spec", None)),
                "request": _request(task),
                "rendered": _rendered(dag, task),
                "spark_body": _spark_body(dag, task),
                "template_fields": list(task.template_fields),
                "annotations": _plain(getattr(task, "annotations", None)),
                "mapped": type(task).__name__ == "MappedOperator",
            }
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "params": {k: _plain(v) for k, v in dag.params.dump().items()},
            "param_schemas": {k: _plain(dag.params.get_param(k).schema) for k in dag.params},
            "param_descriptions": {k: dag.params.get_param(k).description for k in dag.params},
            "schedule": str(dag.schedule) if dag.schedule is not None else None,
            "tags": sorted(dag.tags),
            "catchup": dag.catchup,
            "max_active_tasks": dag.max_active_tasks,
            "description": dag.description,
            "tasks": tasks,
        }
    return {
        "import_errors": {k: str(v) for k, v in bag.import_errors.items()},
        "dags": dags,
        "seconds": {"import": imported - started, "dagbag": loaded - imported},
    }


class _Run:
    """The parts of a DAG run the templates read."""

    conf: dict[str, Any] = {}
    run_type = "manual"


class _TI:
    """The parts of a task instance the templates read (``writes``: a signal's write step,
    which pulls what a person entered; other steps pull a count)."""

    try_number = 1
    map_index = 3

    def __init__(self, writes: bool) -> None:
        self.writes = writes

    def xcom_pull(self, task_ids: str) -> Any:
        return {"params_input": {"o0": "entered $(X) {{ x }}"}} if self.writes else 7


RUN_ID = "manual__2024-01-02T03:04:05+00:00"


def _rendered(dag: Any, task: Any) -> Any:
    """The templated fields fcomp sets, rendered with the DAG's defaults for a manual run."""
    fields = [f for f in ("cmds", "annotations", "conf", "subject", "body") if hasattr(task, f)]
    fields += ["template_spec"] * hasattr(task, "template_spec")
    if not fields or not hasattr(task, "render_template"):
        return None
    context = _context(dag, task)
    env = dag.get_template_env()
    out: dict[str, Any] = {}
    for name in fields:
        try:
            out[name] = task.render_template(getattr(task, name), context, jinja_env=env)
        except Exception as error:  # reported to the test
            out[name] = f"RENDER ERROR {type(error).__name__}: {error}"
    return _plain(out)


def _spark_body(dag: Any, task: Any) -> Any:
    """The SparkApplication a SparkKubernetesOperator would create (its own launcher's body
    from the rendered ``template_spec``), for a run in namespace ``ns``."""
    if type(task).__name__ != "SparkKubernetesOperator":
        return None
    from airflow.providers.cncf.kubernetes.operators.custom_object_launcher import (
        CustomObjectLauncher,
    )

    spec = task.render_template(task.template_spec, _context(dag, task), dag.get_template_env())
    launcher = CustomObjectLauncher("app", "ns", None, None, template_body=spec)
    return _plain(launcher.body)


def _context(dag: Any, task: Any) -> dict[str, Any]:
    """What templates read of a manual run."""
    import datetime

    return {
        "params": dag.params.dump(),
        "dag_run": _Run(),
        "run_id": RUN_ID,
        "ti": _TI(task.task_id.endswith("-write")),
        "logical_date": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    }


def _request(task: Any) -> Any:
    """The pod a KubernetesPodOperator would create (before its templates are rendered)."""
    build = getattr(task, "build_pod_request_obj", None)
    if build is None or type(task).__name__ != "KubernetesPodOperator":
        return None
    return _pod(build(dry_run=True))


def _pod(pod: Any) -> Any:
    if pod is None:
        return None
    from kubernetes.client import ApiClient

    return ApiClient().sanitize_for_serialization(pod)


def _plain(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)


if __name__ == "__main__":
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(describe(sys.argv[1]), out, sort_keys=True)
