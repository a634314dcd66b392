"""Generated documentation: sections of README.md and docs/*.md written from the code.

A generated section sits between two markers::

    <!-- fcomp:begin NAME -->
    ...
    <!-- fcomp:end NAME -->

and its text comes from the section writer registered under NAME in :data:`SECTIONS`
(configuration reference, supported constructs, example coverage, commands).
``python -m fcomp.cli.docs`` (or ``tools/gen-docs``) rewrites them; ``--check`` exits 1 with a
diff when any is stale, which a test runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

#: A section writer: the Markdown between the markers (without them), given the repository
#: root (some sections read the bundled examples).
Writer = Callable[[Path], str]

SECTIONS: dict[str, Writer] = {}


def section(name: str) -> Callable[[Writer], Writer]:
    """Register the writer of section ``name`` (each name once)."""

    def wrap(fn: Writer) -> Writer:
        assert name not in SECTIONS, f"docs section {name!r} registered twice"
        SECTIONS[name] = fn
        return fn

    return wrap


def load_sections() -> dict[str, Writer]:
    """Every section writer (importing the modules that register them)."""
    from fcomp.cli.docs import commands, configref, constructs, coverage  # noqa: F401

    return SECTIONS
