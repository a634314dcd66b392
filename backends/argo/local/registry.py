"""Executors by template kind, filled by the ``@executor("kind")`` decorator.

Each executor runs one node of its kind to a final phase (see :mod:`engine`); the engine looks
the kind up here. A kind with no executor is reported on the node, never a ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fcomp.backends.argo.local.engine import Invocation

Executor = Callable[["Invocation"], None]

#: Template kind -> (executor, the node type its nodes get).
EXECUTORS: dict[str, tuple[Executor, str]] = {}

#: Kinds Argo has that do not run locally, with the reason given.
UNSUPPORTED = {
    "steps": "steps templates are not supported by the local executor (fcomp emits DAGs)",
    "containerSet": "containerSet templates are not supported by the local executor",
    "http": "http templates are not supported by the local executor",
    "plugin": "plugin templates are not supported by the local executor",
    "data": "data templates are not supported by the local executor",
}


def executor(kind: str, node_type: str) -> Callable[[Executor], Executor]:
    """Register the executor of template ``kind``, whose nodes have ``node_type``."""

    def register(function: Executor) -> Executor:
        assert kind not in EXECUTORS, f"executor for {kind!r} registered twice"
        EXECUTORS[kind] = (function, node_type)
        return function

    return register


def lookup(kind: str | None) -> tuple[Executor, str] | str:
    """The executor and node type of ``kind``, or why it cannot run."""
    if kind is None:
        return "template has no container, script, dag, suspend or resource"
    if kind in EXECUTORS:
        return EXECUTORS[kind]
    return UNSUPPORTED.get(kind, f"template kind '{kind}' is not supported by the local executor")
