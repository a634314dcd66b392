"""Fixtures shared by every test folder: where the project's shared data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The shared folder sits next to the repository checkout.
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"

#: Flyte's compiler test data, relative to the shared folder.
FLYTE_TESTDATA = Path("peer/flyte-compiler-testdata/flytepropeller/pkg/compiler")


def require(path: Path) -> Path:
    """``path`` if it exists; otherwise skip the test, or fail it when ``CI=true``.

    A CI run must never pass by skipping every test that needs the shared data.
    """
    if not path.exists():
        message = f"shared test data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared folder (``../shared`` from the repository root)."""
    return require(SHARED_DIR)


@pytest.fixture(scope="session")
def flyte_compiler_data(shared_dir: Path) -> Path:
    """``flytepropeller/pkg/compiler`` of Flyte's test data (MANIFEST.md lists what is there)."""
    return require(shared_dir / FLYTE_TESTDATA)
