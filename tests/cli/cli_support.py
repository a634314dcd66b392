"""Helpers for the command-line tests: running ``fcomp``, the bundled examples, golden files."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from fcomp.cli.main import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "packages"
GOLDEN = REPO / "golden"
#: Set to 1 to rewrite golden files (refused under CI; a missing file is written only then).
UPDATE_ENV = "FCOMP_UPDATE_GOLDEN"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``fcomp ARGS`` through the console entry point: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


def needed(path: Path) -> Path:
    """``path`` when it exists; otherwise skip, or fail under ``CI=true``."""
    if not path.exists():
        message = f"test data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def example(name: str) -> Path:
    """A bundled example package (``chain`` -> ``examples/packages/chain.tgz``)."""
    return needed(EXAMPLES / f"{name}.tgz")


def example_packages() -> list[Path]:
    """Every per-topic example package (``all.tgz``, their union, aside)."""
    return sorted(p for p in EXAMPLES.glob("*.tgz") if p.name != "all.tgz")


def updating() -> bool:
    """Whether golden files are being regenerated (``FCOMP_UPDATE_GOLDEN=1``)."""
    if os.environ.get(UPDATE_ENV) != "1":
        return False
    if os.environ.get("CI") == "true":
        pytest.fail(f"{UPDATE_ENV}=1 is refused under CI: golden files change only on purpose")
    return True


def check_golden(path: Path, actual: str) -> str | None:
    """Compare ``actual`` with the golden file byte for byte; a problem, or None when equal.

    With ``FCOMP_UPDATE_GOLDEN=1`` the file is (re)written instead.
    """
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return None
    if not path.is_file():
        return f"missing golden file {path.relative_to(REPO)} (FCOMP_UPDATE_GOLDEN=1 writes it)"
    if path.read_text(encoding="utf-8") != actual:
        return f"{path.relative_to(REPO)} differs (FCOMP_UPDATE_GOLDEN=1 rewrites it)"
    return None


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True
