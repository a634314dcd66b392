"""Progress lines on stderr for long builds: shown on a terminal only, unless forced.

On a terminal each step overwrites the previous one (``\\r`` and clear-to-end-of-line) and the
line is cleared when the build ends, so diagnostics and the final output stay readable. Forced
on (``--progress``) without a terminal, each step is a plain line, which CI logs keep.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: A terminal line is redrawn at most this often (seconds), except for the last step.
REDRAW_S = 0.05
_CLEAR = "\r\x1b[K"


class Progress:
    """Reports phases and counted steps; does nothing when inactive."""

    def __init__(self, stream: TextIO, active: bool, live: bool) -> None:
        self.stream = stream
        self.active = active
        self.live = live
        self._drawn = False
        self._last = 0.0

    @classmethod
    def open(cls, forced: bool | None, stream: TextIO | None = None) -> Progress:
        """Progress on ``stream`` (stderr): on when it is a terminal, or as ``forced`` says."""
        out = stream if stream is not None else sys.stderr
        tty = out.isatty()
        active = tty if forced is None else forced
        return cls(out, active, live=active and tty)

    def _show(self, text: str, final: bool = False) -> None:
        if not self.active:
            return
        if not self.live:
            self.stream.write(text + "\n")
            self.stream.flush()
            return
        now = time.monotonic()
        if not final and self._drawn and now - self._last < REDRAW_S:
            return
        self._last = now
        self.stream.write(_CLEAR + text)
        self.stream.flush()
        self._drawn = True

    def phase(self, text: str) -> None:
        """A step whose length is not known (loading, checking)."""
        self._show(f"fcomp: {text}…", final=True)

    def step(self, index: int, total: int, text: str) -> None:
        """Step ``index`` of ``total`` (1-based)."""
        width = len(str(total))
        self._show(f"fcomp: [{index:>{width}}/{total}] {text}", final=index == total)

    def done(self) -> None:
        """Clear the terminal line (nothing to clear in plain-line mode)."""
        if self.live and self._drawn:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self._drawn = False
