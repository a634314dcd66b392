"""Atomic output: ``fcomp build`` writes nothing when any error is found, and a build whose
writing fails (a rename failing between two files, a folder where a file goes) leaves the
previous output as it was and no temporary file behind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from robust_support import Package, example

from fcomp.cli import files as files_module
from fcomp.cli.main import main


def _fcomp(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(args)
    code = exited.value.code
    assert isinstance(code, int)
    return code


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _broken(tmp_path: Path) -> Path:
    """The chain example with one node naming a task that does not exist."""
    package = Package.load("chain").copy()
    node = package.workflow("chain_wf").nodes[0]
    node.task_node.reference_id.name = "no.such.task"
    return package.write(tmp_path / "broken")


@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_build_with_errors_writes_nothing(tmp_path: Path, target: str) -> None:
    out = tmp_path / "out"
    code = _fcomp(["build", "--target", target, str(_broken(tmp_path)), "-o", str(out)])
    assert code == 1
    assert not out.exists()


@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_build_with_errors_leaves_a_previous_output_untouched(tmp_path: Path, target: str) -> None:
    out = tmp_path / "out"
    assert _fcomp(["build", "--target", target, str(example("chain")), "-o", str(out)]) == 0
    before = _snapshot(out)
    assert before
    # Errors in one of two inputs: nothing of the good one is written either.
    args = ["build", "--target", target, str(example("chain")), str(_broken(tmp_path))]
    assert _fcomp([*args, "-o", str(out), "--set", "namespace=other"]) == 1
    assert _snapshot(out) == before


def test_interrupted_build_leaves_whole_documents_and_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    args = ["build", "--target", "argo", str(example("chain")), "-o", str(out)]
    assert _fcomp([*args, "--set", "namespace=old"]) == 0
    old = _snapshot(out)
    assert len(old) >= 2  # several files, so the failure falls between two of them
    real_replace = os.replace
    calls: list[str] = []

    def fail_second(source: str, destination: str) -> None:
        calls.append(str(destination))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(source, destination)

    monkeypatch.setattr(files_module.os, "replace", fail_second)
    assert _fcomp([*args, "--set", "namespace=new"]) == 1  # a plain error, not a bug
    monkeypatch.undo()
    now = _snapshot(out)
    assert sorted(now) == sorted(old)  # no temporary file left, nothing else written
    assert now == old  # the file moved before the failure was put back
    assert calls[0] == calls[2]  # (by a third rename: its backup back into place)
    for data in now.values():
        docs = list(yaml.safe_load_all(data.decode()))
        assert {d["metadata"].get("namespace") for d in docs} == {"old"}
    # Running again completes the build.
    assert _fcomp([*args, "--set", "namespace=new"]) == 0
    assert all(b"namespace: new" in data for data in _snapshot(out).values())


def test_interrupted_write_of_one_file_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "doc.yaml"
    target.write_text("old: whole\n")

    def die(source: str, destination: str) -> None:
        raise KeyboardInterrupt  # killed between writing the temporary file and the rename

    monkeypatch.setattr(files_module.os, "replace", die)
    with pytest.raises(KeyboardInterrupt):
        files_module.write_files(tmp_path, {"doc.yaml": "new: whole\n" * 1000})
    assert target.read_text() == "old: whole\n"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.yaml"]


def test_disk_full_is_a_plain_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The disk fills while the files are written: exit 1 with the file and the reason, the
    previous output untouched and no temporary file left."""
    out = tmp_path / "out"
    args = ["build", "--target", "argo", str(example("chain")), "-o", str(out)]
    assert _fcomp(args) == 0
    before = _snapshot(out)
    real_fdopen = os.fdopen
    opened: list[int] = []

    class Full:
        def __init__(self, fd: int) -> None:
            self.file = real_fdopen(fd, "wb")

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            opened.append(len(data))
            if len(opened) == 2:
                raise OSError(28, "No space left on device")
            return self.file.write(data)

    monkeypatch.setattr(files_module.os, "fdopen", lambda fd, mode: Full(fd))
    capsys.readouterr()
    assert _fcomp([*args, "--set", "namespace=new"]) == 1
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert "No space left on device" in err and str(out) in err
    assert "internal error" not in err and "Traceback" not in err
    assert _snapshot(out) == before


@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_a_folder_where_a_file_goes_leaves_the_output_as_it_was(
    tmp_path: Path, target: str
) -> None:
    """One of two files cannot be written (a folder has its name): the other is not written
    either, and the output folder made for the build is removed again."""
    out = tmp_path / "out"
    args = ["build", "--target", target, str(example("chain")), "-o", str(out)]
    assert _fcomp(args) == 0
    names = sorted(_snapshot(out))
    assert len(names) >= 2
    for fresh in (False, True):
        folder = tmp_path / f"again-{fresh}" / "out"
        if not fresh:
            folder.mkdir(parents=True)
        (folder / names[-1]).mkdir(parents=True)  # the last file's name, taken by a folder
        assert _fcomp([*args[:-1], str(folder)]) == 1
        assert sorted(p.name for p in folder.iterdir()) == [names[-1]]
        assert list((folder / names[-1]).iterdir()) == []


def test_a_failed_write_restores_every_replaced_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(f"old: {name}\n")
    real_replace = os.replace
    moves: list[str] = []

    def fail_on_c(source: str, destination: str) -> None:
        moves.append(os.path.basename(destination))
        if str(destination).endswith("c.yaml"):
            raise OSError(13, "Permission denied")
        real_replace(source, destination)

    monkeypatch.setattr(files_module.os, "replace", fail_on_c)
    texts = {"a.yaml": "new: a\n", "b.yaml": "new: b\n", "c.yaml": "new: c\n"}
    with pytest.raises(files_module.WriteError, match="c.yaml: Permission denied"):
        files_module.write_files(tmp_path, texts)
    assert moves[:3] == ["a.yaml", "b.yaml", "c.yaml"]  # a and b were moved, then put back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]
    assert (tmp_path / "a.yaml").read_text() == "old: a.yaml\n"
    assert (tmp_path / "b.yaml").read_text() == "old: b.yaml\n"


def test_closure_json_cannot_hold_a_value_is_a_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value protobuf JSON cannot hold (a ``Timestamp`` past year 9999 in a literal):
    ``fcomp compile`` reports it on the workflow (exit 1, no traceback) and writes nothing."""
    from flyteidl.core import compiler_pb2

    from fcomp.compiler.frontend import closures
    from fcomp.idl.closure import ClosureJsonError, closure_json

    real = closures.build_closures

    def with_far_date(compilation: Any) -> dict[str, Any]:
        out = real(compilation)
        for closure in out.values():
            node = closure.primary.template.nodes[0]
            node.inputs.add(var="when").binding.scalar.primitive.datetime.seconds = 2**62
        return out

    bad = compiler_pb2.CompiledWorkflowClosure()
    bad.primary.template.nodes.add().inputs.add().binding.scalar.primitive.datetime.seconds = 2**62
    with pytest.raises(ClosureJsonError, match="Timestamp is not valid"):
        closure_json(bad)
    monkeypatch.setattr(closures, "build_closures", with_far_date)
    out = tmp_path / "closures"
    assert _fcomp(["compile", str(example("chain")), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "[InvalidValue]" in err and "cannot be written as a Flyte closure" in err
    assert "Traceback" not in err
    assert not out.exists()
