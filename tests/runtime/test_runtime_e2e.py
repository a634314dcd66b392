"""start -> bind -> pyflyte-execute (a real flytekit task) -> bind -> ... -> outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from runtime_helpers import EXEC, b64

HERE = Path(__file__).resolve().parent
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def typed_interface(task: Any) -> Any:
    """The task's TypedInterface as flytekit serializes it."""
    from flytekit.core.interface import transform_interface_to_typed_interface

    return transform_interface_to_typed_interface(task.python_interface).to_flyte_idl()


def runtime(prefix: Path, *args: str) -> str:
    """Run ``fcomp-runtime`` as a subprocess; its stdout."""
    command = [
        sys.executable,
        "-m",
        "fcomp.runtime",
        args[0],
        "--prefix",
        str(prefix),
        "--exec",
        EXEC,
    ]
    done = subprocess.run([*command, *args[1:]], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def execute(prefix: Path, node: str, task_name: str) -> None:
    """Run a task the way its container would, with the paths the backends substitute."""
    data = prefix / EXEC / node / "data"
    scratch = prefix / "scratch" / node
    command = [
        str(Path(sys.executable).with_name("pyflyte-execute")),
        "--inputs", str(data / "inputs.pb"),
        "--output-prefix", str(data / "0"),
        "--raw-output-data-prefix", str(scratch / "raw"),
        "--checkpoint-path", str(scratch / "checkpoint"),
        "--prev-checkpoint", '""',
        "--resolver", "flytekit.core.python_auto_container.default_task_resolver",
        "--", "task-module", "runtime_e2e_tasks", "task-name", task_name,
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    scratch.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=scratch)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (data / "0" / "outputs.pb").is_file(), done.stderr[-3000:]


def start_args(task: Any, params: dict[str, str]) -> list[str]:
    """``start`` arguments for a workflow with the task's inputs."""
    args: list[str] = []
    for name, variable in typed_interface(task).inputs.variables.items():
        args += ["--type", f"{name}={b64(variable.type)}"]
    for name, text in params.items():
        args += ["--param", f"{name}={text}"]
    return args


def promise(node: str, var: str, **extra: Any) -> dict[str, Any]:
    return {"promise": {"node": node, "var": var, **extra}}


def test_workflow_of_two_real_tasks(tmp_path: Path) -> None:
    from runtime_e2e_tasks import Point, double, summarize

    prefix = tmp_path / "store"
    params = {"xs": "[1, 2, 3]", "scale": "2", "p": '{"x": 1, "y": 1.5}', "label": "hi"}
    runtime(prefix, "start", *start_args(summarize, params))

    plan = {name: promise("start-node", name) for name in params}
    runtime(prefix, "bind", "--node", "n0", "--plan", json.dumps(plan))
    execute(prefix, "n0", "summarize")

    runtime(
        prefix, "bind", "--node", "n1", "--plan", json.dumps({"n": promise("n0", "o3", path=["x"])})
    )
    execute(prefix, "n1", "double")

    ends = {
        "total": promise("n0", "o0"),
        "scaled": promise("n0", "o1"),
        "label": promise("n0", "o2"),
        "point": promise("n0", "o3"),
        "doubled": promise("n1", "o0"),
    }
    shown = json.loads(runtime(prefix, "outputs", "--plan", json.dumps(ends)))

    total, scaled, label, point = summarize(xs=[1, 2, 3], scale=2.0, p=Point(1, 1.5), label="hi")
    assert shown == {
        "total": total,
        "scaled": scaled,
        "label": label,
        "point": {"x": point.x, "y": point.y},
        "doubled": double(n=point.x),
    }
    assert json.loads(runtime(prefix, "show", "--node", "end-node")) == shown


def test_optional_input_left_out(tmp_path: Path) -> None:
    from runtime_e2e_tasks import summarize

    prefix = tmp_path / "store"
    params = {"xs": "[]", "scale": "1.5", "p": '{"x": 0, "y": 2}'}
    runtime(prefix, "start", *start_args(summarize, params))
    plan = {name: promise("start-node", name) for name in [*params, "label"]}
    runtime(prefix, "bind", "--node", "n0", "--plan", json.dumps(plan))
    execute(prefix, "n0", "summarize")
    shown = json.loads(runtime(prefix, "show", "--node", "n0"))
    assert shown == {"o0": 0, "o1": 3.0, "o2": "none", "o3": {"x": 0, "y": 4.0}}
