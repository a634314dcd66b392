"""Helpers and operators every flavour uses: the execution id, node data paths and command
placeholders (``runtime/CONTRACT.md``), and the sleep gate. Copied into generated DAG files
before the flavour's own prelude; never imported by fcomp.
"""

import re
from typing import Any

from airflow.providers.standard.sensors.time_delta import WaitSensor  # noqa: TID251

FCOMP: dict[str, Any] = {}  # the generated module assigns its settings
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


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


class FcompWait(WaitSensor):
    """A sleep gate: waits from the task's start (deferred, so it holds no worker slot)."""

    def execute_complete(self, context: Any, event: Any = None) -> None:
        """The wait is over (``WaitSensor`` defers to this method but lacks it)."""
        return None
