"""``fcomp version``: fcomp's version and what it targets, for bug reports and CI logs."""

from __future__ import annotations

import json
import platform

import click

from fcomp.backends.graph.graphviz import find_dot
from fcomp.compiler.config import DEFAULT_RUNTIME_IMAGE


def _version(package: str) -> str:
    # imported here: importlib.metadata is slow to import and only this command needs it
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """fcomp's version, the runtime image it points at, and the versions around it."""
    return {
        "fcomp": _version("fcomp"),
        "python": platform.python_version(),
        "flyteidl": _version("flyteidl"),
        "runtime_image": DEFAULT_RUNTIME_IMAGE,
        "graphviz": find_dot() or "not installed",
    }


@click.command(
    epilog="""\b
Examples:
  fcomp version
  fcomp version --format json
"""
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Lines of 'name: version', or one JSON object.",
)
def version_command(fmt: str) -> int:
    """Print fcomp's version and the versions it works with."""
    found = versions()
    if fmt == "json":
        click.echo(json.dumps(found, sort_keys=True))
    else:
        width = max(len(k) for k in found)
        for key, value in found.items():
            click.echo(f"{key + ':':<{width + 1}} {value}")
    return 0


version_command.name = "version"
