"""SVG and PNG pictures through Graphviz's ``dot`` program, when it is installed."""

from __future__ import annotations

import shutil
import subprocess

#: Output formats ``dot`` is asked for, by fcomp's format name.
FORMATS = {"svg": "svg", "png": "png"}

#: Seconds a single ``dot`` run may take before it is treated as failed.
TIMEOUT_S = 120


class GraphvizMissingError(Exception):
    """``dot`` is not on PATH."""


class GraphvizFailedError(Exception):
    """``dot`` ran but did not produce a picture."""


def find_dot() -> str | None:
    """The path of Graphviz's ``dot`` program, or None when it is not installed."""
    return shutil.which("dot")


def render(dot_text: str, fmt: str) -> bytes:
    """Render DOT text as ``svg`` or ``png`` bytes with Graphviz."""
    program = find_dot()
    if program is None:
        raise GraphvizMissingError(
            f"--format {fmt} needs Graphviz's 'dot' program, which is not on PATH; install "
            "Graphviz (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz, "
            "conda: conda install graphviz) or use --format dot or --format mermaid"
        )
    try:
        done = subprocess.run(
            [program, f"-T{FORMATS[fmt]}"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GraphvizFailedError(f"running {program}: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GraphvizFailedError(f"{program} exited with {done.returncode}: {message}")
    return done.stdout
