"""Helpers of the ``kubernetes`` flavour: Jinja macros giving run-time values to the pods, and
the small worker-side steps around them (a branch's choice, a map's element list and guard, a
cache lookup's outcome, a dynamic task's child run).

fcomp never imports this module: :mod:`fcomp.backends.airflow.module` copies its source into
each generated DAG file. Run-time values reach pods only through pod annotations (read by the
containers through the downward API as ``$(FCOMP_...)`` variables) and runtime-step
arguments; every other string of a pod is in ``full_pod_spec``, which Airflow never renders.
The generated module defines ``FCOMP`` (storage prefix, workflow inputs).
"""

import hashlib
import json
import os
import re
import time
from typing import Any

from airflow.providers.cncf.kubernetes.operators import pod as fcomp_pod_module  # noqa: TID251
from airflow.providers.standard.operators.branch import BaseBranchOperator  # noqa: TID251
from airflow.sdk import BaseOperator  # noqa: TID251
from airflow.sdk.exceptions import (  # noqa: TID251
    AirflowException,
    AirflowFailException,
    AirflowSkipException,
)

from fcomp.backends.airflow.prelude.common import (  # not copied: DAG files hold common
    FCOMP,
    FCOMP_NOT_RETRIED,
    fcomp_child_file,
    fcomp_dynamic_conf,
    fcomp_node_values,
    fcomp_render,
    fcomp_run_child,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
#: The init containers in which the runtime checks a retry (``bind``, ``retry-check``).
FCOMP_CHECKS = ("fcomp-bind", "fcomp-retry-check")


def fcomp_refusal(remote_pod: Any) -> str | None:
    """Why the runtime's check in the pod refused to retry (its init container exited with
    ``FCOMP_NOT_RETRIED``), or None when it did not."""
    status = getattr(remote_pod, "status", None)
    for found in getattr(status, "init_container_statuses", None) or []:
        state = getattr(found, "state", None)
        ended = getattr(state, "terminated", None)
        if found.name in FCOMP_CHECKS and getattr(ended, "exit_code", None) == FCOMP_NOT_RETRIED:
            return str(getattr(ended, "message", None) or "non-recoverable error, not retried")
    return None


class FcompPod(fcomp_pod_module.KubernetesPodOperator):
    """A task pod with retries: when the runtime's check in its first init container refused
    the retry (the error before was not recoverable), the task fails without its remaining
    retries, as Flyte fails the node."""

    def cleanup(self, pod: Any, remote_pod: Any, *args: Any, **kwargs: Any) -> None:
        try:
            super().cleanup(pod, remote_pod, *args, **kwargs)
        except AirflowException as error:
            why = fcomp_refusal(remote_pod)
            if why is None or isinstance(error, AirflowFailException):
                raise
            raise AirflowFailException(f"{error}\n{why}") from error


def fcomp_exec(run_id: str) -> str:
    """The execution id: the run id made path-safe (``runtime/CONTRACT.md``)."""
    return _UNSAFE.sub("-", run_id)


def fcomp_arg(value: str) -> str:
    """A value as a container argument Kubernetes does not expand (``$`` doubled)."""
    return value.replace("$", "$$")


def fcomp_text(value: Any) -> str:
    """A DAG param value in the runtime's text form."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def fcomp_parent(dag_run: Any) -> dict[str, str]:
    """What a parent run passed to this child run (inputs to read, node to report to)."""
    conf = getattr(dag_run, "conf", None) or {}
    parent = conf.get("fcomp_parent") or {}
    return parent if isinstance(parent, dict) else {}


def fcomp_start_arg(params: Any, index: int, dag_run: Any, logical_date: Any) -> str:
    """The start step's argument for workflow input ``index``: its param's text, or the
    launch plan's default literal, or (for a scheduled run) the kickoff time."""
    name = FCOMP["inputs"][index]
    value = (params or {}).get(name)
    if name == FCOMP.get("kickoff") and getattr(dag_run, "run_type", "") == "scheduled":
        value = logical_date.isoformat()
    if value is None and name in FCOMP["defaults"] and not fcomp_parent(dag_run):
        return f"--fixed={name}={FCOMP['defaults'][name]}"
    return fcomp_arg(f"--param={name}={'' if value is None else fcomp_text(value)}")


def fcomp_inputs_from(dag_run: Any) -> str:
    """``--inputs-from=URI`` of a child run (empty for a top-level run)."""
    return fcomp_arg("--inputs-from=" + fcomp_parent(dag_run).get("inputs", ""))


def fcomp_report(dag_run: Any) -> str:
    """``--report=EXEC/PATH`` of a child run (empty for a top-level run)."""
    return fcomp_arg("--report=" + fcomp_parent(dag_run).get("report", ""))


def fcomp_child_conf(run_id: str, node: str) -> dict[str, Any]:
    """The conf a launch-plan node gives its child run."""
    exec_id = fcomp_exec(run_id)
    inputs = f"{FCOMP['prefix'].rstrip('/')}/{exec_id}/{node}/data/inputs.pb"
    conf: dict[str, Any] = {"fcomp_parent": {"inputs": inputs, "report": f"{exec_id}/{node}"}}
    conf.update((FCOMP.get("child_params") or {}).get(node) or {})  # stand-ins only
    return conf


def fcomp_node_value(run_id: str, ti: Any, node: str, key: str) -> str:
    """A command placeholder's value for a node (``fcomp_node_values`` from Jinja)."""
    return fcomp_node_values({"run_id": run_id, "ti": ti}, node)[key]


def fcomp_signal_value(result: Any) -> str:
    """The value a person entered at a signal gate, as a container argument."""
    entered = dict((result or {}).get("params_input") or {})
    if len(entered) != 1:
        raise AirflowException(f"expected one signal value, got {sorted(entered)}")
    return fcomp_arg(fcomp_text(next(iter(entered.values()))))


class FcompChoose(BaseBranchOperator):
    """Follow the case a branch pod chose (its printed index, from XCom)."""

    template_fields = ()

    def __init__(self, *, decided_by: str, targets: list[list[str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.decided_by = decided_by
        self.targets = targets

    def choose_branch(self, context: Any) -> list[str]:
        index = context["ti"].xcom_pull(task_ids=self.decided_by)
        if not isinstance(index, int) or not 0 <= index < len(self.targets):
            raise AirflowException(f"branch step returned {index!r}, not a case index")
        return list(self.targets[index])


class FcompCacheChoose(BaseBranchOperator):
    """Follow ``run`` when the lookup pod ``decided_by`` found no cached outputs, ``hit``
    when it found (and wrote) them."""

    template_fields = ()

    def __init__(self, *, decided_by: str, run: list[str], hit: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.decided_by = decided_by
        self.run = run
        self.hit = hit

    def choose_branch(self, context: Any) -> list[str]:
        found = context["ti"].xcom_pull(task_ids=self.decided_by)
        if found not in ("hit", "miss"):
            raise AirflowException(f"cache lookup returned {found!r}, not hit or miss")
        return list(self.hit if found == "hit" else self.run)


class FcompRunChild(BaseOperator):
    """Run the child DAG a dynamic task's futures compiled to (the module text the step
    ``module_from`` returned; none when the task wrote its outputs itself): the module goes
    into the DAG folder for the run and runs with ``dag.test()`` in a new process on this
    worker, its pods created from here; the child run reads this node's inputs and reports
    its outputs to this node."""

    template_fields = ()

    def __init__(self, *, node: str, module_from: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.node = node
        self.module_from = module_from

    def execute(self, context: Any) -> None:
        text = context["ti"].xcom_pull(task_ids=self.module_from)
        if text is None:
            self.log.info("the task wrote its outputs: no child to run")
            return
        if not isinstance(text, str):
            raise AirflowException(f"the futures step returned {type(text).__name__}, not a module")
        path = fcomp_child_file(context, self.node)
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            fcomp_run_child(self.log, path, fcomp_dynamic_conf(context, self.node))
        finally:
            if os.path.exists(path):
                os.unlink(path)


class FcompIndexes(BaseOperator):
    """A map's element indices (from its size pod's printed count), to map the element pods."""

    template_fields = ()

    def __init__(self, *, size_from: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size_from = size_from

    def execute(self, context: Any) -> list[dict[str, str]]:
        size = context["ti"].xcom_pull(task_ids=self.size_from)
        if not isinstance(size, int) or size < 0:
            raise AirflowException(f"map size step returned {size!r}, not a count")
        return [{"fcomp.dev/index": str(i)} for i in range(size)]


class FcompGuard(BaseOperator):
    """Before a map's gather: skip when the map was skipped (a branch case not taken), fail
    when its indices are unknown, else let the gather run whatever the elements did."""

    template_fields = ()

    def __init__(self, *, indexes_from: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.indexes_from = indexes_from

    def execute(self, context: Any) -> int:
        ti = context["ti"]
        states = ti.get_task_states(
            dag_id=ti.dag_id, task_ids=[self.indexes_from], run_ids=[ti.run_id]
        )
        state = str(next(iter((states.get(ti.run_id) or {}).values()), ""))
        if state.endswith("skipped"):
            raise AirflowSkipException("the map did not run")
        indexes = ti.xcom_pull(task_ids=self.indexes_from)
        if indexes is None:
            raise AirflowException("the map's size is unknown: its size step did not succeed")
        return len(indexes)


def fcomp_fill(value: Any, values: dict[str, str]) -> Any:
    """A manifest with its placeholders (``{"fcomp_text": parts}``) filled in."""
    if isinstance(value, dict):
        if set(value) == {"fcomp_text"}:
            return fcomp_render(value["fcomp_text"], values)
        return {k: fcomp_fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fcomp_fill(v, values) for v in value]
    return value


def fcomp_holds(obj: Any, condition: list[Any]) -> bool:
    """Whether ``path op values`` holds for the object (``op``: ``==`` or ``in``)."""
    path, _op, values = condition
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj is not None and str(obj) in values


class FcompResource(BaseOperator):
    """A task run as a Kubernetes object (SparkApplication, RayJob, PyTorchJob, ...): create
    it, wait until its success conditions all hold (failing when a failure condition holds),
    then delete it. The node's inputs were bound by the step before."""

    template_fields = ()
    ui_color = "#fde8e8"

    def __init__(
        self,
        *,
        node: str,
        manifest: Any,
        api_version: str,
        kind: str,
        success: list[Any],
        failure: list[Any],
        poll_interval: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.node = node
        self.manifest = manifest
        self.api_version = api_version
        self.kind = kind
        self.success = success
        self.failure = failure
        self.poll_interval = poll_interval

    def execute(self, context: Any) -> None:
        from airflow.providers.cncf.kubernetes.hooks.kubernetes import (  # noqa: TID251
            KubernetesHook,
        )

        values = fcomp_node_values(context, self.node)
        body = fcomp_fill(self.manifest, values)
        key = f"{values['executionId']}/{self.node}/{values['attempt']}"
        name = "fcomp-" + hashlib.sha256(key.encode()).hexdigest()[:20]
        body = {"apiVersion": self.api_version, "kind": self.kind, **body}
        metadata = dict(body.get("metadata") or {})
        metadata["name"] = name
        body["metadata"] = metadata
        group, _, version = self.api_version.rpartition("/")
        plural = self.kind.lower() + "s"
        hook = KubernetesHook()
        namespace = metadata.get("namespace") or FCOMP.get("namespace") or hook.get_namespace()
        where: dict[str, Any] = {
            "group": group,
            "version": version,
            "plural": plural,
            "namespace": namespace,
        }
        hook.create_custom_object(body=body, **where)
        self.log.info("created %s %s", self.kind, name)
        try:
            while True:
                obj = hook.get_custom_object(name=name, **where)
                failed = [c for c in self.failure if fcomp_holds(obj, c)]
                if failed:
                    raise AirflowException(f"{self.kind} {name} failed: {failed[0][0]}")
                if all(fcomp_holds(obj, c) for c in self.success):
                    return
                time.sleep(self.poll_interval)
        finally:
            hook.delete_custom_object(name=name, **where)
