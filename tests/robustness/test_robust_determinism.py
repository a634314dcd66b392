"""Determinism: every golden case built in separate processes under three different
``PYTHONHASHSEED`` values gives byte-identical files and diagnostics, equal to an in-process
build. A case is ``golden/<target>/<case>`` with input ``examples/packages/<case>.tgz``; a
target without golden cases yet is checked over every example package."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from robust_support import PACKAGES, REPO

from fcomp.cli.build import build_files
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths

TARGETS = ("argo", "airflow")
SEEDS = ("0", "1", "4242")

#: Builds every case given as ``target:package`` arguments; prints the files' sha256 as JSON.
_BUILD = """
import hashlib, json, sys
from fcomp.cli.build import build_files
from fcomp.compiler.config import Config
from fcomp.compiler.driver import compile_paths
out = {}
for case in sys.argv[1:]:
    target, path = case.split(":", 1)
    compilation = compile_paths([path])
    files, diagnostics = ({}, []) if not compilation.ok else build_files(
        compilation, target, Config(), (), "template")
    rendered = [d.render() for d in list(compilation.diagnostics) + list(diagnostics)]
    out[case] = {
        "files": {n: hashlib.sha256(t.encode()).hexdigest() for n, t in sorted(files.items())},
        "diagnostics": rendered,
    }
print(json.dumps(out, sort_keys=True))
"""


def cases() -> list[str]:
    """``target:package`` for every golden case (every example when a target has none)."""
    examples = sorted(p for p in PACKAGES.glob("*.tgz") if p.name != "all.tgz")
    out: list[str] = []
    for target in TARGETS:
        folder = REPO / "golden" / target
        names = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
        chosen = [PACKAGES / f"{n}.tgz" for n in names] or examples
        out += [f"{target}:{p}" for p in chosen if p.is_file()]
    return out


def _in_process(case: str) -> dict[str, object]:
    target, path = case.split(":", 1)
    compilation = compile_paths([path])
    files, diagnostics = (
        ({}, [])
        if not compilation.ok
        else build_files(compilation, target, Config(), (), "template")
    )
    return {
        "files": {n: hashlib.sha256(t.encode()).hexdigest() for n, t in sorted(files.items())},
        "diagnostics": [d.render() for d in list(compilation.diagnostics) + list(diagnostics)],
    }


def test_golden_cases_are_identical_across_hash_seeds_and_processes() -> None:
    chosen = cases()
    assert len(chosen) >= 2 * 20, chosen  # every example for both targets, not a vacuous run
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD, *chosen],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in SEEDS
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    first = results[0]
    assert set(first) == set(chosen)
    assert sum(len(r["files"]) for r in first.values()) >= 40
    for seed, other in zip(SEEDS[1:], results[1:], strict=True):
        differing = sorted(c for c in chosen if other[c] != first[c])
        assert differing == [], f"PYTHONHASHSEED={seed} differs from {SEEDS[0]}"
    # The same bytes in this process (whatever its own hash seed) as in the others.
    for case in chosen[:: max(1, len(chosen) // 8)]:
        assert json.loads(json.dumps(_in_process(case))) == first[case], case
