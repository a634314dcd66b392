"""Comparing an output folder with what a build would write (``fcomp build --check``), and
removing files a build no longer writes (``fcomp build --prune``).

Hidden files and folders (``.gitkeep``, ``.git``) and ``__pycache__`` (Airflow leaves one in a
DAG folder) are never compared or removed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO


def _ignored(relative: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)


def existing_files(out_dir: str) -> set[str]:
    """Every file under ``out_dir`` that a build could have written, as POSIX paths."""
    root = Path(out_dir)
    if not root.is_dir():
        return set()
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not _ignored(p.relative_to(root))
    }


def _read(path: Path) -> str | None:
    """The file's text; None when it is missing; a marker line when it is not UTF-8."""
    if not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "<binary file>\n"


def differences(out_dir: str, files: Mapping[str, str]) -> Iterator[str]:
    """Unified diff lines, file by file in name order: changed, missing and stale files."""
    root = Path(out_dir)
    for name in sorted(set(files) | existing_files(out_dir)):
        new = files.get(name)
        old = _read(root / name)
        if old == new:
            continue
        before = f"a/{name}" if old is not None else "/dev/null"
        after = f"b/{name}" if new is not None else "/dev/null"
        lines = list(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=before,
                tofile=after,
            )
        )
        # an empty file that is missing or stale has no lines to show, only its name
        yield from lines or [f"--- {before}\n", f"+++ {after}\n"]


def check_files(out_dir: str, files: Mapping[str, str], stream: TextIO) -> bool:
    """Write a unified diff between ``out_dir`` and ``files`` to ``stream``; True when the
    folder holds exactly ``files``."""
    same = True
    for line in differences(out_dir, files):
        same = False
        stream.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return same


def prune(out_dir: str, files: Mapping[str, str]) -> list[str]:
    """Remove the files under ``out_dir`` that are not in ``files``; returns their names."""
    root = Path(out_dir)
    stale = sorted(existing_files(out_dir) - set(files))
    for name in stale:
        (root / name).unlink()
    return stale
