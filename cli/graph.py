"""``fcomp graph``: a picture of a compiled workflow (DOT, Mermaid, or SVG/PNG via Graphviz)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fcomp.backends.graph import WRITERS, build_graph
from fcomp.backends.graph.graphviz import GraphvizFailedError, GraphvizMissingError, render
from fcomp.cli.files import write_bytes
from fcomp.cli.output import print_diagnostics
from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.compiler.driver import Compilation, compile_paths
from fcomp.compiler.passes.results import CompiledWorkflow

FORMATS = ("dot", "mermaid", "svg", "png")
#: The format a ``-o`` file's suffix asks for when ``--format`` is not given.
SUFFIXES = {".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".svg": "svg", ".png": "png"}


class GraphvizUnavailable(click.ClickException):
    """SVG/PNG asked for without Graphviz: a usage problem of this machine (exit 2)."""

    exit_code = 2


def picture(cw: CompiledWorkflow, compilation: Compilation, fmt: str) -> bytes:
    """The picture of one compiled workflow in ``fmt`` (dot, mermaid, svg or png)."""
    assert compilation.compiled is not None
    drawn = build_graph(compilation.compiled, cw)
    if fmt in WRITERS:
        return WRITERS[fmt](drawn).encode("utf-8")
    try:
        return render(WRITERS["dot"](drawn), fmt)
    except GraphvizMissingError as exc:
        raise GraphvizUnavailable(str(exc)) from exc
    except GraphvizFailedError as exc:  # fcomp wrote DOT that Graphviz rejects: an fcomp bug
        raise RuntimeError(f"Graphviz could not render fcomp's DOT output: {exc}") from exc


def _matches(name: str, wanted: str) -> bool:
    return name == wanted or name.endswith("." + wanted)


def choose_workflow(compilation: Compilation, wanted: str | None) -> CompiledWorkflow | Diagnostic:
    """The workflow ``--workflow`` names (full name, last dotted part, or a launch plan's
    name), or the only registered workflow; a diagnostic when the name is not in the input."""
    compiled = compilation.compiled
    assert compiled is not None
    program = compilation.program
    registered = [w for w in (compiled.workflow(i) for i in program.primary) if w is not None]
    if wanted is None:
        if len(registered) == 1:
            return registered[0]
        names = "\n  ".join(sorted(w.id.name for w in registered))
        raise click.UsageError(
            f"the input holds {len(registered)} workflows; choose one with --workflow:\n  {names}"
        )
    every = list(compiled.workflows.values())
    for exact in (True, False):
        found = [
            w for w in every if (w.id.name == wanted if exact else _matches(w.id.name, wanted))
        ]
        plans = [
            lp
            for lp in program.launch_plans
            if (lp.id.name == wanted if exact else _matches(lp.id.name, wanted))
        ]
        found += [w for w in (compiled.workflow(lp.workflow) for lp in plans) if w is not None]
        unique = {w.id: w for w in found}
        if len(unique) == 1:
            return next(iter(unique.values()))
        if len(unique) > 1:
            names = ", ".join(sorted(i.name for i in unique))
            raise click.UsageError(f"--workflow {wanted!r} matches several workflows: {names}")
    return Diagnostic(
        Severity.ERROR,
        codes.UNKNOWN_ENTITY,
        f"no workflow or launch plan named '{wanted}' in the input; known workflows: "
        + ", ".join(sorted(w.id.name for w in registered)),
        Source(),
    )


@click.command(
    epilog="""\b
Examples:
  fcomp graph pkg.tgz --workflow my_wf                       # DOT on stdout
  fcomp graph pkg.tgz --workflow my_wf -o my_wf.svg          # SVG (needs Graphviz)
  fcomp graph pkg.tgz --workflow my_wf --format mermaid -o my_wf.mmd
  fcomp graph pkg.tgz -w my_wf | dot -Tpng > my_wf.png

\b
Nodes show their id, name and kind ([python-task], [branch], [gate: sleep 5m],
[launch plan], map ...); subworkflows, branches and maps are frames; edges name
the bound variables (output -> input). Without Graphviz, svg and png exit with
code 2 and say how to install it.
"""
)
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option(
    "-w",
    "--workflow",
    "wanted",
    metavar="NAME",
    help="Workflow (or launch plan) to draw: full name or its last dotted part.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Picture format (default: from the -o suffix, else dot).",
)
@click.option(
    "-o", "--output", "out", default="-", show_default=True, help="File, or - for stdout."
)
def graph(inputs: tuple[str, ...], wanted: str | None, fmt: str | None, out: str) -> int:
    """Draw a compiled workflow: its nodes, their kinds and the data between them."""
    if fmt is None:
        fmt = SUFFIXES.get(Path(out).suffix.lower(), "dot") if out != "-" else "dot"
    compilation = compile_paths(inputs)
    print_diagnostics(compilation.diagnostics.sorted())
    if not compilation.ok:
        return 1
    chosen = choose_workflow(compilation, wanted)
    if isinstance(chosen, Diagnostic):
        print_diagnostics([chosen])
        return 1
    data = picture(chosen, compilation, fmt)
    if out == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_bytes(out, data)
    return 0
