"""``fcomp build --check`` (clean, changed, missing, stale files), ``--prune``, ``--graph``,
progress, and building one launch plan at a time giving the same files as one build."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cli_support import FakeTerminal, example, example_packages, run

from fcomp.cli.build import TARGETS, build_files
from fcomp.cli.plans import build_by_plan
from fcomp.cli.progress import Progress
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths


def _args(out: Path, *more: str) -> list[str]:
    return ["build", "--target", "argo", str(example("branches")), "-o", str(out), *more]


@pytest.fixture
def built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A folder holding a fresh Argo build of the branches example."""
    out = tmp_path / "argo"
    code, _, _ = run(_args(out), capsys)
    assert code == 0 and len(list(out.glob("*.yaml"))) == 6
    return out


def test_check_clean(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (built / ".gitkeep").write_text("")
    (built / "__pycache__").mkdir()
    (built / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\x00\xff")
    before = {p: p.stat().st_mtime_ns for p in built.rglob("*")}
    code, out, err = run(_args(built, "--check"), capsys)
    assert (code, out, err) == (0, "", "")
    assert {p: p.stat().st_mtime_ns for p in built.rglob("*")} == before


def test_check_changed_file(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = sorted(built.glob("*.yaml"))[0]
    original = target.read_text()
    target.write_text(original.replace("kind: WorkflowTemplate", "kind: Workflow", 1))
    code, out, _ = run(_args(built, "--check"), capsys)
    assert code == 1
    assert f"--- a/{target.name}\n+++ b/{target.name}\n" in out
    assert "-kind: Workflow\n+kind: WorkflowTemplate\n" in out
    assert target.read_text() != original  # nothing written


def test_check_missing_file(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gone = sorted(built.glob("*.yaml"))[-1]
    gone.unlink()
    code, out, _ = run(_args(built, "--check"), capsys)
    assert code == 1
    assert f"--- /dev/null\n+++ b/{gone.name}\n" in out
    assert "+apiVersion: argoproj.io/v1alpha1" in out
    assert not gone.exists()


def test_check_stale_files(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (built / "old-workflow.yaml").write_text("apiVersion: v1\nkind: Old\n")
    (built / "sub").mkdir()
    (built / "sub" / "empty.yaml").write_text("")
    code, out, _ = run(_args(built, "--check"), capsys)
    assert code == 1
    assert "--- a/old-workflow.yaml\n+++ /dev/null\n" in out and "-kind: Old\n" in out
    assert "--- a/sub/empty.yaml\n+++ /dev/null\n" in out


def test_check_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(_args(tmp_path / "nowhere", "--check"), capsys)
    assert code == 1 and out.count("--- /dev/null\n") == 6
    assert not (tmp_path / "nowhere").exists()


def test_prune_removes_stale_files_only(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (built / "old.yaml").write_text("x: 1\n")
    (built / ".keep").write_text("")
    code, _, err = run(_args(built, "--prune"), capsys)
    assert code == 0 and "removed old.yaml" in err
    assert not (built / "old.yaml").exists() and (built / ".keep").exists()
    assert run(_args(built, "--check"), capsys)[0] == 0


def test_written_files_are_readable_by_others(built: Path) -> None:
    for path in built.glob("*.yaml"):
        assert path.stat().st_mode & 0o044 == 0o044


def test_graph_beside_each_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "argo"
    code, _, _ = run(_args(out, "--graph", "mermaid"), capsys)
    assert code == 0
    docs = sorted(p.stem for p in out.glob("*.yaml"))
    assert sorted(p.stem for p in out.glob("*.mmd")) == docs
    text = (out / "fcomp-examples-branches-offset-wf.mmd").read_text()
    assert 'title: "fcomp_examples.branches.offset_wf"' in text
    assert run(_args(out, "--graph", "mermaid", "--check"), capsys)[0] == 0
    code, diff, _ = run(_args(out, "--check"), capsys)  # pictures are stale without --graph
    assert code == 1 and "+++ /dev/null" in diff


@pytest.mark.parametrize("target", TARGETS)
def test_plan_by_plan_build_equals_one_build(target: str) -> None:
    """``--graph`` and progress build one launch plan at a time: same files, same order of
    diagnostics' codes."""
    config = Config(airflow_flavour="local")
    for package in example_packages():
        compilation = compile_paths([package])
        if not compilation.ok:
            continue
        whole, diags = build_files(compilation, target, config, (), "template")
        quiet = Progress(io.StringIO(), active=False, live=False)
        parts = build_by_plan(
            compilation,
            (),
            lambda names, c=compilation: build_files(c, target, config, names, "template"),
            quiet,
        )
        assert parts.files == whole, package.name
        assert sorted(d.code for d in parts.diagnostics) == sorted(d.code for d in diags)
        assert set(parts.workflow_of) == set(whole)


def test_progress_on_a_terminal_redraws_one_line() -> None:
    stream = FakeTerminal()
    progress = Progress.open(None, stream)
    assert progress.active and progress.live
    progress.phase("reading")
    for i in range(1, 4):
        progress.step(i, 3, f"plan{i}")
    progress.done()
    text = stream.getvalue()
    assert "\n" not in text
    assert "\r\x1b[Kfcomp: reading…" in text and "[3/3] plan3" in text
    assert text.endswith("\r\x1b[K")


def test_progress_is_silent_off_a_terminal_unless_forced() -> None:
    quiet = io.StringIO()
    progress = Progress.open(None, quiet)
    progress.phase("reading")
    progress.step(1, 1, "plan")
    progress.done()
    assert quiet.getvalue() == ""
    forced = io.StringIO()
    progress = Progress.open(True, forced)
    progress.step(1, 2, "a")
    progress.step(2, 2, "b")
    progress.done()
    assert forced.getvalue() == "fcomp: [1/2] a\nfcomp: [2/2] b\n"


def test_build_progress_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(_args(tmp_path / "o", "--progress"), capsys)
    assert code == 0
    lines = err.splitlines()
    assert lines[0].startswith("fcomp: reading and checking 1 input")
    assert lines[-1].startswith("fcomp: [6/6] ")
    code, _, err = run(_args(tmp_path / "o2", "--no-progress"), capsys)
    assert code == 0 and err == ""


def test_several_dag_modules_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["build", "--target", "airflow", str(example("chain")), "-o", "-"]
    code, out, _ = run([*args, "--set", "airflow_flavour=local"], capsys)
    assert code == 0
    headers = [line for line in out.splitlines() if line.startswith("# ==> ")]
    assert headers == [
        "# ==> fcomp_examples_chain_chain_wf.py <==",
        "# ==> fcomp_examples_chain_explicit_order_wf.py <==",
    ]
