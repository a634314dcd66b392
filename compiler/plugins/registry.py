"""The plugin registry: task type -> plugin that lowers it to an execution unit.

Plugins register with :func:`register`; other packages add plugins through the entry point
group ``fcomp.plugins`` (each entry point is a module imported for its registrations), loaded
the first time a task type that no built-in plugin lowers is met (or all types are listed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.frozen import fast_init
from fcomp.compiler.memo import IdentityMemo
from fcomp.compiler.plugins.units import Unit


@fast_init
@dataclass(frozen=True, slots=True)
class TaskContext:
    """Everything a plugin may read to lower one task node."""

    task: ir.Task
    node: ir.Node
    workflow: ir.Workflow
    config: Config
    launch_plan: ir.LaunchPlan | None = None

    @property
    def overrides(self) -> ir.TaskOverrides:
        """The node's task overrides (empty when the node sets none)."""
        kind = self.node.kind
        return kind.overrides if isinstance(kind, ir.TaskNode) else ir.TaskOverrides()


class LoweringError(Exception):
    """A plugin cannot lower a task; carries the diagnostics saying why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics

    @staticmethod
    def of(code: str, message: str, ctx: TaskContext, field: str = "") -> LoweringError:
        """One error about the task of ``ctx``."""
        src = ctx.node.source.at(field=field) if field else ctx.node.source
        return LoweringError([Diagnostic(Severity.ERROR, code, message, src)])


Lowering = Callable[[TaskContext], Unit]

PLUGINS: dict[str, Lowering] = {}
_loaded_entry_points = False


def register(*task_types: str) -> Callable[[Lowering], Lowering]:
    """Register a lowering for the given task types (each may be registered once)."""

    def wrap(fn: Lowering) -> Lowering:
        for t in task_types:
            assert t not in PLUGINS, f"task type {t!r} registered twice"
            PLUGINS[t] = fn
        return fn

    return wrap


def entry_points(group: str) -> Any:
    """The installed entry points of ``group`` (``importlib.metadata``, imported when
    needed: scanning every installed distribution takes a while)."""
    from importlib.metadata import entry_points as installed

    return installed(group=group)


def _load_builtins() -> None:
    import_module("fcomp.compiler.plugins.builtin")


def _load_builtin_and_entry_points() -> None:
    global _loaded_entry_points
    _load_builtins()
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    for ep in entry_points(group="fcomp.plugins"):
        ep.load()


def known_types() -> list[str]:
    """Every registered task type."""
    _load_builtin_and_entry_points()
    return sorted(PLUGINS)


def lower_task(ctx: TaskContext) -> Unit:
    """Lower one task node; raises :class:`LoweringError` with diagnostics on failure.

    A unit depends on the task, the node's target (task reference and overrides) and
    metadata, the workflow, the configuration and the launch plan, never on the node's id or
    inputs: nodes sharing all of those (the same objects, as the frontend shares equal node
    targets and metadata) share one unit, lowered once.
    """
    node = ctx.node
    parts = (ctx.task, node.kind, node.metadata, ctx.workflow, ctx.config, ctx.launch_plan)
    unit = _UNITS.get(parts)
    return unit if unit is not None else _UNITS.put(parts, _lower(ctx))


_UNITS: IdentityMemo[Unit] = IdentityMemo(limit=1024)


def _lower(ctx: TaskContext) -> Unit:
    _load_builtins()
    fn = PLUGINS.get(ctx.task.type)
    if fn is None:
        _load_builtin_and_entry_points()
        fn = PLUGINS.get(ctx.task.type)
    if fn is None:
        raise LoweringError.of(
            codes.UNKNOWN_TASK_TYPE,
            f"no lowering for task type '{ctx.task.type}' (task '{ctx.task.id.name}'); "
            f"known types: {', '.join(known_types())}",
            ctx,
        )
    return fn(ctx)
