"""The supported-constructs tables, from the code's registries: the node kinds each target's
``NODE_LOWERINGS`` registry handles, and the task types of the plugin registry, checked
against the bundled examples (:mod:`fcomp.cli.docs.coverage`).

A target is any package under ``fcomp.backends`` whose package or ``nodes`` module defines
``NODE_LOWERINGS`` (a dict keyed by IR node-kind class), so a new backend shows up here by
itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import fcomp.backends
from fcomp.cli.build import TARGETS
from fcomp.cli.docs import section
from fcomp.cli.docs.coverage import example_coverage, outcome
from fcomp.cli.docs.tables import summary, table
from fcomp.compiler import ir
from fcomp.compiler.plugins.registry import PLUGINS, known_types

#: How a flytekit user writes each node kind (the rows' first column).
FLYTEKIT_NAMES: dict[type, str] = {
    ir.TaskNode: "a task call (`@task`, `ContainerTask`, plugin tasks)",
    ir.SubworkflowNode: "a subworkflow (a `@workflow` called in a workflow)",
    ir.LaunchPlanNode: "a launch plan call (`LaunchPlan`, `reference_launch_plan`)",
    ir.BranchNode: "`conditional()` (if / elif / else / fail)",
    ir.GateNode: "`approve()`, `wait_for_input()`, `sleep()`",
    ir.ArrayNode: "`map_task()` / `ArrayNode`",
}


def target_registries() -> dict[str, Mapping[type, Callable[..., Any]]]:
    """Each backend's node lowering registry, the build targets first."""
    found: dict[str, Mapping[type, Callable[..., Any]]] = {}
    for info in pkgutil.iter_modules(fcomp.backends.__path__):
        for module_name in (f"fcomp.backends.{info.name}", f"fcomp.backends.{info.name}.nodes"):
            if importlib.util.find_spec(module_name) is None:
                continue
            registry = getattr(importlib.import_module(module_name), "NODE_LOWERINGS", None)
            if isinstance(registry, dict):
                found[info.name] = registry
                break
    order = [t for t in TARGETS if t in found] + sorted(set(found) - set(TARGETS))
    return {name: found[name] for name in order}


def node_kinds() -> list[type]:
    """Every IR node kind a workflow may hold (the empty start/end kind aside)."""
    return [k for k in typing.get_args(ir.NodeKind) if k is not ir.EmptyNode]


@section("node-kinds")
def node_kinds_table(root: Path) -> str:
    """Node kinds per target, then how each target runs each kind."""
    registries = target_registries()
    rows = [
        [
            FLYTEKIT_NAMES.get(kind, summary(kind.__doc__)),
            f"`{kind.__name__}`",
            *(
                "✓" if kind in registry else "✗ (UnsupportedConstruct)"
                for registry in registries.values()
            ),
        ]
        for kind in node_kinds()
    ]
    parts = [table(["Flyte construct", "IR node", *registries], rows)]
    for target, registry in registries.items():
        parts.append(f"How **{target}** runs them:")
        parts.append(
            "\n".join(
                f"- `{kind.__name__}`: {summary(registry[kind].__doc__) or '(no description)'}"
                for kind in node_kinds()
                if kind in registry
            )
        )
    return "\n\n".join(parts)


@section("task-types")
def task_types_table(root: Path) -> str:
    """Task types: the plugin that lowers each, and whether each target builds the examples
    that use it."""
    plugins = set(known_types())
    coverage = example_coverage(root)
    rows = []
    for task_type in sorted(plugins | set(coverage.task_types)):
        fn = PLUGINS.get(task_type)
        plugin = f"`{fn.__module__.removeprefix('fcomp.')}.{fn.__name__}`" if fn else "none"
        found = coverage.task_types.get(task_type)
        cells = []
        for target in TARGETS:
            if fn is None:
                cells.append("✗ (UnknownTaskType)")
            elif found is None:
                cells.append("untested (no example)")
            else:
                cells.append(outcome(found[target].codes()))
        rows.append([f"`{task_type}`", plugin, *cells])
    return (
        table(["task type", "plugin", *TARGETS], rows)
        + "\n\nA task type is ✓ on a target when no bundled example reports an error at a "
        "node of that type and some example using it builds; ✗ lists the error codes."
    )
