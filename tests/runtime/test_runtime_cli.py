"""The command line: start, signal, outputs, show; JSON shown for flytekit literals; imports."""

from __future__ import annotations

import datetime
import enum
import json
import subprocess
import sys
import time
import typing
from dataclasses import dataclass
from typing import Any

import pytest
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset
from runtime_helpers import Runtime, b64, int_literal, literal_map, to_literal, to_literal_type

from fcomp.runtime.codec import serialize

UTC = datetime.UTC


class Mode(enum.Enum):
    """An enum output."""

    FAST = "fast"


@dataclass
class Point:
    """A dataclass output."""

    x: int
    y: float
    label: str | None = None


def types(**python_types: Any) -> list[str]:
    """``--type NAME=B64`` arguments for the given input types."""
    args: list[str] = []
    for name, python_type in python_types.items():
        args += ["--type", f"{name}={b64(to_literal_type(python_type))}"]
    return args


def start_outputs(runtime: Runtime) -> Any:
    return runtime.read_map(runtime.storage.attempt_path("start-node", 0, "outputs.pb"))


def test_start_writes_the_workflow_inputs(runtime: Runtime) -> None:
    declared = types(a=int, b=list[float], c=typing.Optional[str], d=str, e=str)  # noqa: UP045
    ran = runtime(
        "start",
        *declared,
        *["--param", "a=7", "--param", "b=[1, 2.5]", "--param", "e=x=y"],
        *["--fixed", f"d={b64(to_literal('fixed', str))}"],
    )
    assert (ran.status, ran.out, ran.err) == (0, "", "")
    assert start_outputs(runtime) == literal_map(
        a=to_literal(7, int),
        b=to_literal([1.0, 2.5], list[float]),
        c=to_literal(None, typing.Optional[str]),  # noqa: UP045 - absent optional is None
        d=to_literal("fixed", str),
        e=to_literal("x=y", str),  # split at the first "="
    )


def test_start_shifts_the_kickoff_time(runtime: Runtime) -> None:
    kickoff = "2024-01-31T12:00:00Z"
    ran = runtime(
        "start", *types(t=datetime.datetime), "--param", f"t={kickoff}", "--shift", "t=-PT1H30M"
    )
    assert ran.status == 0
    expected = datetime.datetime(2024, 1, 31, 10, 30, tzinfo=UTC)
    assert start_outputs(runtime) == literal_map(t=to_literal(expected, datetime.datetime))


def test_child_execution_takes_its_inputs_from_the_parent(runtime: Runtime) -> None:
    parent = runtime.storage.of_execution("parent-run")
    given = literal_map(a=to_literal(5, int))
    parent.write(parent.inputs_path("n3"), serialize(given), "n3")
    ran = runtime(
        "start",
        *types(a=int, b=int),
        *["--param", "a=1", "--param", "b=2"],  # the template defaults
        "--inputs-from",
        parent.inputs_path("n3"),
    )
    assert ran.status == 0
    assert start_outputs(runtime) == literal_map(a=to_literal(5, int), b=to_literal(2, int))
    ran = runtime("start", *types(a=int), "--inputs-from", "", "--param", "a=1")
    assert ran.status == 0  # an empty --inputs-from (a top-level run) is no source


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--param", "a=x"], "input 'a' of type Integer: cannot read 'x': expected a decimal"),
        ([], "input 'a' of type Integer has no value: pass --param a=TEXT"),
        (["--param", "a=1", "--param", "zz=2"], "--param zz: the workflow has no input 'zz'"),
        (["--param", "a=1", "--fixed", "a=CAE="], "input 'a' is fixed by the launch plan"),
        (["--param", "a"], "--param takes NAME=VALUE, got 'a'"),
        (["--param", "a=1", "--param", "a=2"], "--param gives input 'a' twice"),
        (["--param", "a=1", "--shift", "a=PT1H"], "--shift a: input 'a' is not a datetime"),
        (["--param", "a=1", "--inputs-from", "/nonexistent/inputs.pb"], "it does not exist"),
    ],
)
def test_start_errors(runtime: Runtime, args: list[str], says: str) -> None:
    ran = runtime("start", *types(a=int), *args)
    assert ran.status == 1
    assert says in ran.err
    assert "Traceback" not in ran.err


