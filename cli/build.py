"""``fcomp build``: compile inputs and write target documents, or check them (``--check``)."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from pathlib import Path

import click

from fcomp.cli.files import write_files
from fcomp.cli.output import print_diagnostics
from fcomp.compiler.config import Config, config_from_mapping, load_config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.driver import Compilation, compile_paths

TARGETS = ("argo", "airflow")


def build_files(
    compilation: Compilation, target: str, config: Config, launch_plans: tuple[str, ...], emit: str
) -> tuple[dict[str, str], list[Diagnostic]]:
    """The files a target writes for a clean compilation."""
    if target == "argo":
        from fcomp.backends.argo.build import build_argo
        from fcomp.backends.argo.documents import ArgoOptions

        return build_argo(compilation, config, ArgoOptions(emit=emit), launch_plans)
    from fcomp.backends.airflow.build import build_airflow

    return build_airflow(compilation, config, launch_plans)


def resolve_config(
    config_path: str | None, settings: tuple[str, ...]
) -> tuple[Config, list[Diagnostic]]:
    """The configuration file (or the one found in the current folder) plus ``--set`` flags."""
    config, problems = load_config(config_path)
    overrides: dict[str, object] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--set expects KEY=VALUE, got {item!r}")
        overrides[key.strip()] = value
    if overrides:
        config, more = config_from_mapping(overrides, config, source="--set")
        problems += more
    return config, problems


def check_files(out_dir: str, files: Mapping[str, str]) -> bool:
    """Print a unified diff between ``out_dir`` and ``files``; True when they are the same."""
    root = Path(out_dir)
    same = True
    existing = (
        {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        if root.is_dir()
        else set()
    )
    for name in sorted(set(files) | existing):
        new = files.get(name)
        path = root / name
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old == new:
            continue
        same = False
        diff = difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            (new or "").splitlines(keepends=True),
            fromfile=f"a/{name}" if old is not None else "/dev/null",
            tofile=f"b/{name}" if new is not None else "/dev/null",
        )
        sys.stdout.writelines(diff)
    return same


@click.command(
    epilog="""\b
Examples:
  fcomp build --target argo pkg.tgz -o argo/
  fcomp build --target argo pkg.tgz --launch-plan my.lp --emit workflow -o - | argo submit -
  fcomp build --target airflow pkg.tgz -o dags/
  fcomp build --target argo pkg.tgz -o argo/ --check     # CI: fail when argo/ is stale
"""
)
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--target", type=click.Choice(TARGETS), required=True, help="What to emit.")
@click.option("-o", "--output", "out", required=True, help="Output folder, or - for stdout.")
@click.option(
    "--launch-plan", "launch_plans", multiple=True, help="Build only this launch plan (repeatable)."
)
@click.option(
    "--emit",
    type=click.Choice(["template", "workflow"]),
    default="template",
    show_default=True,
    help="Argo: WorkflowTemplate (+ CronWorkflow) per launch plan, or a ready-to-submit Workflow.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Configuration file (default: ./fcomp.toml or [tool.fcomp] in ./pyproject.toml).",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override one setting (repeatable).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 with a diff when the output folder is stale.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Diagnostics format.",
)
def build(
    inputs: tuple[str, ...],
    target: str,
    out: str,
    launch_plans: tuple[str, ...],
    emit: str,
    config_path: str | None,
    settings: tuple[str, ...],
    check: bool,
    fmt: str,
) -> int:
    """Compile Flyte entities into Argo Workflows YAML or Airflow DAG files.

    Nothing is written when any error is found; every file is replaced atomically.
    """
    config, problems = resolve_config(config_path, settings)
    if problems:
        print_diagnostics(problems, fmt=fmt)
        return 1
    compilation = compile_paths(inputs)
    diagnostics = compilation.diagnostics.sorted()
    files: dict[str, str] = {}
    if compilation.ok:
        files, more = build_files(compilation, target, config, launch_plans, emit)
        diagnostics += more
    print_diagnostics(diagnostics, fmt=fmt)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return 1
    if out == "-":
        for name in sorted(files):
            sys.stdout.write(files[name])
        return 0
    if check:
        return 0 if check_files(out, files) else 1
    write_files(out, files)
    return 0
