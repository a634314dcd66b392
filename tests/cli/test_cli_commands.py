"""Every ``fcomp`` command from the console entry point: help with examples, exit codes 0-3,
usage errors without tracebacks, ``-o -`` to stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cli_support import example, run

from fcomp.cli import commands
from fcomp.cli.main import EXIT_DIAGNOSTICS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, cli

COMMANDS = sorted(cli.commands)


def test_the_expected_commands_exist() -> None:
    assert {"build", "compile", "explain", "graph", "inspect", "validate", "version"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_examples(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([name, "--help"], capsys)
    assert code == EXIT_OK
    assert "Example" in out, f"`fcomp {name} --help` shows no example"
    assert f"fcomp {name}" in out


def test_top_level_help_lists_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == EXIT_OK
    assert "Exit codes: 0 ok, 1" in out and "3 internal error" in out


@pytest.mark.parametrize(
    "args",
    [
        [],  # no command
        ["no-such-command"],
        ["--no-such-option"],
        ["build", "--target", "argo", "-o", "out"],  # no input
        ["build", "x.tgz", "-o", "out"],  # --target missing
        ["build", "--target", "kubeflow", "x.tgz", "-o", "out"],  # bad choice
        ["build", "--target", "argo", "x.tgz", "-o", "-", "--check"],  # --check needs a folder
        ["build", "--target", "argo", "x.tgz", "-o", "out", "--set", "novalue"],
        ["graph"],
        ["graph", "x.tgz", "--format", "gif"],
        ["inspect"],
        ["inspect", "x.tgz", "--format", "yaml"],
        ["compile", "x.pb"],
        ["explain"],
        ["explain", "NoSuchCode"],
        ["version", "--format", "xml"],
        ["validate", "--bogus", "x.pb"],
    ],
    ids=lambda a: " ".join(a) or "(none)",
)
def test_usage_errors_exit_2_without_traceback(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(args, capsys)
    assert code == EXIT_USAGE
    assert "Traceback" not in err
    assert err.strip()


def test_internal_errors_exit_3_and_say_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(paths: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(commands, "compile_paths", broken)
    code, _, err = run(["validate", "x.pb"], capsys)
    assert code == EXIT_INTERNAL
    assert "internal error" in err and "bug in fcomp" in err and "boom" in err


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate", str(example("chain"))], capsys)
    assert code == EXIT_OK and err.startswith("ok: ")
    missing = tmp_path / "missing.pb"
    code, _, err = run(["validate", str(missing)], capsys)
    assert code == EXIT_DIAGNOSTICS and "[LoadError]" in err


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "mismatchingtypes"], capsys)
    assert code == EXIT_OK
    assert out.startswith("MismatchingTypes (flyte)") and "How to fix:" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["version"], capsys)
    assert code == EXIT_OK and out.startswith("fcomp:")
    code, out, _ = run(["version", "--format", "json"], capsys)
    found = json.loads(out)
    assert code == EXIT_OK
    assert set(found) == {"fcomp", "python", "flyteidl", "runtime_image", "graphviz"}
    code, out, _ = run(["--version"], capsys)
    assert code == EXIT_OK and found["fcomp"] in out


def test_inspect_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", str(example("launch_plans"))], capsys)
    assert code == EXIT_OK
    sections = out.split("\n\n")
    assert [s.splitlines()[0].split(" (")[0] for s in sections] == [
        "TASKS",
        "WORKFLOWS",
        "LAUNCH PLANS",
    ]
    assert sections[0].splitlines()[1].split() == ["NAME", "TYPE", "IMAGE"]
    assert "python-task" in sections[0] and "ghcr.io/" in sections[0]
    assert "NODES" in sections[1] and "ALL NODES" in sections[1]
    plans = sections[2]
    assert "0 6 * * *" in plans and "every 10 MINUTE" in plans
    assert "(fixed)" in plans and "(required)" in plans


def test_inspect_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", "--format", "json", str(example("launch_plans"))], capsys)
    assert code == EXIT_OK
    doc = json.loads(out)
    assert set(doc) == {"tasks", "workflows", "launch_plans"}
    assert {t["type"] for t in doc["tasks"]} == {"python-task"}
    assert all(w["nodes"] >= 1 and w["registered"] for w in doc["workflows"])
    daily = next(lp for lp in doc["launch_plans"] if lp["name"] == "greet_daily")
    assert daily["schedule"] == "0 6 * * *"
    fixed = [i for i in daily["inputs"] if i["fixed"]]
    assert fixed and all({"name", "type", "required", "default"} <= set(i) for i in fixed)


def test_inspect_counts_nested_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", "--format", "json", str(example("branches"))], capsys)
    assert code == EXIT_OK
    nested = next(
        w for w in json.loads(out)["workflows"] if w["name"].endswith(".nested_branch_wf")
    )
    assert nested["nodes"] == 1 and nested["all_nodes"] > 1


def test_inspect_reads_inputs_validate_rejects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "junk.pb"
    bad.write_bytes(b"\x00\x01")
    code, out, err = run(["inspect", str(example("chain")), str(bad)], capsys)
    assert code == EXIT_DIAGNOSTICS
    assert "[LoadError]" in err and "fcomp_examples.chain.chain_wf" in out


def test_compile_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["compile", str(example("chain")), "-o", "-"], capsys)
    assert code == EXIT_OK
    decoder = json.JSONDecoder()
    docs, pos = [], 0
    while pos < len(out.rstrip()):
        doc, pos = decoder.raw_decode(out, pos)
        docs.append(doc)
        while pos < len(out) and out[pos].isspace():
            pos += 1
    assert len(docs) == 2 and all("primary" in d for d in docs)


def test_build_to_stdout_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = str(example("chain"))
    code, out, _ = run(["build", "--target", "argo", package, "-o", "-"], capsys)
    assert code == EXIT_OK and out.startswith("apiVersion: argoproj.io/")
    code, _, _ = run(["build", "--target", "argo", package, "-o", str(tmp_path)], capsys)
    assert code == EXIT_OK
    written = [p.read_text() for p in sorted(tmp_path.iterdir())]
    assert len(written) == 2
    assert out == "---\n".join(written)  # one multi-document YAML stream
    assert [d["kind"] for d in yaml.safe_load_all(out)] == ["WorkflowTemplate"] * 2


def test_build_with_errors_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    args = ["build", "--target", "argo", str(example("chain")), "-o", str(out_dir)]
    code, _, err = run([*args, "--launch-plan", "no.such.plan"], capsys)
    assert code == EXIT_DIAGNOSTICS and "[UnknownEntity]" in err
    assert not out_dir.exists()
    code, _, err = run([*args, "--set", "no_such_setting=1"], capsys)
    assert code == EXIT_DIAGNOSTICS and "[ConfigError]" in err
    assert not out_dir.exists()
