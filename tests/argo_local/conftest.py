"""Helpers for the local Argo executor tests: run YAML text, look at nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from argo_local_support import Runner

from fcomp.backends.argo.local import RunResult, run_workflow


@pytest.fixture
def run(tmp_path: Path) -> Runner:
    """``run(yaml_text, **options)``: the first document runs, the others are its templates;
    the workflow is named ``wf`` unless ``name=`` says otherwise."""

    def runner(text: str, **options: Any) -> RunResult:
        docs = [d for d in yaml.safe_load_all(text) if d]
        options.setdefault("name", "wf")
        options.setdefault("workdir", tmp_path / "work")
        return run_workflow(docs[0], templates=docs[1:], **options)

    return runner
