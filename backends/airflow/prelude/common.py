"""Helpers and operators every flavour uses: the execution id, node data paths and command
placeholders (``runtime/CONTRACT.md``), running a process and a dynamic node's child DAG, and
the sleep gate. Copied into generated DAG files
before the flavour's own prelude; never imported by fcomp.
"""

import json
import os
import re
import subprocess
import sys
from typing import Any

from airflow.providers.standard.sensors.time_delta import WaitSensor  # noqa: TID251
from airflow.sdk.exceptions import AirflowException, AirflowFailException  # noqa: TID251

FCOMP: dict[str, Any] = {}  # the generated module assigns its settings
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
#: The exit status of the runtime's ``bind`` and ``retry-check`` when they refuse to retry a
#: non-recoverable error.
FCOMP_NOT_RETRIED = 3


def fcomp_exec_id(context: Any) -> str:
    """The execution id: the run id made path-safe (``runtime/CONTRACT.md``)."""
    return _UNSAFE.sub("-", context["run_id"])


def fcomp_attempt(context: Any) -> int:
    """The attempt number, 0 first (Airflow's try number starts at 1)."""
    return max(0, int(context["ti"].try_number) - 1)


def fcomp_node_values(context: Any, node: str, index: int | None = None) -> dict[str, str]:
    """The values of the task command's placeholders for a node (an array element's when
    ``index`` is given), as ``runtime/CONTRACT.md`` lays the data out."""
    exec_id = fcomp_exec_id(context)
    attempt = str(fcomp_attempt(context))
    own = node if index is None else f"{node}/{index}"
    base = f"{FCOMP['prefix'].rstrip('/')}/{exec_id}"
    data = f"{base}/{node}/data"
    raw = f"{FCOMP['raw'].rstrip('/')}/{exec_id}/{own}/{attempt}"
    return {
        "input": f"{data}/inputs.pb",
        "inputPrefix": data,
        "outputPrefix": f"{base}/{own}/data/{attempt}",
        "rawOutputDataPrefix": raw,
        "checkpointOutputPrefix": f"{raw}/_flytecheckpoints",
        "prevCheckpointPrefix": '""',
        "perRetryUniqueKey": f"{exec_id}-{node}-{'' if index is None else index}-{attempt}",
        "taskTemplatePath": f"{data}/task.pb",
        "namespace": FCOMP.get("namespace", ""),
        "executionId": exec_id,
        "attempt": attempt,
    }


def fcomp_render(parts: Any, values: dict[str, str]) -> str:
    """A command string: plain parts as they are, placeholders (``{"ph": kind}``) filled in."""
    if isinstance(parts, str):
        return parts
    return "".join(p if isinstance(p, str) else values[p["ph"]] for p in parts)


def fcomp_run(
    log: Any,
    argv: list[str],
    env: dict[str, str] | None = None,
    capture: bool = False,
    final_status: int | None = None,
) -> str:
    """Run a process, logging its output; its stdout when ``capture``; fail on a non-zero exit
    (exit status ``final_status``: fail without the task's remaining retries)."""
    full_env = dict(os.environ)
    full_env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), full_env.get("PATH", "")])
    full_env.update(env or {})
    proc = subprocess.run(argv, env=full_env, capture_output=True, text=True, check=False)
    for line in proc.stderr.splitlines():
        log.info("%s", line)
    if not capture:
        for line in proc.stdout.splitlines():
            log.info("%s", line)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
        error = AirflowFailException if proc.returncode == final_status else AirflowException
        raise error(f"{os.path.basename(argv[0])} exited with {proc.returncode}: {tail}")
    return proc.stdout


def fcomp_child_file(context: Any, node: str) -> str:
    """Where a dynamic node's child DAG file goes: the DAG folder, since a DAG runs only once
    Airflow has parsed and serialized it from there."""
    from airflow.configuration import conf as airflow_conf  # noqa: TID251

    folder = airflow_conf.get("core", "dags_folder")
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{fcomp_exec_id(context)}_{node}")
    return os.path.join(folder, f"fcomp_dynamic_{name}.py")


def fcomp_dynamic_conf(context: Any, node: str) -> dict[str, Any]:
    """The conf of a dynamic node's child run: the node's inputs, and where to report."""
    exec_id = fcomp_exec_id(context)
    inputs = f"{FCOMP['prefix'].rstrip('/')}/{exec_id}/{node}/data/inputs.pb"
    return {"fcomp_parent": {"inputs": inputs, "report": f"{exec_id}/{node}"}}


def fcomp_run_child(log: Any, path: str, conf: dict[str, Any]) -> None:
    """Run a DAG file's DAG to completion in a new process (``dag.test()``)."""
    fcomp_run(log, [sys.executable, path, "--conf", json.dumps(conf)])


class FcompWait(WaitSensor):
    """A sleep gate: waits from the task's start (deferred, so it holds no worker slot)."""

    def execute_complete(self, context: Any, event: Any = None) -> None:
        """The wait is over (``WaitSensor`` defers to this method but lacks it)."""
        return None
