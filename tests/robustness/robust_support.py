"""Helpers for the robustness tests: real ``pyflyte package`` protos to mutate, builds for a
target, and the strings a safe YAML loader gives back."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

from fcomp.cli.build import build_files
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.driver import compile_paths, target_diagnostics

REPO = Path(__file__).resolve().parents[2]
PACKAGES = REPO / "examples" / "packages"
#: The message type of each ``pyflyte package`` file suffix.
SUFFIX_TYPES: dict[str, type[Message]] = {
    "1": task_pb2.TaskSpec,
    "2": workflow_pb2.WorkflowSpec,
    "3": launch_plan_pb2.LaunchPlan,
}


def example(name: str) -> Path:
    """``examples/packages/<name>.tgz``; skipped (failed under CI) when missing."""
    path = PACKAGES / f"{name}.tgz"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"example package missing: {path}")
        pytest.skip(f"example package missing: {path}")
    return path


@dataclass
class Package:
    """The files of a ``pyflyte package`` archive as messages, in archive order."""

    files: dict[str, Message] = field(default_factory=dict)

    @classmethod
    def load(cls, name_or_path: str | Path) -> Package:
        """Read an example by name (``chain``) or an archive by path."""
        path = name_or_path if isinstance(name_or_path, Path) else example(name_or_path)
        out = cls()
        with tarfile.open(path) as archive:
            for info in sorted(archive.getmembers(), key=lambda i: i.name):
                if not info.isfile() or not info.name.endswith(".pb"):
                    continue
                data = archive.extractfile(info).read()  # type: ignore[union-attr]
                message = SUFFIX_TYPES[info.name[-4]]()
                message.ParseFromString(data)
                out.files[info.name] = message
        return out

    def copy(self) -> Package:
        """A deep copy to mutate."""
        out = Package()
        for name, message in self.files.items():
            clone = type(message)()
            clone.CopyFrom(message)
            out.files[name] = clone
        return out

    def _named(self, suffix: str, name: str, key: Callable[[Any], str]) -> Any:
        for file, message in self.files.items():
            if file.endswith(f"_{suffix}.pb") and key(message).endswith(name):
                return message
        raise KeyError(name)

    def task(self, name: str) -> Any:
        """The ``TaskTemplate`` whose name ends with ``name``."""
        return self._named("1", name, lambda m: m.template.id.name).template

    def workflow(self, name: str) -> Any:
        """The ``WorkflowTemplate`` whose name ends with ``name``."""
        return self._named("2", name, lambda m: m.template.id.name).template

    def workflow_spec(self, name: str) -> Any:
        """The ``WorkflowSpec`` whose template name ends with ``name``."""
        return self._named("2", name, lambda m: m.template.id.name)

    def launch_plan(self, name: str) -> Any:
        """The ``LaunchPlan`` whose name ends with ``name``."""
        return self._named("3", name, lambda m: m.id.name)

    def tasks(self) -> Iterator[Any]:
        """Every task template."""
        for file, message in self.files.items():
            if file.endswith("_1.pb"):
                yield message.template

    def edit_custom(self, task_type: str, edit: Callable[[dict[str, Any]], None]) -> None:
        """``edit`` applied to the ``custom`` (as JSON) of the first task of ``task_type``."""
        task = next(t for t in self.tasks() if t.type == task_type)
        custom = json_format.MessageToDict(task.custom)
        edit(custom)
        task.custom.Clear()
        task.custom.update(custom)

    def write(self, folder: Path) -> Path:
        """The package as a ``.tgz`` in ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "pkg.tgz"
        with tarfile.open(path, "w:gz") as archive:
            for name, message in self.files.items():
                data = message.SerializeToString(deterministic=True)
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return path


@dataclass
class Built:
    """What a build gave: file name -> text, and every diagnostic (load, compile, lowering)."""

    files: dict[str, str]
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        """The error diagnostics."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def documents(self) -> list[dict[str, Any]]:
        """Every YAML document of every file, loaded with the safe loader."""
        docs: list[dict[str, Any]] = []
        for name in sorted(self.files):
            if name.endswith(".yaml"):
                docs += list(yaml.safe_load_all(self.files[name]))
        return docs

    def text(self) -> str:
        """Every file's text, concatenated in name order."""
        return "\n".join(self.files[n] for n in sorted(self.files))


def build(path: Path, target: str = "argo", config: Config | None = None) -> Built:
    """Compile ``path`` and build it for ``target`` as ``fcomp build`` does (with the
    coverage pass's diagnostics)."""
    compilation = compile_paths([path])
    diagnostics = list(compilation.diagnostics)
    if not compilation.ok:
        # A compilation that gives no output says why.
        assert any(d.severity is Severity.ERROR for d in diagnostics), diagnostics
        return Built({}, diagnostics)
    files, more = build_files(compilation, target, config or Config(), (), "template")
    return Built(files, diagnostics + more + target_diagnostics(compilation, target))


def build_package(
    package: Package, tmp: Path, target: str = "argo", config: Config | None = None
) -> Built:
    """Write ``package`` under ``tmp`` and build it."""
    return build(package.write(tmp), target, config)


def walk_strings(value: Any) -> Iterator[str]:
    """Every string (keys and values) in a loaded YAML document."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
