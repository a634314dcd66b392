"""``fcomp run``: build a launch plan and run it on this machine, then print its outputs.

``--engine airflow-local`` runs the DAG of the ``local`` Airflow flavour with real Airflow
(``dag.test()``, SQLite); ``--engine argo-local`` runs the Argo documents with fcomp's local
executor of the Argo subset. Either prints the workflow outputs as one JSON object on stdout.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fcomp.cli.build import resolve_config
from fcomp.cli.output import print_diagnostics
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Severity
from fcomp.compiler.driver import Compilation, compile_paths, target_diagnostics

if TYPE_CHECKING:
    from fcomp.backends.airflow.answers import Answers

ENGINES = ("airflow-local", "argo-local")


def _parameters(items: tuple[str, ...], option: str = "-p") -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"{option} expects NAME=VALUE, got {item!r}")
        if name in out:
            raise click.UsageError(f"{option} gives '{name}' twice")
        out[name] = value
    return out


def _launch_plan(compilation: Compilation, name: str | None) -> str:
    from fcomp.backends.common.launch_plans import launch_plans

    names = sorted(lp.id.name for lp in launch_plans(compilation, (), []))
    if name is not None:
        if name not in names:
            raise click.UsageError(f"no launch plan named '{name}'; known: {', '.join(names)}")
        return name
    if len(names) != 1:
        raise click.UsageError(
            "the input has several launch plans; choose one with --launch-plan: " + ", ".join(names)
        )
    return names[0]


@click.command(
    epilog="""\b
Examples:
  fcomp run --engine airflow-local pkg.tgz --launch-plan my.wf -p x=3
  fcomp run --engine argo-local pkg.tgz --launch-plan my.lp -p names='["a","b"]'
"""
)
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--engine", type=click.Choice(ENGINES), required=True, help="What runs it.")
@click.option("--launch-plan", "launch_plan", help="The launch plan (or workflow) to run.")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="An input (repeatable)."
)
@click.option(
    "--storage",
    type=click.Path(file_okay=False),
    help="Where node data goes (default: a temporary folder, removed unless --keep).",
)
@click.option(
    "--pythonpath",
    multiple=True,
    help="A folder the tasks import from (repeatable; added to PYTHONPATH).",
)
@click.option(
    "--approve/--reject",
    "approve",
    default=None,
    help="Answer every approve gate (unanswered: airflow-local waits, argo-local fails).",
)
@click.option(
    "--signal",
    "signals",
    multiple=True,
    metavar="ID=VALUE",
    help="The value of signal gate ID (repeatable).",
)
@click.option("--keep", is_flag=True, help="Keep the temporary folders and print where they are.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration.")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Override a setting.")
def run(
    inputs: tuple[str, ...],
    engine: str,
    launch_plan: str | None,
    params: tuple[str, ...],
    storage: str | None,
    pythonpath: tuple[str, ...],
    approve: bool | None,
    signals: tuple[str, ...],
    keep: bool,
    config_path: str | None,
    settings: tuple[str, ...],
) -> int:
    """Run a launch plan on this machine and print its outputs as JSON.

    Exit status 0 when the run succeeded, 1 when the input has errors or the run failed.
    """
    config, problems = resolve_config(config_path, settings)
    if problems:
        print_diagnostics(problems)
        return 1
    compilation = compile_paths(inputs)
    if not compilation.ok:
        print_diagnostics(compilation.diagnostics.sorted())
        return 1
    # what the target drops or cannot run, as `fcomp build` reports it
    reported = target_diagnostics(compilation, "airflow" if engine == "airflow-local" else "argo")
    if reported:
        print_diagnostics(reported)
    if any(d.severity is Severity.ERROR for d in reported):
        return 1
    name = _launch_plan(compilation, launch_plan)
    texts = _parameters(params)
    pythonpath = tuple(str(Path(p).resolve()) for p in pythonpath)  # tasks run elsewhere
    workdir = Path(tempfile.mkdtemp(prefix="fcomp-run-"))
    data = Path(storage) if storage else workdir / "data"
    try:
        if engine == "airflow-local":
            from fcomp.backends.airflow.answers import Answers

            answers = Answers(approve, _parameters(signals, "--signal"))
            return _airflow(compilation, name, texts, data, config, workdir, pythonpath, answers)
        gates = (approve, _parameters(signals, "--signal"))
        return _argo(compilation, name, texts, data, config, workdir, pythonpath, gates)
    finally:
        if keep:
            click.echo(f"kept: {workdir}", err=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _airflow(
    compilation: Compilation,
    name: str,
    texts: dict[str, str],
    data: Path,
    config: Config,
    workdir: Path,
    pythonpath: tuple[str, ...],
    answers: Answers,
) -> int:
    from fcomp.backends.airflow.home import AirflowMissingError
    from fcomp.backends.airflow.localrun import RunError, run_airflow_local

    try:
        result, diagnostics = run_airflow_local(
            compilation,
            name,
            texts,
            storage=data,
            config=config,
            workdir=workdir,
            pythonpath=pythonpath,
            answers=answers,
        )
    except (RunError, AirflowMissingError) as exc:
        raise click.UsageError(str(exc)) from None
    if result is None:
        print_diagnostics(diagnostics)
        return 1
    if not result.ok:
        tail = result.log.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
        click.echo("\n".join(tail), err=True)
        click.echo(f"fcomp run: the DAG run ended {result.state} (log: {result.log})", err=True)
        return 1
    sys.stdout.write(json.dumps(result.outputs, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


def _argo(
    compilation: Compilation,
    name: str,
    texts: dict[str, str],
    data: Path,
    config: Config,
    workdir: Path,
    pythonpath: tuple[str, ...],
    gates: tuple[bool | None, dict[str, str]],
) -> int:
    try:
        from fcomp.backends.argo.localrun import ArgoRunError, gate_answers, run_argo_local
    except ImportError:
        raise click.UsageError("argo-local not available in this installation") from None
    try:
        result, diagnostics = run_argo_local(
            compilation,
            name,
            texts,
            storage=data,
            config=config,
            workdir=workdir,
            pythonpath=pythonpath,
            resume=gate_answers(*gates),
        )
    except ArgoRunError as exc:
        raise click.UsageError(str(exc)) from None
    if result is None:
        print_diagnostics(diagnostics)
        return 1
    if result.outputs is None:
        for failure in result.failures:
            click.echo(f"fcomp run: {failure}", err=True)
        click.echo(f"fcomp run: the workflow ended {result.phase}: {result.message}", err=True)
        return 1
    sys.stdout.write(json.dumps(result.outputs, ensure_ascii=False, sort_keys=True) + "\n")
    return 0
