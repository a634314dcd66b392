"""Read plain files and list folders, within the size and count limits."""

from __future__ import annotations

import os
import stat

from fcomp.idl.errors import InputError


def describe_os_error(exc: OSError) -> str:
    """A short, path-free description of an OS error."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


def stat_path(path: str) -> os.stat_result:
    """``os.stat`` with errors as :class:`InputError`."""
    try:
        return os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read: {describe_os_error(exc)}") from None
    except ValueError as exc:  # e.g. an embedded NUL in the path
        raise InputError(f"cannot read: {exc}") from None


def read_file(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Devices and FIFOs are refused before opening (opening a FIFO would block).
    """
    if not stat.S_ISREG(stat_path(path).st_mode):
        raise InputError("not a regular file")
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise InputError(f"the file has {size} bytes, over the limit of {limit}")
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {describe_os_error(exc)}") from None
    if len(data) > limit:
        raise InputError(f"the file has more than {limit} bytes, over the limit")
    return data


def list_folder(path: str) -> list[str]:
    """The names of the regular files directly inside a folder, sorted by name."""
    try:
        with os.scandir(path) as entries:
            return sorted(e.name for e in entries if e.is_file())
    except OSError as exc:
        raise InputError(f"cannot list the folder: {describe_os_error(exc)}") from None
