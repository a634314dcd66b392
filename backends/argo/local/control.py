"""Stopping a run: a token every wait checks, set by a deadline or by the caller's timeout.

A workflow's ``activeDeadlineSeconds`` stops its main part; the local ``timeout_s`` stops
everything, exit handler included. Processes poll the token and are killed when it is set;
suspend and retry back-off sleeps wake up at once.
"""

from __future__ import annotations

import threading


class StopToken:
    """Set once, with the reason nodes cut short report."""

    def __init__(self, parent: StopToken | None = None) -> None:
        self._event = threading.Event()
        self._parent = parent
        self._reason = ""
        self._timers: list[threading.Timer] = []

    @property
    def stopped(self) -> bool:
        """Whether this token or its parent is set."""
        return self._event.is_set() or (self._parent is not None and self._parent.stopped)

    @property
    def reason(self) -> str:
        """Why the run was stopped (the first reason given)."""
        if self._event.is_set():
            return self._reason
        return self._parent.reason if self._parent is not None else ""

    def stop(self, reason: str) -> None:
        """Set the token (later calls keep the first reason)."""
        if not self._event.is_set():
            self._reason = reason
            self._event.set()

    def stop_after(self, seconds: float, reason: str) -> None:
        """Set the token after ``seconds`` unless :meth:`close` is called first."""
        timer = threading.Timer(max(seconds, 0.0), self.stop, args=(reason,))
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def close(self) -> None:
        """Cancel pending timers."""
        for timer in self._timers:
            timer.cancel()

    def sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; ``False`` when the token was set meanwhile."""
        step = 0.05
        remaining = max(seconds, 0.0)
        while remaining > 0:
            if self.stopped:
                return False
            chunk = min(step, remaining)
            self._event.wait(chunk)
            remaining -= chunk
        return not self.stopped
