"""Runtime faults: missing or corrupt upstream outputs, a runtime step killed in the middle of
a write, storage permission errors, workflow parameters that do not parse as their Flyte type.
Each gives one clear error line naming the node (or input) and the path; a retried step writes
identical bytes; no half-written literal is ever visible."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2

from fcomp.runtime import storage as storage_module
from fcomp.runtime.codec import serialize, to_b64
from fcomp.runtime.errors import OutputsMissingError
from tests.runtime.runtime_helpers import EXEC, Runtime

PLAN = json.dumps({"x": {"promise": {"node": "n0", "var": "o0"}}})
INTEGER = types_pb2.LiteralType(simple=types_pb2.INTEGER)


def _int(value: int) -> Any:
    literal = literals_pb2.Literal()
    literal.scalar.primitive.integer = value
    return literal


def _outputs(**values: int) -> Any:
    result = literals_pb2.LiteralMap()
    for name, value in values.items():
        result.literals[name].CopyFrom(_int(value))
    return result


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return Runtime(str(tmp_path / "store"))


def _fails_clearly(ran: Any, *fragments: str) -> None:
    assert ran.status == 1, ran
    assert "Traceback" not in ran.err
    lines = [line for line in ran.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fcomp-runtime "), ran.err
    for fragment in fragments:
        assert fragment in ran.err, (fragment, ran.err)


#: Every command that reads an upstream node's outputs, with its own arguments.
READERS = {
    "bind": ["--node", "n1", "--plan", PLAN],
    "branch": ["--node", "n1", "--plan", PLAN, "--cases", json.dumps([{"else": True}])],
    "array-size": ["--node", "n1", "--plan", PLAN, "--inputs", json.dumps(["x"])],
    "outputs": ["--plan", PLAN],
}


@pytest.mark.parametrize("command", sorted(READERS))
def test_missing_upstream_outputs_name_the_node_and_path(runtime: Runtime, command: str) -> None:
    ran = runtime(command, *READERS[command])
    _fails_clearly(ran, "node 'n0'", f"{runtime.prefix}/{EXEC}/n0/data/")


CORRUPTIONS = {
    "garbage": b"\xff\xff\xff not a protobuf",
    "truncated": serialize(_outputs(o0=123456789))[:-3],
    "wrong-message": serialize(types_pb2.LiteralType(simple=types_pb2.STRING))[:1] + b"\x80",
}


@pytest.mark.parametrize("command", sorted(READERS))
@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_corrupt_upstream_outputs_name_the_node_and_path(
    runtime: Runtime, command: str, corruption: str
) -> None:
    path = runtime.storage.attempt_path("n0", 0, "outputs.pb")
    runtime.storage.write(path, CORRUPTIONS[corruption], "n0")
    ran = runtime(command, *READERS[command])
    _fails_clearly(ran, "node 'n0'", path)


@pytest.mark.parametrize("command", sorted(READERS))
def test_upstream_outputs_without_the_variable_name_node_and_path(
    runtime: Runtime, command: str
) -> None:
    path = runtime.put_outputs("n0", _outputs(other=1))
    ran = runtime(command, *READERS[command])
    _fails_clearly(ran, "n0", "o0")
    assert path in ran.err or "n0/data" in ran.err


_KILLED_WRITER = """
import os, sys, time
from fcomp.runtime import storage
real_replace = os.replace
def stall(source, destination):
    open(sys.argv[1], "w").write(source)  # the temporary file is complete: tell the test
    time.sleep(600)                        # ... and be killed here, before the rename
