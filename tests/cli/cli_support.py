"""Helpers for the command-line tests: running ``fcomp``, the bundled examples, golden files."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from fcomp.cli.main import main
from tests.golden import GOLDEN, UPDATE_ENV, check_golden, updating  # noqa: F401 (re-exported)

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "packages"


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


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True
