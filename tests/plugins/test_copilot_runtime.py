"""The runtime side of raw containers (Flyte's copilot) and the echo plugin: inputs written as
files, ``{{.inputs.x}}`` rendered as Flyte renders it, output files read back, ``_ERROR``."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pytest
from flyteidl.core import errors_pb2, literals_pb2, tasks_pb2, types_pb2
from plugin_support import interface, literal_map

from fcomp.runtime import copilot
from fcomp.runtime.errors import StepError


def _ns(**kw: object) -> argparse.Namespace:
    return argparse.Namespace(**kw)


def test_go_number_and_duration_forms() -> None:
    assert [copilot.go_float(v) for v in (3.0, 2.5, 1e6, 1e-5, 123456.0)] == [
        "3",
        "2.5",
        "1e+06",
        "1e-05",
        "123456",
    ]
    assert copilot.go_float_f(1e-5) == "0.00001"
    assert copilot.go_duration(90, 0) == "1m30s"
    assert copilot.go_duration(0, 150_000_000) == "150ms"


def test_download_writes_files_and_renders_command(tmp_path: Path) -> None:
    inputs = literal_map(a=2, b=3.0, s="x y", t=True)
    (tmp_path / "inputs.pb").write_bytes(inputs.SerializeToString())
    out = tmp_path / "in"
    script = tmp_path / "cmd" / "command.sh"
    copilot.download(
        _ns(
            inputs=str(tmp_path / "inputs.pb"),
            dir=str(out),
            format="JSON",
            command_file=str(script),
            argv=["sh", "-c", "echo $(( {{.inputs.a}} + 1 )) {{ .Inputs.b }} '{{.inputs.s}}'"],
        )
    )
    assert (out / "a").read_text() == "2"
    assert (out / "b").read_text() == "3"
    assert (out / "s").read_text() == "x y"
    assert (out / "t").read_text() == "true"
    assert json.loads((out / "inputs.json").read_text()) == {"a": 2, "b": 3, "s": "x y", "t": True}
    assert literals_pb2.LiteralMap.FromString((out / "inputs.pb").read_bytes()) == inputs
    result = subprocess.run(["sh", str(script)], capture_output=True, text=True, check=True)
    assert result.stdout == "3 3 x y\n"


def test_render_missing_input_fails() -> None:
    with pytest.raises(StepError, match="requested input is not found"):
        copilot.render_command(["{{.inputs.nope}}"], literal_map(a=1))


def _template(tmp_path: Path, **outputs: int) -> Path:
    t = tasks_pb2.TaskTemplate()
    t.interface.CopyFrom(interface(**outputs))
    path = tmp_path / "task.pb"
    path.write_bytes(t.SerializeToString())
    return path


def test_upload_reads_output_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "c").write_text("5\n")
    (out / "name").write_text("  hello\n")
    (out / "f").write_text("blob data")
    t = tasks_pb2.TaskTemplate()
    t.interface.CopyFrom(interface(c=types_pb2.INTEGER, name=types_pb2.STRING))
    t.interface.outputs.variables["f"].type.blob.dimensionality = types_pb2.BlobType.SINGLE
    (tmp_path / "task.pb").write_bytes(t.SerializeToString())
    copilot.upload(
        _ns(
            dir=str(out),
            output_prefix=str(tmp_path / "data" / "0"),
            raw_output_prefix=str(tmp_path / "raw"),
            task_template=str(tmp_path / "task.pb"),
        )
    )
    got = literals_pb2.LiteralMap.FromString((tmp_path / "data" / "0" / "outputs.pb").read_bytes())
    assert got.literals["c"].scalar.primitive.integer == 5
    assert got.literals["name"].scalar.primitive.string_value == "hello"
    assert got.literals["f"].scalar.blob.uri == str(tmp_path / "raw" / "f")
    assert (tmp_path / "raw" / "f").read_text() == "blob data"


def test_upload_error_file_fails_with_error_document(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "_ERROR").write_text("boom")
    with pytest.raises(StepError, match="User Error: boom"):
        copilot.upload(
            _ns(
                dir=str(out),
                output_prefix=str(tmp_path / "data"),
                raw_output_prefix=str(tmp_path / "raw"),
                task_template=str(_template(tmp_path, c=types_pb2.INTEGER)),
            )
        )
    doc = errors_pb2.ErrorDocument.FromString((tmp_path / "data" / "error.pb").read_bytes())
    assert doc.error.message == "User Error: boom"


def test_echo_copies_inputs(tmp_path: Path) -> None:
    inputs = literal_map(x=1)
    (tmp_path / "inputs.pb").write_bytes(inputs.SerializeToString())
    copilot.echo(_ns(inputs=str(tmp_path / "inputs.pb"), output_prefix=str(tmp_path / "0")))
    assert (
        literals_pb2.LiteralMap.FromString((tmp_path / "0" / "outputs.pb").read_bytes()) == inputs
    )
