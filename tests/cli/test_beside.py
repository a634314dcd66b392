"""``fcomp.cli.beside``: a function computed by a forked child gives the same result as
computed by the caller; a failing child, or no fork, leaves the caller to compute it."""

from __future__ import annotations

import os
import time

import pytest

from fcomp.cli import beside as beside_module
from fcomp.cli.beside import beside

needs_fork = pytest.mark.skipif(
    not hasattr(os, "fork") or beside_module.cores() < 2, reason="needs fork and two cores"
)


@needs_fork
def test_the_child_computes_the_result() -> None:
    parent = os.getpid()
    job = beside(lambda: (os.getpid(), {"big": list(range(100_000))}))
    pid, value = job.result()
    assert pid != parent
    assert value == {"big": list(range(100_000))}


@needs_fork
def test_a_failing_child_leaves_it_to_the_caller() -> None:
    parent = os.getpid()

    def only_here() -> int:
        if os.getpid() != parent:
            raise RuntimeError("fails in the child")
        return 7

    assert beside(only_here).result() == 7


@needs_fork
def test_a_result_that_cannot_be_pickled_is_computed_here() -> None:
    parent = os.getpid()
    assert beside(lambda: lambda: os.getpid()).result()() == parent


def test_without_fork_it_runs_when_asked() -> None:
    calls: list[int] = []
    job = beside(lambda: calls.append(os.getpid()) or len(calls), fork=False)
    assert calls == []
    assert job.result() == 1 and calls == [os.getpid()]


@needs_fork
def test_cancel_stops_a_child_whose_result_is_not_wanted() -> None:
    job = beside(lambda: time.sleep(60))
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 10
    job.cancel()  # twice is harmless
