"""The command summary: every ``fcomp`` command with its usage and first help line."""

from __future__ import annotations

from pathlib import Path

import click

from fcomp.cli.docs import section
from fcomp.cli.docs.tables import table


@section("commands")
def command_summary(root: Path) -> str:
    """A table of the commands (``fcomp COMMAND --help`` has the rest)."""
    from fcomp.cli.main import cli

    rows = []
    ctx = click.Context(cli, info_name="fcomp")
    for name in sorted(cli.commands):
        command = cli.commands[name]
        sub = click.Context(command, info_name=name, parent=ctx)
        usage = " ".join(command.collect_usage_pieces(sub))
        rows.append([f"`fcomp {name} {usage}`", command.get_short_help_str(limit=200)])
    return table(["command", "what it does"], rows)
