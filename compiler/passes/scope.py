"""Error scopes: collect diagnostics and tell whether a part of a check went wrong."""

from __future__ import annotations

from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.compiler.messages import Message


class Scope:
    """A counter of errors reported within one check, forwarding them to its parents.

    A scope made with :meth:`trial` keeps its errors to itself: it answers "would this check
    pass?" without reporting anything (used to try union variants).
    """

    def __init__(self, sink: list[Diagnostic] | None, parent: Scope | None = None) -> None:
        self._sink = sink
        self._parent = parent
        self.errors = 0

    def child(self) -> Scope:
        """A nested scope whose errors also count here."""
        return Scope(self._sink, self)

    @staticmethod
    def trial() -> Scope:
        """A detached scope that records nothing."""
        return Scope(None)

    @property
    def ok(self) -> bool:
        """Whether no error was reported in this scope."""
        return self.errors == 0

    def warn(self, message: Message, source: Source, **fields: object) -> None:
        """Report a warning (no error is counted)."""
        if self._sink is not None:
            self._sink.append(
                Diagnostic(Severity.WARNING, message.code, message.format(**fields), source)
            )

    def report(self, message: Message, source: Source, **fields: object) -> None:
        """Report an error built from a message template."""
        scope: Scope | None = self
        while scope is not None:
            scope.errors += 1
            scope = scope._parent
        if self._sink is not None:
            self._sink.append(
                Diagnostic(Severity.ERROR, message.code, message.format(**fields), source)
            )
