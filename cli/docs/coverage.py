"""What the bundled examples show each target can run: every package under
``examples/packages`` (``all.tgz``, their union, aside) is compiled and built for every target
(with the example's configuration, ``examples/configs/<name>.toml``, when it has one: the
settings a deployment gives, such as query clients and connections), and the error codes are
kept per example and per task type (through the node they point at).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from fcomp.cli.build import TARGETS, build_files
from fcomp.cli.docs import section
from fcomp.cli.docs.tables import table
from fcomp.cli.entities import walk_nodes
from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config, load_config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.driver import Compilation, compile_paths

PACKAGES = Path("examples/packages")
CONFIGS = Path("examples/configs")
#: The package holding every example at once; the per-topic packages are built instead.
UNION_PACKAGE = "all.tgz"


@dataclass
class TypeOutcome:
    """What the examples say about one task type on one target."""

    #: Error codes reported at nodes of this type.
    at_nodes: set[str] = field(default_factory=set)
    #: Error codes of packages using this type that point at no task node.
    elsewhere: set[str] = field(default_factory=set)
    #: Whether some package using this type builds without errors.
    builds: bool = False

    def codes(self) -> set[str]:
        """The codes that count against the type: those at its nodes, else, when no package
        using it builds, those of its packages."""
        return self.at_nodes or (set() if self.builds else self.elsewhere)


@dataclass
class Coverage:
    """Error codes per example and target (empty: it builds), and per task type and target."""

    examples: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    task_types: dict[str, dict[str, TypeOutcome]] = field(default_factory=dict)


def packages(root: Path) -> list[Path]:
    """The per-topic example packages, by name."""
    return sorted(p for p in (root / PACKAGES).glob("*.tgz") if p.name != UNION_PACKAGE)


def _task_types(compilation: Compilation) -> dict[tuple[str, str], str]:
    """(workflow name, node id) -> task type, for nodes that run a task (maps included)."""
    catalog = ir.Catalog(compilation.program)
    out: dict[tuple[str, str], str] = {}
    for wf in compilation.program.workflows:
        for node in walk_nodes(wf.nodes):
            kind = node.kind
            if isinstance(kind, ir.ArrayNode) and kind.node is not None:
                kind = kind.node.kind
            if isinstance(kind, ir.TaskNode) and kind.task is not None:
                task = catalog.tasks.find(kind.task)
                if task is not None:
                    out[(wf.id.name, node.id)] = task.type
    return out


def example_config(root: Path, package: Path) -> Config:
    """The configuration example ``package`` is built with: ``examples/configs/<name>.toml``
    when there is one, else the defaults. A file with problems raises ``ValueError``."""
    path = root / CONFIGS / f"{package.stem}.toml"
    if not path.is_file():
        return Config()
    config, problems = load_config(path)
    if problems:
        raise ValueError("; ".join(d.render() for d in problems))
    return config


def _build(compilation: Compilation, target: str, config: Config) -> list[Diagnostic]:
    try:
        return build_files(compilation, target, config, (), "template")[1]
    except Exception:  # a backend bug shows in the table instead of stopping the docs
        return [Diagnostic(Severity.ERROR, codes.INTERNAL_ERROR, "backend failed")]


@functools.cache
def example_coverage(root: Path) -> Coverage:
    """Build every example for every target and collect the error codes."""
    coverage = Coverage()
    for package in packages(root):
        compilation = compile_paths([package])
        config = example_config(root, package)
        at = _task_types(compilation)
        used = set(at.values())
        for task_type in sorted(used):
            coverage.task_types.setdefault(task_type, {t: TypeOutcome() for t in TARGETS})
        row = coverage.examples.setdefault(package.stem, {})
        for target in TARGETS:
            errors = compilation.diagnostics.errors
            if compilation.ok:
                errors = [
                    d for d in _build(compilation, target, config) if d.severity is Severity.ERROR
                ]
            row[target] = {d.code for d in errors}
            for task_type in used:
                coverage.task_types[task_type][target].builds |= not errors
            for d in errors:
                at_node = at.get((d.source.entity, d.source.node))
                if at_node is not None:
                    coverage.task_types[at_node][target].at_nodes.add(d.code)
                for task_type in used - {at_node}:
                    coverage.task_types[task_type][target].elsewhere.add(d.code)
    return coverage


def outcome(found: set[str]) -> str:
    """``✓`` or ``✗`` with the error codes."""
    return "✓" if not found else "✗ " + ", ".join(sorted(found))


@section("examples")
def examples_table(root: Path) -> str:
    """One row per bundled example: does it build for each target?"""
    coverage = example_coverage(root)
    rows = [
        [f"`{name}`", *(outcome(by_target[t]) for t in TARGETS)]
        for name, by_target in coverage.examples.items()
    ]
    if not rows:
        return "_No example packages found under `examples/packages/`._"
    return (
        table(["example package", *TARGETS], rows)
        + "\n\nEach example is built with its configuration in `examples/configs/` when it has"
        + " one. ✗ lists the error codes of the build; `fcomp explain CODE` describes each."
    )
