"""Errors of a failed execution, for its failure node (Flyte passes a ``FlyteError`` input).

Tasks write ``error.pb`` (an ``ErrorDocument``) into their attempt folder when they fail; the
runtime's own failing steps (a branch with no case) do the same. The failure node's ``error``
plan reads them back.
"""

from __future__ import annotations

from typing import Any

from flyteidl.core import errors_pb2, literals_pb2

from fcomp.runtime.codec import parse_message, serialize
from fcomp.runtime.storage import Storage

ERROR_FILE = "error.pb"
#: How deep node folders are searched (subworkflows, dynamic children, array elements).
MAX_DEPTH = 12


def write_error(storage: Storage, node: str, message: str, code: str = "USER:Failed") -> None:
    """Record a step's failure as the node's ``error.pb`` (attempt 0)."""
    document = errors_pb2.ErrorDocument()
    document.error.code = code
    document.error.message = message
    document.error.kind = errors_pb2.ContainerError.Kind.NON_RECOVERABLE
    storage.write(storage.attempt_path(node, 0, ERROR_FILE), serialize(document), node)


def _node_folders(storage: Storage) -> list[str]:
    """Every node path of the execution that has a ``data`` folder, in sorted order."""
    found: list[str] = []
    stack: list[tuple[str, int]] = [("", 0)]
    while stack:
        prefix, depth = stack.pop()
        base = f"{storage.root}/{prefix}".rstrip("/")
        try:
            names = storage.backend.names(base)
        except OSError:
            continue
        for name in names:
            if name == "data" and prefix:
                found.append(prefix)
            elif name != "data" and depth < MAX_DEPTH:
                stack.append((f"{prefix}/{name}".lstrip("/"), depth + 1))
    return sorted(found)


def find_failure(storage: Storage) -> tuple[str, str] | None:
    """(node path, message) of the first node (by path) whose latest attempt failed."""
    for node in _node_folders(storage):
        directory = storage.data_dir(node)
        try:
            attempts = sorted(
                (int(n) for n in storage.backend.names(directory) if n.isdigit()), reverse=True
            )
        except OSError:
            continue
        for attempt in attempts[:1]:
            path = storage.attempt_path(node, attempt, ERROR_FILE)
            if storage.backend.exists(path):
                document = parse_message(
                    storage.read(path, node), errors_pb2.ErrorDocument, f"node '{node}': {path}"
                )
                return node, document.error.message
    return None


def error_literal(storage: Storage) -> Any:
    """The ``Error`` literal the failure node receives."""
    found = find_failure(storage)
    node, message = found if found is not None else ("", "the workflow failed")
    literal = literals_pb2.Literal()
    literal.scalar.error.failed_node_id = node
    literal.scalar.error.message = message
    return literal
