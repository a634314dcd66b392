"""``fcomp-runtime`` / ``python -m fcomp.runtime``: the command line of ``runtime/CONTRACT.md``.

Only argparse is imported up front; a command's modules load after its arguments parse, so
``--help`` and usage errors cost nothing. Every failure prints one ``error:`` line on stderr and
exits with status 1 (3: a retry of a non-recoverable error refused by ``bind`` or
``retry-check``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

PROG = "fcomp-runtime"


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 1 on usage errors, like every other runtime failure."""

    def error(self, message: str) -> NoReturn:
        """Print the usage and the message, exit 1."""
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _common() -> _Parser:
    parent = _Parser(add_help=False)
    parent.add_argument(
        "--prefix", required=True, help="storage prefix (path, file://, s3://, gs://)"
    )
    parent.add_argument(
        "--exec", required=True, help="execution id (Argo workflow name, Airflow run id)"
    )
    return parent


def _node(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--node", required=True, help="node path (n0, n3/n1-n0, n2/7)")


def _attempt(text: str) -> int:
    """An attempt number: ASCII digits (engines substitute it; anything else is a usage
    error)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise argparse.ArgumentTypeError(f"not an attempt number: {text!r}")
    return int(text)


def _plan(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", required=True, help="binding plan JSON (or @file)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per runtime step."""
    parser = _Parser(
        prog=PROG, description="Move Flyte literals between the nodes of a workflow run."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from fcomp.runtime import connector, copilot, queries

    copilot.add_parsers(commands)
    connector.add_parsers(commands)
    queries.add_parsers(commands)
    common = [_common()]

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        """A subcommand taking the common options."""
        sub: argparse.ArgumentParser = commands.add_parser(
            name, parents=common, help=help_text, description=help_text
        )
        return sub

    start = command("start", "write the workflow inputs (start node outputs) from parameters")
    start.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="NAME=B64",
        help="an input and its base64 LiteralType (one per workflow input)",
    )
    start.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=TEXT",
        help="an input's value in its text form",
    )
    start.add_argument(
        "--param-b64",
        action="append",
        default=[],
        metavar="NAME=B64",
        help="an input's value in its text form, base64 of its UTF-8 bytes",
    )
    start.add_argument(
        "--fixed",
        action="append",
        default=[],
        metavar="NAME=B64",
        help="a fixed input's base64 Literal",
    )
    start.add_argument(
        "--default",
        action="append",
        default=[],
        metavar="NAME=B64",
        help="a launch-plan default with no text form (base64 Literal); an empty --param uses it",
    )
    start.add_argument(
        "--shift",
        action="append",
        default=[],
        metavar="NAME=ISO8601",
        help="add a duration to a datetime input (a cron schedule's offset)",
    )
    start.add_argument(
        "--inputs-from",
        default="",
        metavar="URI",
        help="a LiteralMap (a parent node's inputs.pb) giving input values",
    )

    bind = command("bind", "resolve a node's binding plan into its inputs.pb")
    _node(bind)
    _plan(bind)
    bind.add_argument("--task-template", help="base64 TaskTemplate to write as task.pb")
    bind.add_argument(
        "--attempt",
        type=_attempt,
        default=0,
        help="the attempt this is (0 first); a retry of a non-recoverable error is refused "
        "with exit status 3",
    )

    branch = command("branch", "bind a branch node and print the index of the case that runs")
    _node(branch)
    _plan(branch)
    branch.add_argument("--cases", required=True, help="JSON list of cases (or @file)")

    size = command("array-size", "bind an array node and print the length of its mapped inputs")
    _node(size)
    _plan(size)
    size.add_argument("--inputs", required=True, help="JSON list of the mapped input names")

    gather = command("gather", "gather an array node's element outputs into lists")
    _node(gather)
    gather.add_argument("--size", required=True, help="number of elements")
    gather.add_argument(
        "--outputs", required=True, help="JSON {name: base64 LiteralType} of the node's outputs"
    )
    gather.add_argument("--min-successes", default="", help="elements that must succeed")
    gather.add_argument("--min-success-ratio", default="", help="fraction that must succeed")

    outputs = command("outputs", "write the workflow outputs from a plan and print them as JSON")
    outputs.add_argument("--node", default="end-node", help="node path (default: end-node)")
    _plan(outputs)
    outputs.add_argument(
        "--report",
        default="",
        metavar="EXEC/PATH",
        help="also write the outputs as node PATH's outputs of execution EXEC",
    )

    signal = command("signal", "write a signal's value as the node's single output")
    _node(signal)
    signal.add_argument("--type", required=True, help="base64 LiteralType of the signal")
    signal.add_argument("--var", required=True, help="output name")
    signal.add_argument("--value", required=True, help="the value in its parameter text form")

    show = command("show", "print a node's outputs as JSON")
    _node(show)

    check = command("cache-check", "bind a cached task node; print hit (outputs written) or miss")
    _node(check)
    _plan(check)
    check.add_argument(
        "--key", required=True, help='JSON {"task", "version", "ignore", "overwrite"}'
    )

    retry = command(
        "retry-check",
        "refuse (exit status 3) a retry of an attempt that failed with a non-recoverable error",
    )
    _node(retry)
    retry.add_argument("--attempt", type=_attempt, required=True, help="this attempt (0 first)")
    retry.add_argument(
        "--done",
        action="store_true",
        help="print done when an earlier attempt left outputs (else run) before checking",
    )

    put = command("cache-put", "store a cached task node's outputs under the key of its inputs")
    _node(put)
    put.add_argument("--key", required=True, help="the same JSON as for cache-check")

    dyn = command("dynamic", "compile a dynamic task's futures.pb into a child workflow")
    _node(dyn)
    dyn.add_argument("--task", required=True, help="base64 TaskTemplate of the dynamic task")
    dyn.add_argument("--target", required=True, choices=["argo", "airflow"], help="what to build")
    dyn.add_argument("--manifest-out", required=True, help="file to write the manifest to")
    dyn.add_argument(
        "--json", action="store_true", help="write the manifest as a JSON string (null: none)"
    )
    dyn.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a build setting"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status (0, or 1 with an error on stderr)."""
    args = build_parser().parse_args(argv)
    from fcomp.runtime.commands import COMMANDS
    from fcomp.runtime.errors import StepError

    try:
        printed = COMMANDS[args.command](args)
    except StepError as failure:
        print(f"{PROG} {args.command}: error: {failure.message}", file=sys.stderr)
        return failure.status
    except Exception as error:  # a bug, not bad input: say so instead of a bare traceback
        print(
            f"{PROG} {args.command}: internal error: {type(error).__name__}: {error} "
            "(this is a bug in fcomp; please report it with the command line)",
            file=sys.stderr,
        )
        return 1
    if printed is not None:
        print(printed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
