"""Safe, in-memory reading of tar archives (``pyflyte package`` output).

Members are never extracted: their bytes are read into memory through a
:class:`~fcomp.idl.stream.BoundedReader`. Every member header is checked before its body is read;
absolute paths, ``..`` components, links, devices, FIFOs, sparse files, odd member types,
non-printable names, duplicate names, and sizes or counts over the
:class:`~fcomp.idl.limits.Limits` make the whole archive refused with an ``UnsafeArchive``
diagnostic, so nothing from a hostile archive reaches the compiler.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fcomp.idl.errors import InputError, UnsafeArchiveError
from fcomp.idl.limits import Limits
from fcomp.idl.stream import BoundedReader, open_decoded

#: File names that mark an archive, checked case-insensitively.
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar")

_DRIVE = re.compile(r"^[A-Za-z]:")


def is_archive_name(name: str) -> bool:
    """Whether ``name`` ends with one of :data:`ARCHIVE_SUFFIXES`."""
    return name.lower().endswith(ARCHIVE_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Member:
    """One wanted archive member, read into memory."""

    name: str
    data: bytes


def _name_problem(name: str) -> str | None:
    """Why a member name is unsafe, or None."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "has an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "has a '..' path component"
    if not name.isprintable():
        return "has a name with non-printable characters"
    return None


#: Member types that are refused, each with the reason shown to the user.
_REFUSED_TYPES: tuple[tuple[Callable[[tarfile.TarInfo], bool], str], ...] = (
    (tarfile.TarInfo.issym, "is a symbolic link"),
    (tarfile.TarInfo.islnk, "is a hard link"),
    (tarfile.TarInfo.ischr, "is a character device"),
    (tarfile.TarInfo.isblk, "is a block device"),
    (tarfile.TarInfo.isfifo, "is a FIFO"),
    (tarfile.TarInfo.issparse, "is a sparse file"),
)


def _type_problem(info: tarfile.TarInfo) -> str | None:
    """Why a member's type is unsafe, or None for regular files and directories."""
    for test, reason in _REFUSED_TYPES:
        if test(info):
            return reason
    if not (info.isreg() or info.isdir()):
        return f"has an unsupported member type {info.type!r}"
    return None


class _Checker:
    """Checks members one by one as the archive is walked."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.count = 0
        self.total = 0
        self.names: set[str] = set()

    def check(self, info: tarfile.TarInfo) -> None:
        """Raise :class:`UnsafeArchiveError` if ``info`` is unsafe."""
        self.count += 1
        if self.count > self.limits.max_members:
            self._refuse(f"has more than {self.limits.max_members} members")
        problem = _name_problem(info.name) or _type_problem(info)
        if problem:
            self._refuse(f"member {info.name!r} {problem}")
        if info.size < 0:
            self._refuse(f"member {info.name!r} declares a negative size")
        if info.size > self.limits.max_file_bytes:
            self._refuse(
                f"member {info.name!r} declares {info.size} bytes, "
                f"over the limit of {self.limits.max_file_bytes}"
            )
        self.total += info.size
        if self.total > self.limits.max_total_bytes:
            self._refuse(f"members add up to more than {self.limits.max_total_bytes} bytes")
        key = info.name.removeprefix("./")
        if key in self.names and not info.isdir():
            self._refuse(f"member {info.name!r} appears more than once")
        self.names.add(key)

    def _refuse(self, why: str) -> None:
        raise UnsafeArchiveError(f"unsafe archive: {why}; nothing was loaded from it")


def read_members(path: Path, wanted: Callable[[str], bool], limits: Limits) -> list[Member]:
    """Read the regular members whose name passes ``wanted``, sorted by name.

    Every member is checked, wanted or not; the first unsafe one refuses the whole archive. The
    stream is read to its end, so a damaged header or a truncated or corrupt gzip stream is
    reported rather than taken for the end of the archive. Raises :class:`InputError`.
    """
    checker = _Checker(limits)
    members: list[Member] = []
    with path.open("rb") as raw:
        reader = BoundedReader(
            open_decoded(raw),
            max_total=limits.max_total_bytes,
            max_read=limits.max_file_bytes + tarfile.BLOCKSIZE,
            name=str(path),
        )
        try:
            archive = tarfile.TarFile(fileobj=reader, mode="r")
            for info in archive:
                checker.check(info)
                if info.isreg() and wanted(info.name):
                    members.append(Member(info.name, _read_body(archive, info)))
        except tarfile.TarError as exc:
            raise InputError(f"not a readable tar archive ({exc})") from None
        if not reader.rest_is_zeros():
            raise InputError("damaged tar archive: data follows what looks like its end")
    members.sort(key=lambda m: m.name)
    return members


def _read_body(archive: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    """The bytes of one regular member (its size is already checked)."""
    body = archive.extractfile(info)
    if body is None:  # pragma: no cover - regular members always have a body
        raise InputError(f"member {info.name!r} has no data")
    with body:
        data = body.read()
    if len(data) != info.size:
        raise InputError(f"member {info.name!r} is truncated")
    return data
