"""Writing output files atomically: all of them or none, each replaced in one rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

#: Mode of written files: temporary files are created private (0600), but outputs are read by
#: others (an Airflow scheduler, a CI job), like files any other tool writes.
FILE_MODE = 0o644


def write_files(out_dir: str | os.PathLike[str], files: Mapping[str, str]) -> list[Path]:
    """Write every file under ``out_dir``; each appears complete or not at all.

    All contents are first written to temporary files in the target folder, then renamed into
    place, so an interrupted run never leaves a half-written document.
    """
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in sorted(files.items()):
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".fcomp-", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.chmod(tmp, FILE_MODE)
            staged.append((tmp, target))
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    return [target for _, target in staged]


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write one file atomically (temporary file in the same folder, then one rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".fcomp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target
