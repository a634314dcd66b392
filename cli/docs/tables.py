"""Markdown tables."""

from __future__ import annotations

import re
from collections.abc import Sequence


def cell(text: str) -> str:
    """Text safe inside a table cell (pipes escaped, one line)."""
    return " ".join(text.replace("|", "\\|").split())


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


def summary(doc: str | None) -> str:
    """A docstring's first paragraph on one line, Sphinx roles (``:mod:`x```) as code."""
    if not doc:
        return ""
    first = " ".join(doc.strip().split("\n\n")[0].split())
    return _ROLE.sub(r"`\1`", first).replace("``", "`")
