"""The ``fcomp`` subcommands; each returns its exit code."""

from __future__ import annotations

from typing import Any

import click

from fcomp.cli.gcpause import gc_paused
from fcomp.cli.output import print_diagnostics
from fcomp.compiler import codes
from fcomp.compiler.codes import CODES
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.compiler.driver import Compilation, compile_paths

INPUTS = click.argument("inputs", nargs=-1, required=True, type=click.Path())
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print diagnostics: text lines, or one JSON object per line.",
)


@click.command(
    epilog="""\b
Examples:
  fcomp validate pkg.tgz
  fcomp validate wf.pb tasks/ --format json
"""
)
@INPUTS
@FORMAT
@gc_paused
def validate(inputs: tuple[str, ...], fmt: str) -> int:
    """Check Flyte entities exactly as Flyte's compiler does.

    INPUTS are `pyflyte package` archives, folders of .pb files, single .pb/.json/.yaml
    entities or `flytectl get ... -o json` output. Every error is printed, not only the first.
    """
    result = compile_paths(inputs)
    print_diagnostics(result.diagnostics.sorted(), fmt=fmt)
    if not result.ok:
        return 1
    if fmt == "text":
        program = result.program
        click.echo(
            f"ok: {len(program.tasks)} tasks, {len(program.workflows)} workflows, "
            f"{len(program.launch_plans)} launch plans",
            err=True,
        )
    return 0


@click.command()
@click.argument("code")
def explain(code: str) -> int:
    """Describe a diagnostic code and how to fix what it reports.

    \b
    Example:
      fcomp explain MismatchingTypes
    """
    found = CODES.get(code) or next(
        (c for c in CODES.values() if c.name.lower() == code.lower()), None
    )
    if found is None:
        raise click.UsageError(f"unknown code '{code}'; known codes: {', '.join(sorted(CODES))}")
    click.echo(f"{found.name} ({found.origin})\n\n{found.description}")
    if found.hint:
        click.echo(f"\nHow to fix: {found.hint}")
    return 0


ALL: list[click.Command] = [validate, explain]


@click.command(
    epilog="""\b
Examples:
  fcomp compile --emit flyte-closure pkg.tgz -o closures/
  fcomp compile pkg.tgz -o - | jq .primary.template.id
"""
)
@INPUTS
@click.option(
    "--emit",
    type=click.Choice(["flyte-closure"]),
    default="flyte-closure",
    show_default=True,
    help="What to write: Flyte's CompiledWorkflowClosure as protobuf JSON.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, allow_dash=True),
    help="Output folder, or - for stdout (the closures one after another).",
)
@FORMAT
def compile(inputs: tuple[str, ...], emit: str, out_dir: str, fmt: str) -> int:
    """Write, for each workflow, the closure Flyte's compiler would produce.

    Writes OUT_DIR/<workflow name>.json; nothing is written when the input has errors.
    """
    from fcomp.cli.files import write_files
    from fcomp.compiler.frontend.closures import build_closures

    result = compile_paths(inputs)
    print_diagnostics(result.diagnostics.sorted(), fmt=fmt)
    if not result.ok:
        return 1
    closures = build_closures(result)
    files, problems = closure_files(closures, result)
    if problems:
        print_diagnostics(problems, fmt=fmt)
        return 1
    if out_dir == "-":
        for name in sorted(files):
            click.echo(files[name], nl=not files[name].endswith("\n"))
        return 0
    write_files(out_dir, files)
    return 0


ALL.append(compile)


def closure_files(
    closures: dict[str, Any], compilation: Compilation
) -> tuple[dict[str, str], list[Diagnostic]]:
    """Each closure's JSON file, and an error for each closure protobuf JSON cannot hold (a
    ``Duration`` or ``Timestamp`` outside the range the JSON form allows)."""
    from fcomp.backends.common.names import FILE_NAME, short_hash
    from fcomp.idl.closure import ClosureJsonError, closure_json

    sources = {wf.id.name: wf.source for wf in compilation.program.workflows}
    files: dict[str, str] = {}
    problems: list[Diagnostic] = []
    taken: set[str] = set()
    for name, closure in closures.items():
        # The workflow's name as a file name in the output folder: no path separators, and
        # distinct from every other even where file names ignore case.
        stem = FILE_NAME.sanitize(name)
        if stem.casefold() in taken:
            stem = f"{stem}-{short_hash('clash:' + name)}"
        taken.add(stem.casefold())
        try:
            files[f"{stem}.json"] = closure_json(closure)
        except ClosureJsonError as exc:
            problems.append(
                Diagnostic(
                    Severity.ERROR,
                    codes.INVALID_VALUE,
                    f"workflow '{name}' cannot be written as a Flyte closure: {exc}",
                    sources.get(name, Source()),
                )
            )
    return files, problems


from fcomp.cli.build import build  # noqa: E402
from fcomp.cli.entities import inspect  # noqa: E402
from fcomp.cli.graph import graph  # noqa: E402
from fcomp.cli.version import version_command  # noqa: E402

ALL += [build, graph, inspect, version_command]

from fcomp.cli.run import run  # noqa: E402

ALL.append(run)
