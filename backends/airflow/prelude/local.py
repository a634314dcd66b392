"""Operators of the ``local`` flavour: every step runs as a process on the Airflow worker.

fcomp never imports this module: :mod:`fcomp.backends.airflow.module` copies its source into
each generated DAG file (below the generated file's own docstring), so a DAG file needs only
Airflow and, on the worker, ``fcomp`` (for ``python -m fcomp.runtime``) and the tasks' code.
Every operator here has no templated fields: the specs they carry are data, never rendered.
The module-level ``FCOMP`` dict (storage prefixes) is defined by the generated code; the
helpers of :mod:`.common` (paths, placeholders) come before this module in a DAG file.
"""

import json
import os
import re
import sys
import tempfile
from typing import Any

from airflow.providers.standard.operators.branch import BaseBranchOperator  # noqa: TID251
from airflow.providers.standard.operators.hitl import HITLEntryOperator  # noqa: TID251
from airflow.sdk import BaseOperator  # noqa: TID251
from airflow.sdk.exceptions import AirflowException, AirflowFailException  # noqa: TID251

from fcomp.backends.airflow.prelude.common import (  # not copied: DAG files hold common too
    FCOMP,
    FCOMP_NOT_RETRIED,
    fcomp_attempt,
    fcomp_child_file,
    fcomp_dynamic_conf,
    fcomp_exec_id,
    fcomp_node_values,
    fcomp_render,
    fcomp_run,
    fcomp_run_child,
)


def fcomp_runtime(
    log: Any, context: Any, command: str, *args: str, capture: bool = False, final: bool = False
) -> str:
    """``fcomp-runtime COMMAND --prefix P --exec E ARGS...`` (``python -m fcomp.runtime``);
    ``final``: a refused retry fails the task without its remaining retries."""
    argv = [sys.executable, "-m", "fcomp.runtime", command]
    argv += ["--prefix", FCOMP["prefix"], "--exec", fcomp_exec_id(context), *args]
    final_status = FCOMP_NOT_RETRIED if final else None
    return fcomp_run(log, argv, capture=capture, final_status=final_status)


def fcomp_task_env(spec: Any, values: dict[str, str], index: int | None) -> dict[str, str]:
    """The task process's environment: the container's variables (secrets from the worker's
    own environment), and the array index for a map task element."""
    # pyflyte-execute then exits non-zero when the task failed (not only writes error.pb)
    env: dict[str, str] = {"FLYTE_FAIL_ON_ERROR": "true"}
    for name, parts in spec.get("env", []):
        env[name] = fcomp_render(parts, values)
    for name in spec.get("secrets", []):
        if name not in os.environ:
            raise AirflowException(
                f"the task reads secret variable {name}, which the worker's environment lacks"
            )
    if index is not None:
        env["BATCH_JOB_ARRAY_INDEX_VAR_NAME"] = "FLYTE_K8S_ARRAY_INDEX"
        env["FLYTE_K8S_ARRAY_INDEX"] = str(index)
        env["BATCH_JOB_ARRAY_INDEX_OFFSET"] = "0"
    return env


def fcomp_processes(
    log: Any,
    spec: Any,
    values: dict[str, str],
    index: int | None,
    capture: bool = False,
    extra_env: dict[str, str] | None = None,
) -> str:
    """A task's pod as processes: each init container, then the primary container; every
    volume mount path is a private temporary folder, rewritten in their argv and env. What
    the primary prints, when ``capture``; ``extra_env`` is added to every process's."""
    out = ""
    with tempfile.TemporaryDirectory(prefix="fcomp-pod-") as root:
        mounts: dict[str, str] = {}
        for number, path in enumerate(spec.get("mounts", [])):
            mounts["/" + path.strip().strip("/")] = os.path.join(root, str(number))
            os.makedirs(mounts["/" + path.strip().strip("/")], exist_ok=True)
        for process in [*spec.get("init", []), spec]:
            argv = [fcomp_mounted(fcomp_render(a, values), mounts) for a in process["argv"]]
            env = {
                k: fcomp_mounted(v, mounts)
                for k, v in fcomp_task_env(process, values, index).items()
            }
            env.update(extra_env or {})
            out = fcomp_run(log, argv, env, capture=capture and process is spec)
    return out


