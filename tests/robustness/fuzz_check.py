"""Run one fuzzed package through ``fcomp build`` (load, compile, Argo documents) and check
the property: it compiles to documents that pass the Argo conformance checks, or it is
rejected with error diagnostics; never an exception, never an internal error."""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from fcomp.cli.build import build_files
from fcomp.compiler import codes
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Severity
from fcomp.compiler.driver import compile_paths, target_diagnostics
from tests.argo.conformance import all_errors, semantic_errors

REGRESSIONS = Path(__file__).resolve().parent / "regressions"


@dataclass
class Outcome:
    """What happened to one input."""

    compiled: bool = False
    documents: int = 0
    codes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def write_package(files: list[tuple[str, bytes]], folder: Path) -> Path:
    """The files as a ``.tgz`` like ``pyflyte package`` writes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fuzz.tgz"
    with tarfile.open(path, "w:gz", compresslevel=0) as archive:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def check(path: Path, schema_paths: list[Path] | None) -> Outcome:
    """Compile and build ``path``; the property's problems (empty when it holds)."""
    out = Outcome()
    try:
        compilation = compile_paths([path])
        diagnostics = list(compilation.diagnostics)
        if compilation.ok:
            files, more = build_files(compilation, "argo", Config(), (), "template")
            diagnostics += more + target_diagnostics(compilation, "argo")
            errors = [d for d in diagnostics if d.severity is Severity.ERROR]
            if not errors:
                out.compiled = True
                for text in files.values():
                    for doc in yaml.load_all(text, Loader=yaml.CSafeLoader):
                        out.documents += 1
                        problems = (
                            all_errors(doc, schema_paths)
                            if schema_paths is not None
                            else semantic_errors(doc)
                        )
                        out.problems += [f"{doc['metadata']}: {p}" for p in problems]
                if not out.documents and compilation.program.primary:
                    out.problems.append("compiled a workflow without errors but wrote no document")
        out.codes = sorted({d.code for d in diagnostics})
        if not out.compiled and not any(d.severity is Severity.ERROR for d in diagnostics):
            out.problems.append("rejected without an error diagnostic")
        internal = [d.render() for d in diagnostics if d.code == codes.INTERNAL_ERROR]
        out.problems += internal
    except Exception:  # the property: never a traceback
        out.problems.append(traceback.format_exc())
    return out


def signature(problems: list[str]) -> str:
    """What identifies a failure across inputs: the exception and where it was raised, or the
    first problem with numbers and quoted names taken out (so shrinking one failure keeps
    rewriting one case, and the case kept is the smallest input)."""
    first = problems[0]
    if first.startswith("Traceback"):
        frames = re.findall(r'File "([^"]+)", line (\d+)', first)
        last = first.strip().splitlines()[-1].split(":", 1)[0]
        where = frames[-1] if frames else ("", "")
        return f"{last} at {Path(where[0]).name}:{where[1]}"
    return re.sub(r"'[^']*'|\d+", "_", first.split(": ", 1)[-1])[:200]


def save_regression(files: list[tuple[str, bytes]], problems: list[str]) -> Path:
    """Keep a failing input as ``regressions/<signature hash>/``: its .pb files and why it
    failed (the same failure found again replaces the case with the newer, smaller input)."""
    digest = hashlib.sha256(signature(problems).encode()).hexdigest()[:16]
    folder = REGRESSIONS / digest
    if folder.is_dir():
        for old in folder.iterdir():
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        (folder / name).write_bytes(data)
    why = "\n".join(problems)
    (folder / "WHY.txt").write_text(why[-4000:], encoding="utf-8")
    return folder
