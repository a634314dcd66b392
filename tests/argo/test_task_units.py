"""Task nodes that share their target, metadata and workflow share one execution unit and one
pod template, lowered once; a unit that cannot be lowered is reported on every node."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.generate import write_package
from fcomp.backends.argo import nodes
from fcomp.backends.argo.build import build_argo
from fcomp.compiler import codes
from fcomp.compiler.config import Config
from fcomp.compiler.driver import Compilation, compile_paths
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, lower_task
from fcomp.compiler.plugins.units import Unit


def _compiled(tmp_path: Path, n: int, tasks: int) -> Compilation:
    compilation = compile_paths([write_package("layered", n, tmp_path / "pkg.tgz", tasks=tasks)])
    assert compilation.ok, [d.render() for d in compilation.diagnostics]
    return compilation


def test_each_unit_is_lowered_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compilation = _compiled(tmp_path, 60, tasks=3)
    calls: list[str] = []

    def counting(ctx: TaskContext) -> Unit:
        calls.append(ctx.node.id)
        return lower_task(ctx)

    monkeypatch.setattr(nodes, "lower_task", counting)
    files, diagnostics = build_argo(compilation, Config())
    assert diagnostics == []
    assert len(calls) == 3, calls
    (text,) = files.values()
    doc = yaml.safe_load(text)
    templates = {t["name"]: t for t in doc["spec"]["templates"]}
    dag = next(t for t in templates.values() if "dag" in t and len(t["dag"]["tasks"]) > 60)
    used = {t["template"] for t in dag["dag"]["tasks"] if t["name"].startswith("n")}
    assert len(used) == 3
    assert all("container" in templates[name] for name in used)


def test_a_unit_error_is_reported_on_every_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compilation = _compiled(tmp_path, 12, tasks=2)

    def refusing(ctx: TaskContext) -> Unit:
        if ctx.task.id.name.endswith("t1"):
            raise LoweringError.of(codes.UNSUPPORTED_CONSTRUCT, "refused", ctx)
        return lower_task(ctx)

    monkeypatch.setattr(nodes, "lower_task", refusing)
    files, diagnostics = build_argo(compilation, Config())
    assert files == {}
    refused = sorted(d.source.node for d in diagnostics if d.message == "refused")
    workflow = next(iter(compilation.compiled.workflows.values())).workflow
    runs_t1 = sorted(
        n.id
        for n in workflow.nodes
        if n.kind.task.name.endswith("t1")  # type: ignore[union-attr]
    )
    assert len(runs_t1) > 1
    assert refused == runs_t1
