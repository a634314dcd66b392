"""Printing diagnostics: one line each on a terminal (colour only on a TTY), or JSON."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from fcomp.compiler.codes import CODES
from fcomp.compiler.diagnostics import Diagnostic, Severity

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.NOTE: "\x1b[36m"}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


#: The JSON schema every ``--format json`` line follows (shipped with the package).
SCHEMA_PATH = Path(__file__).with_name("diagnostics.schema.json")


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic as the JSON object of ``--format json``, hint included."""
    hint = CODES[d.code].hint if d.code in CODES else ""
    return {**d.to_json(), "hint": hint}


def print_diagnostics(
    diagnostics: Iterable[Diagnostic],
    *,
    fmt: str = "text",
    stream: TextIO | None = None,
    hints: bool = True,
) -> None:
    """Print diagnostics in ``text`` (``file:entity:node: severity: message [Code]``, then the
    code's hint the first time it appears) or ``json`` (one object per line, see
    :data:`SCHEMA_PATH`) form."""
    out = stream if stream is not None else sys.stderr
    if fmt == "json":
        for d in diagnostics:
            out.write(json.dumps(diagnostic_json(d), sort_keys=True) + "\n")
        return
    colour = use_colour(out)
    seen_hints: set[str] = set()
    for d in diagnostics:
        line = d.render()
        if colour:
            where = d.source.render()
            rest = line[len(where) + 2 :] if where else line
            word = d.severity.value
            rest = f"{_COLOURS[d.severity]}{word}{_RESET}{rest[len(word) :]}"
            line = f"{_BOLD}{where}:{_RESET} {rest}" if where else rest
        out.write(line + "\n")
        hint = CODES[d.code].hint if d.code in CODES else ""
        if hints and hint and d.code not in seen_hints:
            seen_hints.add(d.code)
            out.write(f"  hint: {hint}\n")
