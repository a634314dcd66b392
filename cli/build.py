"""``fcomp build``: compile inputs and write target documents, or check them (``--check``)."""

from __future__ import annotations

import sys

import click

from fcomp.cli.beside import Beside, beside
from fcomp.cli.check import check_files, prune
from fcomp.cli.files import write_files
from fcomp.cli.gcpause import gc_paused
from fcomp.cli.output import print_diagnostics
from fcomp.cli.plans import PICTURE_SUFFIX, build_by_plan, pictures
from fcomp.cli.progress import Progress
from fcomp.compiler.config import Config, config_from_mapping, load_config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.driver import Compilation, compile_loaded, entity_diagnostics
from fcomp.idl.load import load_paths
from fcomp.idl.model import LoadResult

TARGETS = ("argo", "airflow")
#: Bytes of input from which the coverage walk runs in a child process beside the compile and
#: the build (it needs only the loaded entities); below it forking costs more than it saves.
BESIDE_INPUT_BYTES = 1_000_000


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


def concatenate(files: dict[str, str]) -> str:
    """Every file for stdout: YAML files as one multi-document stream, others (several DAG
    modules) each under a ``# ==> name <==`` line, as ``head`` shows several files."""
    names = sorted(files)
    if all(n.endswith((".yaml", ".yml")) for n in names):
        return "---\n".join(files[n] for n in names)
    if len(names) == 1:
        return files[names[0]]
    return "\n".join(f"# ==> {n} <==\n{files[n]}" for n in names)


def compile_and_build(
    loaded: LoadResult,
    coverage: Beside[list[Diagnostic]],
    target: str,
    config: Config,
    launch_plans: tuple[str, ...],
    emit: str,
    graph_fmt: str | None,
    report: Progress,
) -> tuple[dict[str, str], list[Diagnostic]]:
    """The files of a build and every diagnostic (``coverage``: the coverage walk's)."""
    compilation = compile_loaded(loaded)
    diagnostics = compilation.diagnostics.sorted()
    if not compilation.ok:
        return {}, diagnostics

    def build_some(names: tuple[str, ...]) -> tuple[dict[str, str], list[Diagnostic]]:
        return build_files(compilation, target, config, names, emit)

    if graph_fmt or report.active:
        built = build_by_plan(compilation, launch_plans, build_some, report)
        files, more = built.files, built.diagnostics
        if graph_fmt and not any(d.severity is Severity.ERROR for d in more):
            files = {**files, **pictures(compilation, built.workflow_of, graph_fmt)}
    else:
        files, more = build_some(launch_plans)
    return files, diagnostics + more + coverage.result()


@click.command(
    epilog="""\b
Examples:
  fcomp build --target argo pkg.tgz -o argo/
  fcomp build --target argo pkg.tgz --launch-plan my.lp --emit workflow -o - | argo submit -
  fcomp build --target airflow pkg.tgz -o dags/
  fcomp build --target argo pkg.tgz -o argo/ --check     # CI: fail when argo/ is stale
  fcomp build --target argo pkg.tgz -o argo/ --graph svg  # argo/<name>.svg beside each file
  fcomp build --target airflow pkg.tgz -o dags/ --prune   # also remove DAGs no longer built
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
@click.option(
    "--graph",
    "graph_fmt",
    type=click.Choice(sorted(PICTURE_SUFFIX)),
    help="Also write a picture of each document's workflow beside it (same name, .dot/.mmd/.svg).",
)
@click.option(
    "--prune",
    "prune_stale",
    is_flag=True,
    help="Remove files in the output folder that this build no longer writes.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Report progress on stderr [default: when stderr is a terminal].",
)
@gc_paused
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
    graph_fmt: str | None,
    prune_stale: bool,
    progress: bool | None,
) -> int:
    """Compile Flyte entities into Argo Workflows YAML or Airflow DAG files.

    Nothing is written when any error is found; every file is replaced atomically.
    With --check nothing is written: the exit code is 1 and a unified diff is printed when
    the folder differs (changed, missing or stale files).
    """
    if out == "-" and (check or graph_fmt or prune_stale):
        raise click.UsageError("--check, --graph and --prune need an output folder, not -o -")
    config, problems = resolve_config(config_path, settings)
    if problems:
        print_diagnostics(problems, fmt=fmt)
        return 1
    report = Progress.open(progress)
    report.phase(f"reading and checking {len(inputs)} input{'s' * (len(inputs) != 1)}")
    loaded = load_paths(list(inputs))
    # The coverage walk needs only what was loaded: on a large input, a child process does it
    # beside the compile and the build.
    large = loaded.input_bytes >= BESIDE_INPUT_BYTES and not loaded.diagnostics
    coverage = beside(lambda: entity_diagnostics(loaded.entities, target), fork=large)
    try:
        files, diagnostics = compile_and_build(
            loaded, coverage, target, config, launch_plans, emit, graph_fmt, report
        )
    finally:
        coverage.cancel()
    report.done()
    print_diagnostics(diagnostics, fmt=fmt)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return 1
    if out == "-":
        sys.stdout.write(concatenate(files))
        return 0
    if check:
        return 0 if check_files(out, files, sys.stdout) else 1
    write_files(out, files)
    if prune_stale:
        for name in prune(out, files):
            click.echo(f"removed {name}", err=True)
    return 0
