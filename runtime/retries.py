"""Which failed attempts Flyte retries: only recoverable ones.

A task writes an ``ErrorDocument`` when it fails; flytekit marks a plain exception from user
code ``NON_RECOVERABLE`` and a ``FlyteRecoverableException`` (or a system error)
``RECOVERABLE``. FlytePropeller turns a non-recoverable error into a permanent failure, so the
task's ``retries`` are spent only on recoverable ones (and on attempts that left no error
document: a pod lost, killed or out of memory). An engine retries any failed attempt; the next
attempt's ``bind`` step asks :func:`check_retry` first and refuses to run the task again.
"""

from __future__ import annotations

from flyteidl.core import errors_pb2

from fcomp.runtime.codec import parse_message
from fcomp.runtime.contract import NOT_RETRIED
from fcomp.runtime.errors import NotRetriedError
from fcomp.runtime.failures import ERROR_FILE
from fcomp.runtime.storage import Storage


def _previous_attempt(storage: Storage, node: str, attempt: int) -> int | None:
    """The highest attempt folder of ``node`` below ``attempt`` (``None``: none exists)."""
    try:
        names = storage.backend.names(storage.data_dir(node))
    except OSError:
        return None
    earlier = [int(n) for n in names if n.isascii() and n.isdigit() and int(n) < attempt]
    return max(earlier, default=None)


def check_retry(storage: Storage, node: str, attempt: int) -> None:
    """Raise :class:`NotRetriedError` when attempt ``attempt`` (0 first) of ``node`` is a retry
    of an attempt whose error document says the error is not recoverable."""
    if attempt <= 0:
        return
    previous = _previous_attempt(storage, node, attempt)
    if previous is None:
        return
    path = storage.attempt_path(node, previous, ERROR_FILE)
    if not storage.backend.exists(path):
        return
    document = parse_message(
        storage.read(path, node), errors_pb2.ErrorDocument, f"node '{node}': {path}"
    )
    error = document.error
    if error.kind != errors_pb2.ContainerError.Kind.NON_RECOVERABLE:
        return
    lines = error.message.strip().splitlines()
    summary = f"{error.code}: {lines[-1].strip()}" if lines else error.code
    raise NotRetriedError(
        f"node '{node}' attempt {previous} failed with a {NOT_RETRIED} (Flyte retries only "
        f"recoverable errors, such as FlyteRecoverableException): {summary}"
    )
