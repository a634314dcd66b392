"""The loaders' entry point: read paths into normalised Flyte entities and diagnostics.

Accepted inputs, each path in the order given:

- an archive (``.tgz``, ``.tar.gz``, ``.tar``) written by ``pyflyte package``, read in memory
  (see :mod:`fcomp.idl.archive`); its ``.pb`` members are loaded sorted by name and labelled
  ``<archive>!<member>``;
- a folder: the ``.pb``, ``.json``, ``.yaml`` and ``.yml`` files directly inside it, sorted by
  name (other files and sub-folders are skipped);
- a single ``.pb`` (type from the ``_1/_2/_3`` suffix, else detected), ``.json`` or ``.yaml``
  file holding a spec, a closure, a dynamic job or flytectl's admin objects
  (see :mod:`fcomp.idl.detect`).

Bad input never raises: every problem is an error diagnostic naming the file, and the other
files are still loaded.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.idl.archive import ARCHIVE_SUFFIXES, is_archive_name, read_members
from fcomp.idl.decode import DECODERS, decode_file, entity_suffix
from fcomp.idl.errors import InputError, one_line
from fcomp.idl.files import list_folder, read_file, stat_path
from fcomp.idl.limits import DEFAULT_LIMITS, Limits
from fcomp.idl.model import LoadResult

__all__ = ["DEFAULT_LIMITS", "Limits", "LoadResult", "load_paths"]


def load_paths(
    paths: Sequence[str | os.PathLike[str]], limits: Limits = DEFAULT_LIMITS
) -> LoadResult:
    """Load every entity from ``paths``; problems become diagnostics, never exceptions."""
    result = LoadResult()
    for path in paths:
        _load_path(os.fspath(path), limits, result)
    return result


def _guarded(file: str, out: LoadResult, load: Callable[[], None]) -> None:
    """Run ``load``; turn a failure into an error diagnostic about ``file``."""
    try:
        load()
    except InputError as exc:
        out.diagnostics.append(exc.diagnostic(file))
    except Exception as exc:  # a loader bug must not hide the other files
        out.diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                codes.INTERNAL_ERROR,
                one_line(f"fcomp failed reading this file: {type(exc).__name__}: {exc}"),
                Source(file=file),
            )
        )


def _load_path(label: str, limits: Limits, out: LoadResult) -> None:
    """Load one path given by the user, reporting a path that yields nothing."""
    entities, errors = len(out.entities), _error_count(out)
    _guarded(label, out, lambda: _dispatch(label, limits, out))
    if len(out.entities) == entities and _error_count(out) == errors:
        out.diagnostics.append(
            InputError(
                "no Flyte entities found (expected pyflyte package .pb files, "
                "protobuf JSON/YAML or flytectl output)"
            ).diagnostic(label)
        )


def _error_count(out: LoadResult) -> int:
    return sum(d.severity is Severity.ERROR for d in out.diagnostics)


def _dispatch(label: str, limits: Limits, out: LoadResult) -> None:
    mode = stat_path(label).st_mode
    if stat.S_ISDIR(mode):
        _load_folder(label, limits, out)
    elif not stat.S_ISREG(mode):
        raise InputError("not a regular file or folder")
    elif is_archive_name(label):
        _load_archive(label, limits, out)
    elif entity_suffix(label) is None:
        raise InputError(
            "unsupported file type; expected one of "
            + ", ".join((*ARCHIVE_SUFFIXES, *DECODERS))
            + ", or a folder"
        )
    else:
        decode_file(os.path.basename(label), read_file(label, limits.max_file_bytes), label, out)


def _wanted(name: str) -> bool:
    """Whether a folder entry is an entity file (hidden files are skipped)."""
    return not name.startswith(".") and entity_suffix(name) is not None


def _decode_path(name: str, file: str, limits: Limits, out: LoadResult) -> None:
    decode_file(name, read_file(file, limits.max_file_bytes), file, out)


def _load_folder(label: str, limits: Limits, out: LoadResult) -> None:
    names = [n for n in list_folder(label) if _wanted(n)]
    if len(names) > limits.max_members:
        raise InputError(f"the folder holds more than {limits.max_members} entity files")
    for name in names:
        file = os.path.join(label, name)
        _guarded(file, out, partial(_decode_path, name, file, limits, out))


def _base_name(member: str) -> str:
    return member.replace("\\", "/").rsplit("/", 1)[-1]


def _member_wanted(name: str) -> bool:
    """Whether an archive member is an entity file: a ``.pb`` whose base name is not hidden."""
    base = _base_name(name)
    return not base.startswith(".") and base.lower().endswith(".pb")


def _load_archive(label: str, limits: Limits, out: LoadResult) -> None:
    for member in read_members(Path(label), _member_wanted, limits):
        file = f"{label}!{member.name}"
        _guarded(file, out, partial(decode_file, _base_name(member.name), member.data, file, out))
