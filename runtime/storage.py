"""Where a run's data lives: node paths under ``<prefix>/<exec>/``, atomic writes, latest attempt.

A prefix is a local path or ``file://`` URL (plain ``os`` calls, write-then-rename) or any other
fsspec URL (``s3://``, ``gs://``, ...: one put of the whole object). fsspec is imported only for
the latter, so a local run starts fast.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, TypeVar

from fcomp.runtime.errors import OutputsMissingError, StepError

T = TypeVar("T")

#: Node paths are ``/``-joined ids (``n3/n1-n0``, ``n2/7``), other characters percent-encoded.
_COMPONENT = re.compile(r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+")
#: Characters an execution id may keep; the others become ``-`` (Airflow run ids have ``:+``).
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")

OUTPUTS = "outputs.pb"
INPUTS = "inputs.pb"


def safe_execution_id(execution: str) -> str:
    """The execution id made path-safe: characters outside ``[A-Za-z0-9._-]`` become ``-``."""
    safe = _UNSAFE.sub("-", execution)
    if safe in ("", ".", ".."):
        raise StepError(f"execution id {execution!r} is not usable as a path component")
    return safe


def check_node_path(node: str) -> str:
    """``node`` if it is a valid node path (``n0``, ``n3/n1-n0``, ``n2/7``), else a failure."""
    parts = node.split("/")
    if not all(_COMPONENT.fullmatch(p) and p not in (".", "..") for p in parts):
        raise StepError(
            f"node path {node!r} is not valid: use '/'-joined ids of letters, digits, '.', '_', "
            "'-' and percent-encoded characters"
        )
    return node


class Backend(Protocol):
    """The few file operations the runtime needs, on one file system."""

    def read(self, path: str) -> bytes:
        """The whole file; FileNotFoundError when it does not exist."""

    def write(self, path: str, data: bytes) -> None:
        """Replace the file with ``data`` so no reader ever sees part of it."""

    def exists(self, path: str) -> bool:
        """Whether the file exists."""

    def names(self, path: str) -> list[str]:
        """Base names in a directory (empty when it does not exist)."""


class LocalBackend:
    """Local disk: write a temporary file beside the target, flush it, then ``os.replace``."""

    def read(self, path: str) -> bytes:
        """The whole file."""
        with open(path, "rb") as handle:
            return handle.read()

    def write(self, path: str, data: bytes) -> None:
        """Atomic on POSIX: readers see the old file or the new one, never a partial one."""
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def exists(self, path: str) -> bool:
        """Whether the file exists."""
        return os.path.isfile(path)

    def names(self, path: str) -> list[str]:
        """Entries of a directory."""
        try:
            return os.listdir(path)
        except (FileNotFoundError, NotADirectoryError):
            return []


class FsspecBackend:
    """Any fsspec file system; object stores put a whole object at once, so writes are atomic."""

    def __init__(self, fs: Any) -> None:
        self.fs = fs

    def read(self, path: str) -> bytes:
        """The whole object."""
        data: bytes = self.fs.cat_file(path)
        return data

    def write(self, path: str, data: bytes) -> None:
        """One put of the whole object."""
        self.fs.pipe_file(path, data)

    def exists(self, path: str) -> bool:
        """Whether the object exists."""
        return bool(self.fs.isfile(path))

    def names(self, path: str) -> list[str]:
        """Base names under a prefix."""
        try:
            entries = self.fs.ls(path, detail=False)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [str(entry).rstrip("/").rsplit("/", 1)[-1] for entry in entries]


def _local(url: str) -> tuple[Backend, str]:
    return LocalBackend(), os.path.abspath(url.removeprefix("file://"))


def _remote(url: str) -> tuple[Backend, str]:
    import fsspec  # only object stores pay for fsspec's import

    try:
        fs, root = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as error:
        raise StepError(f"storage prefix {url!r} cannot be opened: {error}") from error
    protocol = fs.protocol[0] if isinstance(fs.protocol, tuple | list) else fs.protocol
    return FsspecBackend(fs), f"{protocol}://{root}" if protocol not in ("file", "local") else root


#: How to open a URL, by its scheme (``""`` for a plain path).
_OPENERS: dict[str, Callable[[str], tuple[Backend, str]]] = {"": _local, "file": _local}


def open_url(url: str) -> tuple[Backend, str]:
    """The backend for a URL or path and the root path to use with it."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return _OPENERS.get(scheme, _remote)(url)


def read_uri(uri: str, what: str) -> bytes:
    """The bytes at any URI (an offloaded literal), with an error naming ``what`` it is."""
    backend, path = open_url(uri)
    return _guarded(lambda: backend.read(path), f"cannot read {what} at {uri}")


def _guarded(action: Callable[[], T], context: str) -> T:
    """Run a storage action; turn storage errors into a failure saying ``context``."""
    try:
        return action()
    except FileNotFoundError as error:
        raise StepError(f"{context}: it does not exist") from error
    except PermissionError as error:
        raise StepError(f"{context}: permission denied ({error})") from error
    except OSError as error:
        raise StepError(f"{context}: {error}") from error


class Storage:
    """The data of one execution: ``<prefix>/<exec>/<node path>/data/...``."""

    def __init__(self, prefix: str, execution: str) -> None:
        if not prefix:
            raise StepError("the storage prefix is empty")
        self.prefix = prefix
        self.backend, root = open_url(prefix)
        self.base = root.rstrip("/")
        self.root = f"{self.base}/{safe_execution_id(execution)}"

    def of_execution(self, execution: str) -> Storage:
        """The storage of another execution under the same prefix (a parent or child run)."""
        return Storage(self.prefix, execution)

    def data_dir(self, node: str) -> str:
        """``<prefix>/<exec>/<node>/data``."""
        return f"{self.root}/{check_node_path(node)}/data"

    def inputs_path(self, node: str) -> str:
        """Where a node's input literal map lives."""
        return f"{self.data_dir(node)}/{INPUTS}"

    def attempt_path(self, node: str, attempt: int, name: str) -> str:
        """A file of one attempt: ``data/<attempt>/<name>``."""
        return f"{self.data_dir(node)}/{attempt}/{name}"

    def write(self, path: str, data: bytes, node: str) -> None:
        """Atomically write ``data`` at ``path``, failing with the node and path named."""
        _guarded(lambda: self.backend.write(path, data), f"node '{node}': cannot write {path}")

    def read(self, path: str, node: str) -> bytes:
        """The bytes at ``path``, failing with the node and path named."""
        return bytes(
            _guarded(lambda: self.backend.read(path), f"node '{node}': cannot read {path}")
        )

    def latest_outputs(self, node: str) -> str:
        """Path of the ``outputs.pb`` of the highest attempt that has one."""
        directory = self.data_dir(node)
        names = _guarded(
            lambda: self.backend.names(directory), f"node '{node}': cannot list {directory}"
        )
        for attempt in sorted((int(n) for n in names if n.isdigit()), reverse=True):
            path = self.attempt_path(node, attempt, OUTPUTS)
            if _guarded(partial(self.backend.exists, path), f"node '{node}': cannot read {path}"):
                return path
        raise OutputsMissingError(node, f"{directory}/<attempt>/")
