"""Bad input never raises: each problem is one error diagnostic naming the file."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import task_pb2

from fcomp.compiler.diagnostics import Severity
from fcomp.idl.limits import Limits
from fcomp.idl.load import load_paths
from fcomp.idl.model import LoadResult


def one_error(result: LoadResult, file: Path | str, *fragments: str, code: str = "LoadError"):
    assert result.entities == []
    [diagnostic] = result.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.code == code
    assert diagnostic.source.file == str(file)
    for fragment in fragments:
        assert fragment in diagnostic.message, diagnostic.message
    return diagnostic


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def test_missing_path(tmp_path: Path):
    one_error(load_paths([tmp_path / "nope.tgz"]), tmp_path / "nope.tgz", "no such file")


def test_folder_without_entities(tmp_path: Path):
    (tmp_path / "README.md").write_text("hi")
    (tmp_path / "sub").mkdir()
    one_error(load_paths([tmp_path]), tmp_path, "no Flyte entities found")


def test_archive_without_entities(tmp_path: Path):
    path = tmp_path / "empty.tgz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("README")
        archive.addfile(info, io.BytesIO(b""))
    one_error(load_paths([path]), path, "no Flyte entities found")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "t_1.pb"
    path.write_bytes(b"x")

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("fcomp.idl.files.open", denied, raising=False)
    one_error(load_paths([path]), path, "permission denied")


@pytest.mark.parametrize("name", ["t_1.pb", "x.pb", "x.json", "x.yaml"])
def test_empty_file(tmp_path: Path, name: str):
    (tmp_path / name).write_bytes(b"")
    one_error(load_paths([tmp_path / name]), tmp_path / name, "empty")


def test_yaml_without_documents(tmp_path: Path):
    (tmp_path / "x.yaml").write_text("# nothing here\n---\n")
    one_error(load_paths([tmp_path / "x.yaml"]), tmp_path / "x.yaml", "no document")


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("bad.json", '{"template": ', "invalid JSON"),
        ("bad.json", b"\xff\xfe\x00garbage", "invalid JSON"),
        ("bad.json", "[" * 100_000 + "]" * 100_000, "invalid JSON"),
        ("bad.yaml", "a: [1, 2\nb: }", "invalid YAML"),
        ("bad.yaml", "!!python/object/apply:os.system ['echo hi']", "invalid YAML"),
        ("bad.yaml", "[" * 100_000, "invalid YAML"),
    ],
)
def test_invalid_json_and_yaml(tmp_path: Path, name: str, text: str | bytes, fragment: str):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    one_error(load_paths([path]), path, fragment)


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    one_error(load_paths([path]), path, "aliases")
    assert time.perf_counter() - start < 2


def test_yaml_aliases_to_strings_are_refused(tmp_path: Path):
    """A long anchored string repeated by aliases multiplies as a list of aliases does."""
    path = tmp_path / "strings.yaml"
    path.write_text("a: &s " + "x" * 1000 + "\nb: [" + ", ".join(["*s"] * 1000) + "]\n")
    one_error(load_paths([path]), path, "aliases")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("task.json", '{"template": {"id": {"name": "a", "name": "b"}}}'),
        ("task.yaml", "template:\n  id:\n    name: a\n    'name': b\n"),
    ],
)
def test_a_key_given_twice_is_refused(tmp_path: Path, name: str, text: str):
    """protobuf's JSON reader (and flytectl) refuse it; neither value is dropped silently."""
    path = tmp_path / name
    path.write_text(text)
    one_error(load_paths([path]), path, "given twice")


def test_recursive_yaml_alias_is_refused(tmp_path: Path):
    path = tmp_path / "loop.yaml"
    path.write_text("&x [*x]\n")
    one_error(load_paths([path]), path, "aliases")


