"""``fcomp validate``, ``fcomp compile --emit flyte-closure`` and ``fcomp explain`` from the
command line: exit codes, the diagnostic line format, the files written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flyteidl.admin import task_pb2
from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import compiler_pb2, literals_pb2
from google.protobuf import json_format

from fcomp.cli.main import EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, cli, main
from fcomp.compiler.codes import CODES
from fcomp.compiler.driver import compile_paths
from fcomp.compiler.frontend.closures import build_closures

SNACKS = Path("test/testdata/snacks-core")

#: ``file:entity:node: error: message [Code]`` (an optional ``(field ...)`` before the code).
ERROR_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<entity>[^:]+)(?::(?P<node>[^:]+))?: error: (?P<message>.+?)"
    r"(?: \(field (?P<field>[^)]*)\))? +\[(?P<code>\w+)\]$"
)


@pytest.fixture(scope="module")
def snacks(flyte_compiler_data: Path) -> Path:
    return flyte_compiler_data / SNACKS


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``fcomp ARGS`` through the console entry point: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


def _read_spec(path: Path) -> admin_workflow_pb2.WorkflowSpec:
    return admin_workflow_pb2.WorkflowSpec.FromString(path.read_bytes())


@pytest.fixture
def broken(snacks: Path, tmp_path: Path) -> tuple[Path, list[tuple[str, str, str, str]]]:
    """A copy of snacks-core with three independent mistakes, and the (file, entity, node,
    code) of each error they cause."""
    folder = tmp_path / "snacks-core"
    folder.mkdir()
    for path in snacks.glob("*.pb"):
        shutil.copy(path, folder / path.name)

    wf_file = folder / "085_core.flyte_basics.basic_workflow.my_wf_2.pb"
    spec = _read_spec(wf_file)
    n0, n1 = spec.template.nodes
    for b in n0.inputs:  # t1's int input gets a string
        b.binding.CopyFrom(
            literals_pb2.BindingData(
                scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="x"))
            )
        )
    n1.upstream_node_ids.append("nowhere")
    wf_file.write_bytes(spec.SerializeToString())

    task_file = folder / "164_core.type_system.enums.enum_stringify_1.pb"
    task = task_pb2.TaskSpec.FromString(task_file.read_bytes())
    task.template.container.image = ""
    task_file.write_bytes(task.SerializeToString())

    wf = "core.flyte_basics.basic_workflow.my_wf"
    return folder, [
        (str(wf_file), wf, "n0", "MismatchingTypes"),
        (str(wf_file), wf, "n1", "NodeReferenceNotFound"),
        (str(task_file), "core.type_system.enums.enum_stringify", "", "ValueRequired"),
    ]


# --- validate --------------------------------------------------------------------------------


def test_validate_clean_folder_exits_0(snacks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", str(snacks)], capsys)
    assert code == EXIT_OK
    assert out == ""
    assert err.strip() == "ok: 87 tasks, 45 workflows, 51 launch plans"


def test_validate_reports_every_error(
    broken: tuple[Path, list[tuple[str, str, str, str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, expected = broken
    code, out, err = run(["validate", str(folder)], capsys)
    assert code == EXIT_DIAGNOSTICS
    assert out == ""
    lines = [line for line in err.splitlines() if not line.startswith("  hint: ")]
    parsed = [ERROR_LINE.match(line) for line in lines]
    assert all(parsed), lines
    found = sorted(
        (m["file"], m["entity"], m["node"] or "", m["code"]) for m in parsed if m is not None
    )
    assert found == sorted(expected)
    # A hint follows the first error of each code that has one.
    hints = [line for line in err.splitlines() if line.startswith("  hint: ")]
    assert len(hints) == len({c for *_, c in expected if CODES[c].hint})


def test_validate_json_format(
    broken: tuple[Path, list[tuple[str, str, str, str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, expected = broken
    code, _, err = run(["validate", "--format", "json", str(folder)], capsys)
    assert code == EXIT_DIAGNOSTICS
    records = [json.loads(line) for line in err.splitlines()]
    assert sorted((r["file"], r["entity"], r["node"], r["code"]) for r in records) == sorted(
        expected
    )
    assert {r["severity"] for r in records} == {"error"}


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],  # no input
        ["validate", "--format", "xml", "x.pb"],
        ["validate", "--no-such-option", "x.pb"],
        ["explain", "NoSuchCode"],
        ["compile", "x.pb"],  # -o is required
        ["no-such-command"],
    ],
    ids=["no-input", "bad-format", "bad-option", "unknown-code", "no-output", "no-command"],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(args, capsys)
    assert code == EXIT_USAGE
    assert "Error" in err or "error" in err


def test_missing_input_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["validate", str(tmp_path / "absent.pb")], capsys)
    assert code == EXIT_DIAGNOSTICS
    assert "[LoadError]" in err


# --- compile --emit flyte-closure ----------------------------------------------------------------


def test_compile_writes_one_closure_per_workflow(
    snacks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "closures"
    code, _, err = run(
        ["compile", "--emit", "flyte-closure", str(snacks), "-o", str(out_dir)], capsys
    )
    assert code == EXIT_OK, err
    written = sorted(p.name for p in out_dir.iterdir())
    expected = build_closures(compile_paths([snacks]))
    assert written == sorted(f"{name}.json" for name in expected)
    assert len(written) == 45
    for name, closure in expected.items():
        parsed = json_format.Parse(
            (out_dir / f"{name}.json").read_text(), compiler_pb2.CompiledWorkflowClosure()
        )
        assert parsed == closure
        assert parsed.primary.template.id.name == name
    # The same primary workflow as Flyte's golden.
    golden = json_format.Parse(
        (snacks / "compiled" / "085_core.flyte_basics.basic_workflow.my_wf_2_wf.json").read_text(),
        compiler_pb2.CompiledWorkflowClosure(),
    )
    mine = json_format.Parse(
        (out_dir / "core.flyte_basics.basic_workflow.my_wf.json").read_text(),
        compiler_pb2.CompiledWorkflowClosure(),
    )
    assert mine.primary == golden.primary


@pytest.mark.parametrize("name", ["../../escaped/x", "/abs/x", "Chain_WF"])
def test_compile_keeps_every_file_in_the_output_folder(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A workflow named like a path is written inside ``-o`` under a file name of its own,
    distinct from every other file even where file names ignore case."""
    from tests.robustness.robust_support import Package

    package = Package.load("chain").copy()
    spec, plan = package.workflow_spec("chain_wf"), package.launch_plan("chain_wf")
    spec.template.id.name = plan.id.name = plan.spec.workflow_id.name = name
    twin, twin_plan = package.workflow_spec("explicit_order_wf"), package.launch_plan("order_wf")
    twin.template.id.name = twin_plan.spec.workflow_id.name = name.upper()
    out_dir = tmp_path / "a" / "b" / "closures"
    code, _, err = run(["compile", str(package.write(tmp_path / "in")), "-o", str(out_dir)], capsys)
    assert code == EXIT_OK, err
    written = sorted(p.name for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert all((out_dir / w).is_file() for w in written) and len(written) == 2
    assert len({w.casefold() for w in written}) == 2
    names = {
        json.loads((out_dir / w).read_text())["primary"]["template"]["id"]["name"] for w in written
    }
    assert names == {name, name.upper()}


def test_compile_writes_nothing_on_errors(
    broken: tuple[Path, list[tuple[str, str, str, str]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, expected = broken
    out_dir = tmp_path / "closures"
    code, _, err = run(["compile", str(folder), "-o", str(out_dir)], capsys)
    assert code == EXIT_DIAGNOSTICS
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
    assert len([line for line in err.splitlines() if ERROR_LINE.match(line)]) == len(expected)


# --- explain ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CODES))
def test_explain_every_code(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", name], capsys)
    assert code == EXIT_OK
    info = CODES[name]
    assert out.startswith(f"{name} ({info.origin})\n\n{info.description}\n")
    if info.hint:
        assert f"How to fix: {info.hint}" in out
    # Case does not matter.
    assert run(["explain", name.lower()], capsys)[1] == out


def test_cli_runner_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "compile", "explain"):
        assert command in result.output


def test_validate_every_packaged_example_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.cli_support import example_packages

    packages = example_packages()
    assert packages, "no packaged examples"
    code, _, err = run(["validate", *map(str, packages)], capsys)
    assert code == 0, err
    assert "error" not in err


def test_validate_broken_example_prints_every_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Independent breaks in two workflows of a real package (a promise to a node that does not
    exist; a dangling task reference): every one is printed, with file, entity and node."""
    import tarfile

    from flyteidl.admin import workflow_pb2

    from tests.cli.cli_support import example

    source = example("chain")
    folder = tmp_path / "broken"
    folder.mkdir()
    with tarfile.open(source) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            if data is None:
                continue
            raw = data.read()
            name = Path(member.name).name
            if name.endswith("chain_wf_2.pb"):
                spec = workflow_pb2.WorkflowSpec.FromString(raw)
                spec.template.nodes[2].inputs[0].binding.promise.node_id = "n99"
                raw = spec.SerializeToString()
            elif name.endswith("explicit_order_wf_2.pb"):
                spec = workflow_pb2.WorkflowSpec.FromString(raw)
                spec.template.nodes[0].task_node.reference_id.name = "no.such.task"
                raw = spec.SerializeToString()
            (folder / name).write_bytes(raw)
    code, _, err = run(["validate", str(folder)], capsys)
    assert code == 1
    assert "[TaskReferenceNotFound]" in err and "no.such.task" in err
    assert "[NodeReferenceNotFound]" in err and "n99" in err
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert any(":fcomp_examples.chain.chain_wf:n2: error:" in line for line in lines)
    assert any(":fcomp_examples.chain.explicit_order_wf:n0: error:" in line for line in lines)
    assert all(line.startswith(f"{folder}/") for line in lines), lines
