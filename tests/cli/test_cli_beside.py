"""``fcomp build`` on a large input runs the coverage walk in a child process beside the
compile and the build: the files, the diagnostics and the exit code are the same as when the
build does the walk itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import run

from fcomp.cli import beside
from fcomp.cli import build as build_command
from tests.robustness.robust_support import Package


@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_build_reports_the_same_with_the_walk_in_a_child(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package = Package.load("chain").copy()
    package.task("add_one").metadata.pod_template_name = "gpu-pods"  # a coverage warning
    path = package.write(tmp_path / "pkg")
    forks: list[object] = []
    start = beside.Beside._start
    monkeypatch.setattr(beside.Beside, "_start", lambda self: forks.append(self) or start(self))
    results = []
    for threshold in (10**12, 0):  # the walk here, then in a child
        monkeypatch.setattr(build_command, "BESIDE_INPUT_BYTES", threshold)
        out = tmp_path / f"out-{threshold}"
        code, _, err = run(["build", "--target", target, "-o", str(out), str(path)], capsys)
        results.append((code, err, {p.name: p.read_text() for p in sorted(out.iterdir())}))
    assert len(forks) == 1
    assert results[0] == results[1]
    assert results[0][0] == 0 and "metadata.pod_template_name" in results[0][1]


def test_a_failed_compile_stops_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package = Package.load("chain").copy()
    package.workflow("chain_wf").nodes[1].id = package.workflow("chain_wf").nodes[0].id
    path = package.write(tmp_path / "pkg")
    cancelled: list[object] = []
    cancel = beside.Beside.cancel
    monkeypatch.setattr(
        beside.Beside, "cancel", lambda self: cancelled.append(self) or cancel(self)
    )
    monkeypatch.setattr(build_command, "BESIDE_INPUT_BYTES", 0)
    code, _, err = run(["build", "--target", "argo", "-o", str(tmp_path / "o"), str(path)], capsys)
    assert code == 1 and "error" in err
    assert len(cancelled) == 1 and not cancelled[0]._pid
    assert not (tmp_path / "o").exists()
