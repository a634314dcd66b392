"""Fixtures of the Argo backend tests: packaged examples, Flyte's test data, schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "examples" / "packages"


@pytest.fixture(scope="session")
def schema_paths(shared_dir: Path) -> list[Path]:
    """The official Argo schemas (v4.1.2 and v3.7.18)."""
    names = ("argo-workflows-v4.1.2.schema.json", "argo-workflows-v3.7.18.schema.json")
    return [require(shared_dir / "schemas" / n) for n in names]
