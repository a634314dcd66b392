"""Golden files shared by every test folder: compare byte for byte, regenerate on purpose only.

``FCOMP_UPDATE_GOLDEN=1`` rewrites (or writes missing) expected files; it is refused under CI,
so expected files change only when someone regenerates and reviews them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "golden"
UPDATE_ENV = "FCOMP_UPDATE_GOLDEN"


def updating() -> bool:
    """Whether golden files are being regenerated (``FCOMP_UPDATE_GOLDEN=1``)."""
    if os.environ.get(UPDATE_ENV) != "1":
        return False
    if os.environ.get("CI") == "true":
        pytest.fail(f"{UPDATE_ENV}=1 is refused under CI: golden files change only on purpose")
    return True


def check_golden(path: Path, actual: str) -> str | None:
    """Compare ``actual`` with the golden file byte for byte; a problem, or None when equal."""
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return None
    if not path.is_file():
        return f"missing golden file {path.relative_to(REPO)} ({UPDATE_ENV}=1 writes it)"
    if path.read_text(encoding="utf-8") != actual:
        return f"{path.relative_to(REPO)} differs ({UPDATE_ENV}=1 rewrites it)"
    return None


def check_golden_dir(folder: Path, files: Mapping[str, str]) -> list[str]:
    """Compare a whole output folder: every file, and no stale expected file left over."""
    problems = [
        p for name, text in sorted(files.items()) if (p := check_golden(folder / name, text))
    ]
    stale = (
        sorted(
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and p.relative_to(folder).as_posix() not in files
        )
        if folder.is_dir()
        else []
    )
    if stale and updating():
        for name in stale:
            (folder / name).unlink()
        stale = []
    problems += [f"stale golden file {folder.relative_to(REPO)}/{n}" for n in stale]
    return problems