storage.os.replace = stall
from fcomp.runtime.__main__ import main
main(sys.argv[2:])
"""


def test_step_killed_in_the_middle_of_a_write_exposes_nothing(
    runtime: Runtime, tmp_path: Path
) -> None:
    runtime.put_outputs("n0", _outputs(o0=7))
    marker = tmp_path / "stalled"
    args = ["outputs", "--prefix", runtime.prefix, "--exec", EXEC, "--plan", PLAN]
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(marker), *args])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() or not marker.read_text():
            assert proc.poll() is None, "the step ended before stalling"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    target = runtime.storage.attempt_path("end-node", 0, "outputs.pb")
    assert not os.path.exists(target)
    with pytest.raises(OutputsMissingError):
        runtime.storage.latest_outputs("end-node")
    # Readers see no outputs (the temporary file is hidden), never a partial literal.
    _fails_clearly(runtime("show", "--node", "end-node"), "end-node")
    # The retried step completes the write with the bytes an uninterrupted run gives.
    assert runtime("outputs", "--plan", PLAN).status == 0
    clean = Runtime(str(tmp_path / "clean"))
    clean.put_outputs("n0", _outputs(o0=7))
    assert clean("outputs", "--plan", PLAN).status == 0
    clean_target = clean.storage.attempt_path("end-node", 0, "outputs.pb")
    assert Path(target).read_bytes() == Path(clean_target).read_bytes()


@pytest.mark.parametrize("where", ["makedirs", "mkstemp", "replace"])
def test_storage_permission_error_on_write_names_node_and_path(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    runtime.put_outputs("n0", _outputs(o0=1))

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(args[0] if args else kwargs["dir"]))

    module = storage_module.tempfile if where == "mkstemp" else storage_module.os
    monkeypatch.setattr(module, where, refuse)
    ran = runtime("bind", "--node", "n1", "--plan", PLAN)
    _fails_clearly(ran, "node 'n1'", runtime.storage.inputs_path("n1"), "permission denied")


def test_storage_permission_error_on_listing_names_node_and_path(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime.put_outputs("n0", _outputs(o0=1))

    def refuse(self: Any, path: str) -> list[str]:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(storage_module.LocalBackend, "names", refuse)
    ran = runtime("bind", "--node", "n1", "--plan", PLAN)
    _fails_clearly(ran, "node 'n0'", f"{EXEC}/n0/data", "permission denied")


def _simple(kind: int) -> Any:
    return types_pb2.LiteralType(simple=kind)


def _enum(*values: str) -> Any:
    return types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=list(values)))


def _list(element: Any) -> Any:
    return types_pb2.LiteralType(collection_type=element)


def _map(value: Any) -> Any:
    return types_pb2.LiteralType(map_value_type=value)


#: (type, text that does not parse as it, the type's name as the error shows it)
UNPARSEABLE = {
    "integer": (_simple(types_pb2.INTEGER), "4.5", "Integer"),
    "integer-words": (_simple(types_pb2.INTEGER), "forty-two", "Integer"),
    "float": (_simple(types_pb2.FLOAT), "1,5", "Float"),
    "boolean": (_simple(types_pb2.BOOLEAN), "yes", "Boolean"),
    "datetime": (_simple(types_pb2.DATETIME), "31/01/2024", "Datetime"),
    "duration": (_simple(types_pb2.DURATION), "an hour", "Duration"),
    "enum": (_enum("red", "green"), "blue", ""),
    "list": (_list(_simple(types_pb2.INTEGER)), "[1, 'two']", ""),
    "list-of-ints": (_list(_simple(types_pb2.INTEGER)), '[1, "two"]', ""),
    "map": (_map(_simple(types_pb2.FLOAT)), '{"a": "x"}', ""),
    "map-not-object": (_map(_simple(types_pb2.FLOAT)), "[1.0]", ""),
}


@pytest.mark.parametrize("case", sorted(UNPARSEABLE))
def test_parameter_that_does_not_parse_names_input_type_and_text(
    runtime: Runtime, case: str
) -> None:
    literal_type, text, type_name = UNPARSEABLE[case]
    ran = runtime("start", "--type", f"p={to_b64(literal_type)}", "--param", f"p={text}")
    _fails_clearly(ran, "input 'p'", type_name)
    assert not os.path.exists(runtime.storage.attempt_path("start-node", 0, "outputs.pb"))


_START = """
import sys
from fcomp.runtime.__main__ import main
main(sys.argv[1:])
"""


def test_retried_steps_in_other_processes_give_identical_bytes(tmp_path: Path) -> None:
    """Maps are serialized in key order, whatever the process's hash seed."""
    map_type = to_b64(_map(_simple(types_pb2.INTEGER)))
    param = json.dumps({f"k{i}": i for i in range(50)})
    outputs: list[bytes] = []
    for seed in ("1", "2", "3"):
        prefix = str(tmp_path / f"store{seed}")
        args = ["start", "--prefix", prefix, "--exec", EXEC]
        args += ["--type", f"m={map_type}", "--param", f"m={param}"]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", _START, *args], env=env, check=True, timeout=120)
        plan = json.dumps({"m": {"promise": {"node": "start-node", "var": "m"}}})
        args = ["bind", "--prefix", prefix, "--exec", EXEC, "--node", "n0", "--plan", plan]
        subprocess.run([sys.executable, "-c", _START, *args], env=env, check=True, timeout=120)
        outputs.append(Path(prefix, EXEC, "n0", "data", "inputs.pb").read_bytes())
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]
