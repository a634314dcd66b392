"""The loaders' internal failure type, turned into a diagnostic at the file boundary."""

from __future__ import annotations

from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source


def one_line(text: str, limit: int = 400) -> str:
    """``text`` on one line (library messages span several), shortened to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class InputError(Exception):
    """An input cannot be loaded; ``code`` is a diagnostic code from :mod:`fcomp.compiler.codes`."""

    code: str = codes.LOAD_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def diagnostic(self, file: str) -> Diagnostic:
        """This failure as an error diagnostic about ``file``."""
        return Diagnostic(Severity.ERROR, self.code, self.message, Source(file=file))


class UnsafeArchiveError(InputError):
    """An archive is hostile or too large; nothing from it is loaded."""

    code = codes.UNSAFE_ARCHIVE
