"""``fcomp graph``: DOT and Mermaid of every example workflow compared with golden text, SVG
through Graphviz containing every node, and the command's choices and exit codes."""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import pytest
from cli_support import GOLDEN, check_golden, example, example_packages, needed, run

from fcomp.backends.graph import build_graph, to_dot, to_mermaid
from fcomp.backends.graph.model import ClusterKind, Graph, Kind
from fcomp.compiler.driver import Compilation, compile_paths

GRAPH_GOLDEN = GOLDEN / "graph"
SNACKS = Path("test/testdata/snacks-core")


def _graphs(compilation: Compilation) -> dict[str, Graph]:
    """The picture of every registered workflow, by workflow name."""
    assert compilation.ok and compilation.compiled is not None
    out = {}
    for ident in compilation.program.primary:
        cw = compilation.compiled.workflow(ident)
        assert cw is not None
        out[ident.name] = build_graph(compilation.compiled, cw)
    return out


def _check_case(case: str, compilation: Compilation) -> None:
    """Every workflow's DOT and Mermaid against ``golden/graph/<case>/``; no extra goldens."""
    folder = GRAPH_GOLDEN / case
    problems: list[str] = []
    expected: set[str] = set()
    for name, graph in _graphs(compilation).items():
        for suffix, text in ((".dot", to_dot(graph)), (".mmd", to_mermaid(graph))):
            expected.add(name + suffix)
            problem = check_golden(folder / (name + suffix), text)
            if problem:
                problems.append(problem)
    stale = sorted(p.name for p in folder.glob("*") if p.name not in expected)
    problems += [f"golden file without a workflow: {folder.name}/{n}" for n in stale]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("package", example_packages(), ids=lambda p: f"golden/graph/{p.stem}")
def test_example_pictures_match_golden(package: Path) -> None:
    _check_case(package.stem, compile_paths([package]))


def test_snacks_core_pictures_match_golden(flyte_compiler_data: Path) -> None:
    _check_case("snacks-core", compile_paths([flyte_compiler_data / SNACKS]))


def test_examples_are_present() -> None:
    """The golden cases above are discovered from the examples: there must be some."""
    assert len(example_packages()) >= 10 or not os.environ.get("CI")


def test_pictures_are_deterministic() -> None:
    """Compiling and drawing twice gives the same bytes."""
    first = _graphs(compile_paths([example("branches")]))
    second = _graphs(compile_paths([example("branches")]))
    assert {n: to_dot(g) for n, g in first.items()} == {n: to_dot(g) for n, g in second.items()}
    assert {n: to_mermaid(g) for n, g in first.items()} == {
        n: to_mermaid(g) for n, g in second.items()
    }


def test_every_node_kind_is_drawn() -> None:
    """Across the examples every kind of picture node and frame appears."""
    kinds: set[Kind] = set()
    clusters: set[ClusterKind] = set()
    for package in example_packages():
        compilation = compile_paths([package])
        for graph in _graphs(compilation).values():
            kinds |= {n.kind for n in graph.nodes()}
            todo = list(graph.root.clusters)
            while todo:
                cluster = todo.pop()
                clusters.add(cluster.kind)
                todo += cluster.clusters
    needed_kinds = {Kind.TASK, Kind.BRANCH, Kind.MAP, Kind.GATE, Kind.LAUNCH_PLAN, Kind.FAILURE}
    assert needed_kinds <= kinds
    assert {ClusterKind.SUBWORKFLOW, ClusterKind.BRANCH} <= clusters


def test_edges_name_the_bound_variables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["graph", str(example("chain")), "-w", "chain_wf"], capsys)
    assert code == 0
    assert '"n0" -> "n1" [label="o0 → x"];' in out
    assert '"start-node" -> "n0" [label="x"];' in out


def test_subworkflows_are_clusters(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["graph", str(example("subworkflows")), "-w", "subworkflow_wf"], capsys)
    assert code == 0
    assert re.search(r'subgraph "cluster_n\d+" \{', out)
    assert "[subworkflow]" in out


def _dot_or_skip() -> None:
    """Graphviz must be installed under CI (it renders SVG there); elsewhere skip without it."""
    if shutil.which("dot") is None:
        needed(Path("/graphviz-dot-on-PATH"))


def test_svg_contains_every_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _dot_or_skip()
    package = example("branches")
    compilation = compile_paths([package])
    for name, graph in _graphs(compilation).items():
        out = tmp_path / f"{name}.svg"
        code, _, err = run(["graph", str(package), "-w", name, "-o", str(out)], capsys)
        assert code == 0, err
        svg = out.read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
        titles = {html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", svg)}
        missing = [n.key for n in graph.nodes() if n.key not in titles]
        assert not missing, f"{name}: nodes missing from the SVG: {missing}"


def test_png_and_svg_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    _dot_or_skip()
    from fcomp.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(["graph", str(example("chain")), "-w", "chain_wf", "--format", "png"])
    assert exited.value.code == 0
    assert capsysbinary.readouterr().out.startswith(b"\x89PNG\r\n\x1a\n")


def test_format_follows_the_output_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "wf.mmd"
    code, _, _ = run(["graph", str(example("chain")), "-w", "chain_wf", "-o", str(out)], capsys)
    assert code == 0
    assert "flowchart TB" in out.read_text(encoding="utf-8")


def test_without_graphviz_svg_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    out = tmp_path / "wf.svg"
    code, _, err = run(["graph", str(example("chain")), "-w", "chain_wf", "-o", str(out)], capsys)
    assert code == 2
    assert "Graphviz" in err and "--format dot" in err and "Traceback" not in err
    assert not out.exists()


def test_workflow_choice(capsys: pytest.CaptureFixture[str]) -> None:
    chain = str(example("chain"))
    code, _, err = run(["graph", chain], capsys)  # two workflows, none chosen
    assert code == 2 and "--workflow" in err and "fcomp_examples.chain.chain_wf" in err
    code, _, err = run(["graph", chain, "-w", "no_such_wf"], capsys)
    assert code == 1 and "[UnknownEntity]" in err
    code, full, _ = run(["graph", chain, "-w", "fcomp_examples.chain.chain_wf"], capsys)
    assert code == 0
    code, short, _ = run(["graph", chain, "-w", "chain_wf"], capsys)
    assert code == 0 and short == full


def test_launch_plan_name_picks_its_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    package = str(example("launch_plans"))
    code, by_plan, _ = run(["graph", package, "-w", "greet_daily"], capsys)
    assert code == 0
    code, by_workflow, _ = run(["graph", package, "-w", "greet_wf"], capsys)
    assert code == 0 and by_plan == by_workflow


def test_graph_of_a_broken_input_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\x00not a flyte entity")
    code, out, err = run(["graph", str(bad)], capsys)
    assert code == 1 and out == "" and "error:" in err
