"""The ``fcomp`` command line.

Exit codes: 0 success, 1 the input has errors (diagnostics printed), 2 usage error,
3 internal error (a bug in fcomp).
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from fcomp.cli import commands
from fcomp.cli.files import WriteError

EXIT_OK = 0
EXIT_DIAGNOSTICS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  fcomp validate pkg.tgz
  fcomp inspect pkg.tgz
  fcomp build --target argo pkg.tgz -o argo/
  fcomp build --target airflow pkg.tgz -o dags/
  fcomp graph pkg.tgz --workflow my_wf -o my_wf.svg
  fcomp explain MismatchingTypes

\b
Exit codes: 0 ok, 1 errors in the input (diagnostics printed) or --check found
differences, 2 usage error (bad option, missing argument, Graphviz missing for
svg/png), 3 internal error (a bug in fcomp: please report it).
""",
)
@click.version_option(package_name="fcomp", prog_name="fcomp")
def cli() -> None:
    """Compile registered Flyte workflows into Argo Workflows YAML or Airflow DAG files."""


for command in commands.ALL:
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the CLI and maps failures to exit codes."""
    try:
        code = cli.main(args=argv, prog_name="fcomp", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except WriteError as exc:  # the system refused an output file: nothing was left behind
        click.echo(f"fcomp: {exc}", err=True)
        sys.exit(EXIT_DIAGNOSTICS)
    except BrokenPipeError:
        # whoever read stdout stopped early (`fcomp build -o - | head`): nothing went wrong here
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except Exception:  # an fcomp bug: say so, with the traceback for the report
        click.echo(
            "fcomp: internal error (this is a bug in fcomp, not in your input; "
            "please report it with the input and this output):",
            err=True,
        )
        traceback.print_exc()
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