def fcomp_mounted(text: str, mounts: dict[str, str]) -> str:
    """``text`` with each mount path (where a path starts, up to where it ends or goes on
    below it with ``/``) replaced by its local folder."""
    if not mounts:
        return text
    paths = "|".join(re.escape(p) for p in sorted(mounts, key=len, reverse=True))
    pattern = re.compile(r"(?<![\w./~-])(" + paths + r")(?=$|[^\w.~-])")
    return pattern.sub(lambda match: mounts[match.group(1)], text)


def fcomp_elements(op: Any, context: Any) -> None:
    """Run each element of the operator's chunk. With retries (``checked``), as Flyte retries
    each element on its own: a retry of the chunk skips the elements that succeeded and
    refuses the ones whose error was not recoverable; when no failed element can succeed on a
    retry, the task fails without its remaining retries."""
    spec = op.spec
    checked = bool(spec.get("checked"))
    attempt = fcomp_attempt(context)
    retryable: list[str] = []
    final: list[str] = []
    for index in op.chunk or []:
        element = f"{spec['node']}/{index}"
        values = fcomp_node_values(context, spec["node"], index)
        if spec.get("legacy"):  # a legacy map task writes into the element's data folder
            values["outputPrefix"] = values["outputPrefix"].rsplit("/", 1)[0]
        try:
            if checked and attempt > 0:
                state = fcomp_runtime(
                    op.log,
                    context,
                    "retry-check",
                    "--node",
                    element,
                    "--attempt",
                    str(attempt),
                    "--done",
                    capture=True,
                    final=True,
                )
                if state.strip() == "done":
                    continue
            fcomp_processes(op.log, spec, values, index)
        except AirflowFailException as error:
            final.append(f"element {index}: {error}")
        except AirflowException as error:
            if checked and fcomp_not_retried(op, context, element, attempt + 1):
                final.append(f"element {index}: {error}")
            else:
                retryable.append(f"element {index}: {error}")
    if retryable:
        raise AirflowException("; ".join(final + retryable))
    if final:
        raise AirflowFailException("; ".join(final))


def fcomp_not_retried(op: Any, context: Any, node: str, attempt: int) -> bool:
    """Whether attempt ``attempt`` of ``node`` would be refused (its error before it was not
    recoverable)."""
    try:
        fcomp_runtime(
            op.log, context, "retry-check", "--node", node, "--attempt", str(attempt), final=True
        )
    except AirflowFailException:
        return True
    return False


def fcomp_task(op: Any, context: Any) -> Any:
    """A task node: look up the cache, bind the inputs, run the task's command, store the
    cache; a map task element runs each index of its chunk. A task whose output is its XCom
    returns what its command printed (JSON)."""
    spec = op.spec
    if spec.get("element"):
        fcomp_elements(op, context)
        return None
    node, plan = spec["node"], spec["plan"]
    cache = spec.get("cache")
    if cache:
        found = fcomp_runtime(
            op.log,
            context,
            "cache-check",
            "--node",
            node,
            "--plan",
            plan,
            "--key",
            cache,
            capture=True,
        )
        if found.strip() == "hit":
            op.log.info("cache hit: outputs reused")
            return None
    bind = ["--node", node, "--plan", plan]
    if spec.get("template"):
        bind += ["--task-template", spec["template"]]
    checked = bool(spec.get("checked"))  # Flyte retries only recoverable errors
    if checked:
        bind += ["--attempt", str(fcomp_attempt(context))]
    fcomp_runtime(op.log, context, "bind", *bind, final=checked)
    xcom = bool(spec.get("xcom"))
    pulled = {  # variables holding other tasks' XCom
        var: str(context["ti"].xcom_pull(task_ids=task) or "")
        for var, task in spec.get("env_from", [])
    }
    values = fcomp_node_values(context, node)
    printed = fcomp_processes(op.log, spec, values, None, xcom, pulled)
    if xcom:
        return json.loads(printed)
    if spec.get("dynamic"):
        fcomp_dynamic(op, context, node)
    if cache:
        fcomp_runtime(op.log, context, "cache-put", "--node", node, "--key", cache)
    return None


