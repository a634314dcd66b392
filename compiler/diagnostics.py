"""Diagnostics: what every layer reports about its input, and where it points.

A :class:`Diagnostic` carries a severity, a stable code (see :mod:`fcomp.compiler.codes`), a
message and a :class:`Source` naming the file, entity, node and field it is about. It renders as
``file:entity:node: severity: message [Code]``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fcomp.compiler.frozen import fast_init


class Severity(enum.Enum):
    """How bad a diagnostic is; only errors stop a build."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@fast_init
@dataclass(frozen=True, slots=True)
class Source:
    """Where something came from: input file, Flyte entity, node id and field path."""

    file: str = ""
    entity: str = ""
    node: str = ""
    field: str = ""

    def at(self, *, node: str | None = None, field: str | None = None) -> Source:
        """Return this source narrowed to a node and/or field."""
        return Source(
            self.file,
            self.entity,
            self.node if node is None else node,
            self.field if field is None else field,
        )

    def render(self) -> str:
        """Render as ``file:entity:node`` (empty parts left out)."""
        return ":".join(p for p in (self.file, self.entity, self.node) if p)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the input."""

    severity: Severity
    code: str
    message: str
    source: Source = Source()

    def render(self) -> str:
        """The one-line text form ``file:entity:node: severity: message [Code]``."""
        where = self.source.render()
        field = f" (field {self.source.field})" if self.source.field else ""
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity.value}: {self.message}{field}  [{self.code}]"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of this diagnostic (the ``--format json`` form)."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.source.file,
            "entity": self.source.entity,
            "node": self.source.node,
            "field": self.source.field,
        }


class Diagnostics:
    """An ordered collector of diagnostics shared by the passes of one run."""

    def __init__(self, items: Iterable[Diagnostic] = ()) -> None:
        self._items: list[Diagnostic] = list(items)

    def add(self, diagnostic: Diagnostic) -> None:
        """Record one diagnostic."""
        self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Record several diagnostics."""
        self._items.extend(diagnostics)

    def error(self, code: str, message: str, source: Source) -> Diagnostic:
        """Record and return an error."""
        diagnostic = Diagnostic(Severity.ERROR, code, message, source)
        self._items.append(diagnostic)
        return diagnostic

    def warning(self, code: str, message: str, source: Source) -> Diagnostic:
        """Record and return a warning."""
        diagnostic = Diagnostic(Severity.WARNING, code, message, source)
        self._items.append(diagnostic)
        return diagnostic

    @property
    def has_errors(self) -> bool:
        """Whether any recorded diagnostic is an error."""
        return any(d.severity is Severity.ERROR for d in self._items)

    @property
    def errors(self) -> list[Diagnostic]:
        """The recorded errors, in order."""
        return [d for d in self._items if d.severity is Severity.ERROR]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics in a stable order: by file, entity, node, then as recorded."""
        indexed = list(enumerate(self._items))
        indexed.sort(key=lambda p: (p[1].source.file, p[1].source.entity, p[1].source.node, p[0]))
        return [d for _, d in indexed]


class CompileError(Exception):
    """Raised to stop a run that produced error diagnostics."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("; ".join(d.render() for d in self.diagnostics[:3]))
