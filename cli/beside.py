"""Run a function in a forked child while the caller goes on, on machines with several cores.

``fcomp build`` on a large input walks the loaded entities for the coverage pass in a child
while it compiles and lowers them itself. :func:`beside` forks a child that computes the
function and sends its result back pickled through a pipe; :meth:`Beside.result` collects it.
Where fork is missing, only one core is usable, or the child fails in any way (an exception,
a signal, a result that cannot be pickled), the function runs in the caller instead, so the
result is the same either way. The child leaves with ``os._exit``: it never runs the caller's
exit handlers or flushes its buffers. Fork early: every page of the caller that the child
shares is copied when either writes it (CPython writes reference counts on each read), so a
fork after the IR is built costs more than it saves.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Beside(Generic[T]):
    """A function's result, computed by a forked child or (failing that) by the caller."""

    def __init__(self, fn: Callable[[], T], fork: bool) -> None:
        self._fn = fn
        self._pid = 0
        self._read = -1
        if fork and hasattr(os, "fork") and cores() > 1:
            self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child
            code = 1
            try:
                os.close(read)
                data = pickle.dumps(self._fn(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def cancel(self) -> None:
        """Stop the child if its result was not collected."""
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.close(self._read)
            os.waitpid(self._pid, 0)
            self._pid = 0

    def result(self) -> T:
        """The result (waits for the child; computes it here when the child failed)."""
        if self._pid:
            with os.fdopen(self._read, "rb") as handle:
                data = handle.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if os.waitstatus_to_exitcode(status) == 0:
                try:
                    value: T = pickle.loads(data)
                    return value
                except Exception:
                    pass
        return self._fn()


def beside(fn: Callable[[], T], fork: bool = True) -> Beside[T]:
    """Start computing ``fn()`` beside the caller (``fork`` False: when asked, here)."""
    return Beside(fn, fork)
