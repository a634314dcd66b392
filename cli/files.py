"""Writing output files atomically: all of them or none, each replaced in one rename."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

#: Mode of written files: temporary files are created private (0600), but outputs are read by
#: others (an Airflow scheduler, a CI job), like files any other tool writes.
FILE_MODE = 0o644


class WriteError(Exception):
    """An output file could not be written (disk full, no permission, ...): the message names
    the file and the system's reason; nothing of the output was left behind."""


def write_files(out_dir: str | os.PathLike[str], files: Mapping[str, str]) -> list[Path]:
    """Write every file under ``out_dir`` (UTF-8); each appears complete or not at all.

    All contents are first written to temporary files in the target folder, then renamed into
    place, so an interrupted run never leaves a half-written document. Raises
    :class:`WriteError` when the system refuses a write.
    """
    return _write(Path(out_dir), {name: text.encode() for name, text in files.items()})


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write one file atomically (temporary file in the same folder, then one rename)."""
    target = Path(path)
    return _write(target.parent, {target.name: data})[0]


def _write(root: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Stage every file, then move each into place; when any step fails, every file already
    moved is put back as it was (replaced files restored, new ones removed) and folders made
    here are removed, so the output is all of ``files`` or what was there before."""
    staged: list[tuple[str, Path]] = []
    made: list[Path] = []  # folders created here, outermost first
    moved: list[tuple[Path, str | None]] = []  # (target, backup of what it replaced)
    backups: list[str] = []
    target = root
    try:
        _make_folder(root, made)
        for name, data in sorted(files.items()):
            target = root / name
            _make_folder(target.parent, made)
            fd, tmp = tempfile.mkstemp(prefix=".fcomp-", dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, FILE_MODE)
        for tmp, target in staged:
            backup = _keep(target) if os.path.lexists(target) else None
            if backup is not None:
                backups.append(backup)
            os.replace(tmp, target)
            moved.append((target, backup))
    except BaseException as exc:
        _undo(moved)
        _remove(tmp for tmp, _ in staged)
        _remove(backups)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    _remove(backups)
    return [target for _, target in staged]


def _make_folder(folder: Path, made: list[Path]) -> None:
    """Create ``folder`` and its missing parents, noting each one created."""
    missing: list[Path] = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
        made.append(path)


def _keep(target: Path) -> str:
    """A second name for the file at ``target`` (a hard link, or a copy where the file
    system has none), to put it back if a later file cannot be written."""
    backup = str(target.parent / f".fcomp-old-{uuid.uuid4().hex}")
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        shutil.copyfile(target, backup, follow_symlinks=False)
    return backup


def _undo(moved: list[tuple[Path, str | None]]) -> None:
    """Put back what the moves replaced (best effort: the write already failed)."""
    for target, backup in reversed(moved):
        with contextlib.suppress(OSError):
            if backup is not None:
                os.replace(backup, target)
            else:
                os.unlink(target)


def _remove(paths: Iterable[str]) -> None:
    """Delete the temporary files that exist (best effort: the write already failed)."""
    for tmp in paths:
        try:
            os.unlink(tmp)
        except OSError:
            pass