def fcomp_dynamic(op: Any, context: Any, node: str) -> None:
    """A dynamic task's futures: the runtime compiles them into a child DAG file, which runs
    as a child run reading this node's inputs and reporting its outputs to this node."""
    path = fcomp_child_file(context, node)
    try:
        found = fcomp_runtime(
            op.log,
            context,
            "dynamic",
            "--node",
            node,
            "--task",
            op.spec["task"],
            "--target",
            "airflow",
            "--manifest-out",
            path,
            *[f"--set={k}={v}" for k, v in FCOMP.get("dynamic", {}).items()],
            capture=True,
        )
        if found.strip() != "child":
            return
        fcomp_run_child(op.log, path, fcomp_dynamic_conf(context, node))
    finally:
        if os.path.exists(path):
            os.unlink(path)


def fcomp_start(op: Any, context: Any) -> None:
    """Write the workflow inputs from the DAG params (or a parent run's bound inputs)."""
    spec = op.spec
    params = dict(context["params"] or {})
    conf = (context["dag_run"].conf or {}) if context.get("dag_run") else {}
    parent = conf.get("fcomp_parent") or {}
    kickoff = spec.get("kickoff")
    if kickoff and getattr(context.get("dag_run"), "run_type", "") == "scheduled":
        params[kickoff] = context["logical_date"].isoformat()
    args = ["--inputs-from", parent.get("inputs", "")] if parent.get("inputs") else []
    for name, literal_type in spec["types"].items():
        args.append(f"--type={name}={literal_type}")
        if name in spec["fixed"]:
            args.append(f"--fixed={name}={spec['fixed'][name]}")
            if name in params and name in conf:
                raise AirflowException(f"input '{name}' is fixed by the launch plan")
        elif params.get(name) is not None:
            args.append(f"--param={name}={fcomp_text(params[name])}")
        elif name in spec["defaults"] and not parent:
            args.append(f"--fixed={name}={spec['defaults'][name]}")
    for name, offset in spec.get("shift", {}).items():
        args.append(f"--shift={name}={offset}")
    fcomp_runtime(op.log, context, "start", *args)


