"""Fixtures for the runtime tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from runtime_helpers import Runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    """A runtime over a fresh local storage prefix."""
    return Runtime(str(tmp_path / "store"))
