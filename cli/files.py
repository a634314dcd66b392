"""Writing output files atomically: all of them or none, each replaced in one rename."""

from __future__ import annotations

import os
import tempfile
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
    staged: list[tuple[str, Path]] = []
    target = root
    try:
        root.mkdir(parents=True, exist_ok=True)
        for name, data in sorted(files.items()):
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".fcomp-", dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, FILE_MODE)
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException as exc:
        _remove(tmp for tmp, _ in staged)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return [target for _, target in staged]


def _remove(paths: Iterable[str]) -> None:
    """Delete the temporary files that exist (best effort: the write already failed)."""
    for tmp in paths:
        try:
            os.unlink(tmp)
        except OSError:
            pass