def test_yaml_over_the_size_limit_is_refused_before_parsing(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_text("template: {}\n" + "#" * 5000 + "\n")
    one_error(load_paths([path], Limits(max_file_bytes=1000)), path, "over the limit of 1000")


def test_binary_over_the_size_limit(tmp_path: Path):
    path = tmp_path / "big_1.pb"
    path.write_bytes(bytes(2000))
    one_error(load_paths([path], Limits(max_file_bytes=1000)), path, "over the limit of 1000")


def test_decode_error_with_suffix(tmp_path: Path):
    path = tmp_path / "0_t_1.pb"
    path.write_bytes(b"\xff\xff\xff\xff\xff\xff")
    one_error(load_paths([path]), path, "as TaskSpec", "suffix", "Error parsing message")


def test_decode_error_without_suffix(tmp_path: Path):
    path = tmp_path / "t.pb"
    path.write_bytes(b"\xff\xff\xff\xff\xff\xff")
    one_error(load_paths([path]), path, "not a Flyte entity", "Error parsing message")


def test_deeply_nested_protobuf(tmp_path: Path):
    """A Struct nested far deeper than protobuf's recursion limit, inside a TaskSpec."""
    value = b"\x08\x00"  # Value{null_value}
    for _ in range(2000):
        value = _field(6, _field(1, value))  # Value{list_value: ListValue{values: [value]}}
    entry = _field(1, b"k") + _field(2, value)
    template = _field(2, b"python-task") + _field(5, _field(1, entry))  # type, custom
    path = tmp_path / "deep_1.pb"
    path.write_bytes(_field(1, template))
    one_error(load_paths([path]), path, "Error parsing message")


def test_deeply_nested_json_message(tmp_path: Path):
    value: Any = None
    for _ in range(500):
        value = [value]
    obj = {"template": {"id": {"name": "t"}, "type": "python-task", "custom": {"k": value}}}
    path = tmp_path / "deep.json"
    path.write_text(__import__("json").dumps(obj))
    one_error(load_paths([path]), path, "too deep")


def test_json_that_is_no_known_message(tmp_path: Path):
    path = tmp_path / "x.json"
    path.write_text('{"apiVersion": "v1", "kind": "Pod"}')
    one_error(load_paths([path]), path, "keys {apiVersion, kind}", "TaskSpec")


def test_bad_items_in_an_array_are_reported_and_the_rest_loaded(samples: Any, tmp_path: Path):
    from google.protobuf import json_format

    spec = task_pb2.TaskSpec.FromString(samples.task_spec.read_bytes())
    good = json_format.MessageToJson(spec)
    path = tmp_path / "list.json"
    path.write_text(f'[{good}, {{"foo": 1}}, 3, {good}]')

    result = load_paths([path])

    assert len(result.entities) == 2
    assert [(d.source.file, d.message.split(":")[0]) for d in result.diagnostics] == [
        (str(path), "item 1"),
        (str(path), "item 2"),
    ]


def test_unsupported_file_type(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    one_error(load_paths([path]), path, "unsupported file type", ".tgz", ".json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe_1.pb"
    os.mkfifo(fifo)
    one_error(load_paths([fifo]), fifo, "not a regular file")
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / "pipe_1.pb")
    one_error(load_paths([folder]), folder, "no Flyte entities found")


def test_one_bad_file_does_not_stop_the_others(samples: Any, tmp_path: Path):
    shutil.copy(samples.task_spec, tmp_path / "a_1.pb")
    (tmp_path / "b.json").write_text("{nope")
    shutil.copy(samples.launch_plan, tmp_path / "c_3.pb")

    result = load_paths([tmp_path, tmp_path / "missing.pb"])

    assert [os.path.basename(e.source.file) for e in result.entities] == ["a_1.pb", "c_3.pb"]
    assert [(d.code, os.path.basename(d.source.file)) for d in result.diagnostics] == [
        ("LoadError", "b.json"),
        ("LoadError", "missing.pb"),
    ]


def test_a_loader_bug_is_an_internal_error_not_a_traceback(
    samples: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copy(samples.task_spec, tmp_path / "a_1.pb")
    shutil.copy(samples.launch_plan, tmp_path / "b_3.pb")

    monkeypatch.setattr("fcomp.idl.load.decode_file", _fail_on("a_1.pb"))

    result = load_paths([tmp_path])

    assert [e.kind.value for e in result.entities] == ["launch_plan"]
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "InternalError"
    assert diagnostic.source.file.endswith("a_1.pb")
    assert "RuntimeError: boom" in diagnostic.message


def _fail_on(name: str) -> Any:
    from fcomp.idl.decode import decode_file

    def decode(file_name: str, *args: Any) -> None:
        if file_name == name:
            raise RuntimeError("boom")
        decode_file(file_name, *args)

    return decode
