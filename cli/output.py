"""Printing diagnostics: one line each on a terminal (colour only on a TTY), or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TextIO

from fcomp.compiler.codes import CODES
from fcomp.compiler.diagnostics import Diagnostic, Severity

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.NOTE: "\x1b[36m"}
_RESET = "\x1b[0m"


def print_diagnostics(
    diagnostics: Iterable[Diagnostic],
    *,
    fmt: str = "text",
    stream: TextIO | None = None,
    hints: bool = True,
) -> None:
    """Print diagnostics in ``text`` (``file:entity:node: severity: message [Code]``) or
    ``json`` (one object per line) form."""
    out = stream if stream is not None else sys.stderr
    if fmt == "json":
        for d in diagnostics:
            out.write(json.dumps(d.to_json(), sort_keys=True) + "\n")
        return
    colour = out.isatty()
    seen_hints: set[str] = set()
    for d in diagnostics:
        line = d.render()
        if colour:
            word = d.severity.value
            line = line.replace(f" {word}: ", f" {_COLOURS[d.severity]}{word}{_RESET}: ", 1)
        out.write(line + "\n")
        hint = CODES[d.code].hint if d.code in CODES else ""
        if hints and hint and d.code not in seen_hints:
            seen_hints.add(d.code)
            out.write(f"  hint: {hint}\n")
