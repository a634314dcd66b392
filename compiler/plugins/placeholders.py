"""Turn Flyte's template variables in container strings into :class:`~.units.Text` values."""

from __future__ import annotations

import re

from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, Text

#: Flyte's template variable syntax (case-insensitive ``{{ .Name }}`` or ``{{ $Name }}``).
_VARIABLE = re.compile(r"\{\{\s*[.$]([A-Za-z0-9_.\-]+)\s*\}\}")

_BY_NAME = {k.value.lower(): k for k in PlaceholderKind if k is not PlaceholderKind.INPUT_VALUE}
_BY_NAME.pop("executionid")
_BY_NAME.pop("attempt")


class UnknownVariableError(ValueError):
    """A ``{{.name}}`` Flyte does not define."""


def parse_text(value: str) -> Text:
    """Split ``value`` into plain parts and Flyte template variables."""
    parts: list[str | Placeholder] = []
    pos = 0
    for m in _VARIABLE.finditer(value):
        parts.append(value[pos : m.start()])
        name = m.group(1)
        lowered = name.lower()
        if lowered.startswith("inputs."):
            parts.append(Placeholder(PlaceholderKind.INPUT_VALUE, name[len("inputs.") :]))
        elif lowered in _BY_NAME:
            parts.append(Placeholder(_BY_NAME[lowered]))
        else:
            raise UnknownVariableError(name)
        pos = m.end()
    parts.append(value[pos:])
    return Text.of(*parts)