def test_bad_type_is_reported(runtime: Runtime) -> None:
    ran = runtime("start", "--type", "a=not base64!")
    assert ran.status == 1 and "--type a is not valid base64" in ran.err


def test_usage_errors_exit_1(runtime: Runtime) -> None:
    ran = runtime("bind", "--node", "n1")
    assert ran.status == 1 and "--plan" in ran.err


def test_plan_from_a_file(runtime: Runtime, tmp_path: Any) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(3)))
    plan = tmp_path / "plan.json"
    plan.write_text('{"x": {"promise": {"node": "n0", "var": "o0"}}}')
    assert runtime("bind", "--node", "n1", "--plan", f"@{plan}").status == 0
    assert runtime.read_map(runtime.storage.inputs_path("n1")) == literal_map(x=int_literal(3))


def test_bind_writes_the_task_template(runtime: Runtime) -> None:
    from flyteidl.core import tasks_pb2

    template = tasks_pb2.TaskTemplate(type="python-task")
    ran = runtime("bind", "--node", "n1", "--plan", "{}", "--task-template", b64(template))
    assert ran.status == 0
    written = runtime.storage.read(f"{runtime.storage.data_dir('n1')}/task.pb", "n1")
    assert tasks_pb2.TaskTemplate.FromString(written) == template


def test_signal(runtime: Runtime) -> None:
    ran = runtime(
        "signal",
        "--node",
        "n4",
        "--type",
        b64(to_literal_type(bool)),
        "--var",
        "o0",
        "--value",
        "true",
    )
    assert ran.status == 0
    path = runtime.storage.attempt_path("n4", 0, "outputs.pb")
    assert runtime.read_map(path) == literal_map(o0=to_literal(True, bool))
    bad = runtime(
        "signal", "--node", "n4", "--type", b64(to_literal_type(int)), "--var", "o0", "--value", "x"
    )
    assert bad.status == 1 and "input 'o0' of type Integer: cannot read 'x'" in bad.err


#: Outputs made by flytekit and the JSON `outputs`/`show` print for them.
SHOWN: list[tuple[str, Any, Any, Any]] = [
    ("o0", int, 3, 3),
    ("o1", float, 0.25, 0.25),
    ("o2", str, "s", "s"),
    ("o3", bool, False, False),
    (
        "o4",
        datetime.datetime,
        datetime.datetime(2024, 1, 31, 12, tzinfo=UTC),
        "2024-01-31T12:00:00Z",
    ),
    ("o5", datetime.timedelta, datetime.timedelta(seconds=90), 90),
    ("o6", Mode, Mode.FAST, "fast"),
    ("o7", list[int], [1, 2], [1, 2]),
    ("o8", dict[str, float], {"b": 1.0, "a": 2.0}, {"a": 2.0, "b": 1.0}),
    ("o9", Point, Point(1, 2.5), {"x": 1, "y": 2.5, "label": None}),
    ("o10", FlyteFile, FlyteFile("s3://b/f.txt"), "s3://b/f.txt"),
    ("o11", StructuredDataset, StructuredDataset(uri="s3://b/sd"), "s3://b/sd"),
    ("o12", typing.Optional[int], None, None),  # noqa: UP045
    ("o13", typing.Optional[int], 4, 4),  # noqa: UP045
    ("o14", typing.Union[int, str], "u", "u"),  # noqa: UP007
    ("o15", dict, {"k": [1, "two"]}, {"k": [1, "two"]}),
    ("o16", float, float("inf"), "inf"),
    ("o17", datetime.timedelta, datetime.timedelta(seconds=1.5), 1.5),
]


