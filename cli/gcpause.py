"""Commands that build large object graphs run with Python's cyclic garbage collector paused.

A compile makes hundreds of thousands of small objects that live until the command ends and
form no cycles; each collection would scan all of them again, which turns linear work
quadratic on large workflows. At the end the objects are frozen (never scanned again) before
collection resumes, so a process that goes on (tests, ``fcomp run``) pays no full scan.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def gc_paused(fn: F) -> F:
    """Run ``fn`` with the garbage collector off; freeze what it made, then turn it back on."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.freeze()
                gc.enable()

    return wrapper  # type: ignore[return-value]