def fcomp_text(value: Any) -> str:
    """A DAG param value in the runtime's text form."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def fcomp_outputs(op: Any, context: Any) -> None:
    """Write the workflow outputs (and report them to a parent run's node)."""
    conf = (context["dag_run"].conf or {}) if context.get("dag_run") else {}
    report = (conf.get("fcomp_parent") or {}).get("report", "")
    args = ["--plan", op.spec["plan"]] + (["--report", report] if report else [])
    shown = fcomp_runtime(op.log, context, "outputs", *args, capture=True)
    op.log.info("workflow outputs: %s", shown.strip())


def fcomp_array_size(op: Any, context: Any) -> list[list[int]]:
    """Bind a map's inputs; the element indices in chunks Airflow can map over."""
    spec = op.spec
    out = fcomp_runtime(
        op.log,
        context,
        "array-size",
        "--node",
        spec["node"],
        "--plan",
        spec["plan"],
        "--inputs",
        json.dumps(spec["inputs"]),
        capture=True,
    )
    size = int(out.strip())
    limit = int(os.environ.get("AIRFLOW__CORE__MAX_MAP_LENGTH", "1024"))
    per = max(1, -(-size // limit))
    chunks = [list(range(i, min(size, i + per))) for i in range(0, size, per)]
    return chunks or [[]]


def fcomp_gather(op: Any, context: Any) -> None:
    """Gather a map's element outputs into lists."""
    spec = op.spec
    chunks = context["ti"].xcom_pull(task_ids=spec["size_from"])
    if chunks is None:
        raise AirflowException("the map's size is unknown: its size task did not succeed")
    size = sum(len(c) for c in chunks)
    args = ["--node", spec["node"], "--size", str(size), "--outputs", spec["outputs"]]
    if spec.get("min_successes") is not None:
        args += ["--min-successes", str(spec["min_successes"])]
    if spec.get("min_success_ratio") is not None:
        args += ["--min-success-ratio", repr(spec["min_success_ratio"])]
    fcomp_runtime(op.log, context, "gather", *args)


def fcomp_child(op: Any, context: Any) -> None:
    """A launch-plan node: bind its inputs, run the plan's DAG as a child run, wait for it."""
    spec = op.spec
    exec_id = fcomp_exec_id(context)
    fcomp_runtime(op.log, context, "bind", "--node", spec["node"], "--plan", spec["plan"])
    inputs = f"{FCOMP['prefix'].rstrip('/')}/{exec_id}/{spec['node']}/data/inputs.pb"
    conf = {"fcomp_parent": {"inputs": inputs, "report": f"{exec_id}/{spec['node']}"}}
    conf.update(spec.get("params") or {})  # stand-ins: the child reads the bound inputs
    if os.environ.get("FCOMP_AIRFLOW_INLINE_CHILDREN"):
        here = os.path.dirname(os.path.abspath(__file__))
        fcomp_run_child(op.log, os.path.join(here, spec["file"]), conf)
        return
    from airflow.providers.standard.operators.trigger_dagrun import (  # noqa: TID251
        TriggerDagRunOperator,
    )

    trigger = TriggerDagRunOperator(
        task_id=f"{op.task_id}-trigger",
        trigger_dag_id=spec["dag_id"],
        conf=conf,
        wait_for_completion=True,
        poke_interval=5,
    )
    trigger.execute(context)


_STEPS: dict[str, Any] = {
    "start": fcomp_start,
    "task": fcomp_task,
    "outputs": fcomp_outputs,
    "array-size": fcomp_array_size,
    "gather": fcomp_gather,
    "child": fcomp_child,
}


class FcompStep(BaseOperator):
    """One runtime step or task node; ``chunk`` is the map element indices it runs."""

    template_fields = ()
    ui_color = "#e8f0fe"

    def __init__(self, *, step: str, spec: Any, chunk: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = step
        self.spec = spec
        self.chunk = chunk

    def execute(self, context: Any) -> Any:
        return _STEPS[self.step](self, context)


class FcompBranch(BaseBranchOperator):
    """A branch node: the runtime picks the case with Flyte's rules; its tasks run."""

    template_fields = ()
    ui_color = "#fff4d6"

    def __init__(self, *, spec: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def choose_branch(self, context: Any) -> list[str]:
        spec = self.spec
        out = fcomp_runtime(
            self.log,
            context,
            "branch",
            "--node",
            spec["node"],
            "--plan",
            spec["plan"],
            "--cases",
            spec["cases"],
            capture=True,
        )
        index = int(out.strip())
        self.log.info("branch case %d runs", index)
        return list(spec["targets"][index])


class FcompSignal(HITLEntryOperator):
    """A signal gate: a person enters the value; the runtime writes it as the node's output."""

    def __init__(self, *, spec: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        result = super().execute_complete(context=context, event=event)
        spec = self.spec
        value = fcomp_text((result["params_input"] or {}).get(spec["var"]))
        fcomp_runtime(
            self.log,
            context,
            "signal",
            "--node",
            spec["node"],
            "--type",
            spec["type"],
            "--var",
            spec["var"],
            "--value",
            value,
        )
        return result