def test_show_prints_plain_json_for_flytekit_outputs(runtime: Runtime) -> None:
    outputs = literal_map(**{name: to_literal(v, t) for name, t, v, _ in SHOWN})
    runtime.put_outputs("n0", outputs)
    ran = runtime("show", "--node", "n0")
    assert ran.status == 0
    assert ran.json() == {name: shown for name, _, _, shown in SHOWN}
    assert list(ran.json()) == [name for name, *_ in SHOWN]  # o0, o1, ..., o10 in natural order


def test_outputs_writes_and_prints(runtime: Runtime) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(3), o1=to_literal(Point(1, 2.0), Point)))
    plan = {
        "total": {"promise": {"node": "n0", "var": "o0"}},
        "y": {"promise": {"node": "n0", "var": "o1", "path": ["y"]}},
    }
    ran = runtime("outputs", "--plan", json.dumps(plan))
    assert (ran.status, ran.json()) == (0, {"total": 3, "y": 2.0})
    written = runtime.read_map(runtime.storage.attempt_path("end-node", 0, "outputs.pb"))
    assert written == runtime.read_map(runtime.storage.inputs_path("end-node"))
    assert runtime("show", "--node", "end-node").json() == {"total": 3, "y": 2.0}


def test_outputs_report_to_the_parent_node(runtime: Runtime) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(3)))
    plan = json.dumps({"o0": {"promise": {"node": "n0", "var": "o0"}}})
    ran = runtime("outputs", "--plan", plan, "--report", "parent-run/n4")
    assert (ran.status, ran.json()) == (0, {"o0": 3})
    parent = runtime.storage.of_execution("parent-run")
    written = runtime.read_map(parent.attempt_path("n4", 0, "outputs.pb"))
    assert written == literal_map(o0=int_literal(3))
    bad = runtime("outputs", "--plan", plan, "--report", "no-slash")
    assert bad.status == 1 and "--report takes EXEC/PATH" in bad.err


def test_show_without_outputs_fails(runtime: Runtime) -> None:
    ran = runtime("show", "--node", "n9")
    assert ran.status == 1 and "node 'n9' has no outputs" in ran.err


def test_show_loads_offloaded_literals(runtime: Runtime, tmp_path: Any) -> None:
    stored = tmp_path / "offloaded.pb"
    stored.write_bytes(serialize(to_literal([1, 2, 3], list[int])))
    plan = {"o0": {"offloaded": {"uri": str(stored), "size": 10}}}
    ran = runtime("outputs", "--plan", json.dumps(plan))
    assert (ran.status, ran.json()) == (0, {"o0": [1, 2, 3]})


FORBIDDEN = ("flytekit", "networkx", "fcomp.compiler", "fcomp.backends", "fcomp.idl", "fcomp.cli")
#: The test looks for these as whole packages (``flytekitplugins`` is a namespace set up by .pth).


def test_runtime_imports_stay_light(tmp_path: Any) -> None:
    script = (
        "import sys\n"
        "from fcomp.runtime.__main__ import main\n"
        f"main(['show', '--prefix', {str(tmp_path)!r}, '--exec', 'e', '--node', 'n0'])\n"
        "import fcomp.runtime.textforms\n"
        f"bad = {FORBIDDEN!r}\n"
        "print([m for m in sys.modules if any(m == b or m.startswith(b + '.') for b in bad)])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_help_is_fast() -> None:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "fcomp.runtime", "--help"], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - began
    assert done.returncode == 0 and "array-size" in done.stdout
    assert elapsed < 2.0  # generous for loaded CI machines; measured about 0.1 s


def test_read_outputs_json_for_local_runners(runtime: Runtime) -> None:
    from fcomp.runtime.commands import read_outputs_json

    runtime.put_outputs("end-node", literal_map(o1=int_literal(2), o0=to_literal("a", str)))
    assert read_outputs_json(runtime.prefix, "run-1", "end-node") == {"o0": "a", "o1": 2}
