"""Atomic output: ``fcomp build`` writes nothing when any error is found, and an interrupted
build (a rename failing between two files) leaves every document whole, old or new, and no
temporary file behind."""

from __future__ import annotations

import os
from pathlib import Path

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
    replaced = [name for name in now if now[name] != old[name]]
    assert len(replaced) == 1  # the first rename happened, the others did not
    for name, data in now.items():
        docs = list(yaml.safe_load_all(data.decode()))
        namespaces = {d["metadata"].get("namespace") for d in docs}
        assert namespaces == ({"new"} if name in replaced else {"old"}), name
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
