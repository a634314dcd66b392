"""One Argo DAG template per workflow (the root and each subworkflow).

Each node is lowered by the handler registered for its kind (:mod:`fcomp.backends.argo.nodes`)
into one or more DAG tasks; this module wires them together with ``depends`` from the
compiled connections, and keeps the document's templates (identical ones shared).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from fcomp.backends.argo.launchplans import REPORT_PARAM
from fcomp.backends.argo.render import WORKFLOW_NAME, exec_scope
from fcomp.backends.argo.steps import OUTPUTS_TEMPLATE, RUNTIME_TEMPLATES, START_TEMPLATE
from fcomp.backends.common.names import ARGO_PARAMETER, ARGO_TASK, Namer, short_hash
from fcomp.backends.common.plans import PathText, PlanBuilder, PlanError, PlanScope, Raw, to_json
from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.memo import IdentityMemo
from fcomp.compiler.passes.results import END_NODE, START_NODE, CompiledProgram, CompiledWorkflow

SCOPE_PARAM = "scope"


def input_ref(name: str) -> str:
    """The Argo expression of a template input parameter."""
    return "{{inputs.parameters." + name + "}}"


@dataclass
class Lowered:
    """The DAG tasks of one node.

    ``entry`` tasks wait for the node's upstream nodes; downstream nodes wait for every task
    in ``exits``. ``guarded`` exits may end Omitted when the node does not run (a branch case
    not taken), which downstream nodes must accept too.
    """

    tasks: list[dict[str, Any]] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)
    #: Replaced (``|=``), never changed in place: most nodes share the empty default.
    guarded: AbstractSet[str] = frozenset()

    def extend(self, other: Lowered) -> None:
        """Append another lowering's tasks (its exits become this node's exits too)."""
        self.tasks += other.tasks
        self.exits += other.exits
        self.guarded |= other.guarded


@dataclass
class DagContext:
    """Where a node is being lowered: its workflow scope and the DAG's task names."""

    scope: PlanScope
    names: Namer
    root: bool
    #: Lowered top-level nodes so far, by node id (for dependencies of branch cases).
    exits: dict[str, Lowered] = field(default_factory=dict)

    def path(self, node: ir.Node) -> str:
        """The node's path (may contain the scope placeholder)."""
        return self.scope.prefix.child(node.id).render()


def add_deps(task: dict[str, Any], deps: list[str]) -> None:
    """Record more dependencies of a task (turned into ``depends`` at the end)."""
    current: list[str] = task.setdefault("_deps", [])
    if not current and len(deps) == len(set(deps)):
        current += deps
        return
    seen = set(current)
    for d in deps:
        if d not in seen:
            seen.add(d)
            current.append(d)


def set_when(task: dict[str, Any], condition: str) -> None:
    """And a condition into a task's ``when``."""
    task["when"] = f"({task['when']}) && ({condition})" if "when" in task else condition


class DagBuilder:
    """Builds the templates of one Argo document (one launch plan's workflow)."""

    def __init__(
        self,
        compiled: CompiledProgram,
        config: Config,
        launch_plan: ir.LaunchPlan | None,
        diagnostics: list[Diagnostic],
        exec_id: str = WORKFLOW_NAME,
    ) -> None:
        self.compiled = compiled
        #: The execution id's Argo expression in the templates built (see :func:`exec_scope`).
        self.exec_id = exec_id
        self.config = config
        self.launch_plan = launch_plan
        self.diagnostics = diagnostics
        self.plans = PlanBuilder(compiled)
        self.templates: dict[str, dict[str, Any]] = {}
        self._template_names = Namer(ARGO_TASK, reserved=set(RUNTIME_TEMPLATES))
        self._by_content: dict[str, str] = {}
        #: Template name by build function (its code and captured objects, kept alive).
        self._by_build: dict[tuple[Any, ...], tuple[tuple[Any, ...], str]] = {}
        #: How each template was built, to build it again for another execution id.
        self._builders: dict[str, Callable[[str], dict[str, Any]]] = {}
        self._raw_names: set[str] = set()
        self._dag_names: dict[ir.Ident, str] = {}
        self.runtime_templates: set[str] = set()
        #: Object name of every launch plan's WorkflowTemplate, by launch-plan name.
        self.object_names: dict[str, str] = {}
        #: A task node's execution unit and its lowering, by the node's target and metadata
        #: and the workflow (see :func:`fcomp.backends.argo.nodes.lower_task_node`).
        self.units: IdentityMemo[tuple[Any, Callable[..., Lowered | None]]] = IdentityMemo()
        #: The template name of each pod unit.
        self.unit_templates: IdentityMemo[str] = IdentityMemo()

    # --- templates --------------------------------------------------------------------------
    def add_template(self, raw_name: str, build: Callable[[str], dict[str, Any]]) -> str:
        """Add a template built by ``build(name)``; identical templates are shared.

        ``build`` must depend only on the objects it captures (closure and defaults): a
        second call with a function of the same code over the same objects (nodes of one
        task share one unit) returns the first one's template without building it again.
        """
        memo = _build_key(raw_name, build)
        if memo is not None:
            hit = self._by_build.get(memo[0])
            if hit is not None and all(a is b for a, b in zip(hit[0], memo[1], strict=True)):
                return hit[1]
        with exec_scope(self.exec_id):
            template = build("")
        key = json.dumps(template, sort_keys=True, separators=(",", ":"))
        found = self._by_content.get(key)
        if found is None:
            if raw_name in self._raw_names:
                raw_name = f"{raw_name}-{short_hash(key)}"
            self._raw_names.add(raw_name)
            found = self._template_names.name(raw_name)
            template["name"] = found
            self.templates[found] = template
            self._by_content[key] = found
            self._builders[found] = build
        if memo is not None:
            self._by_build[memo[0]] = (memo[1], found)
        return found

    def rebuild(self, name: str, exec_id: str) -> dict[str, Any]:
        """Template ``name`` built again with ``exec_id`` as the execution id (the same
        template when it was not built by :meth:`add_template`)."""
        build = self._builders.get(name)
        if build is None:
            return self.templates[name]
        with exec_scope(exec_id):
            template = build("")
        template["name"] = name
        return template

    def use_runtime(self, name: str) -> str:
        """Mark a runtime step template as used by this document."""
        self.runtime_templates.add(name)
        return name

    def error(self, code: str, message: str, node: ir.Node) -> None:
        """Report an error about a node."""
        self.diagnostics.append(Diagnostic(Severity.ERROR, code, message, node.source))

    # --- DAGs -------------------------------------------------------------------------------
    def dag(self, cw: CompiledWorkflow, root: bool) -> str:
        """The DAG template of a workflow (built once per workflow and document)."""
        if cw.id in self._dag_names:
            return self._dag_names[cw.id]
        short = cw.id.name.rsplit(".", 1)[-1]
        name = self._template_names.name(("wf-" if root else "sub-") + short)
        self._dag_names[cw.id] = name
        inputs: dict[str, str] = {}
        if root:
            scope = PlanScope(cw)
        else:
            params = Namer(ARGO_PARAMETER, reserved={SCOPE_PARAM})
            inputs = {var: params.name(f"in-{var}") for var in cw.workflow.interface.inputs}
            scope = PlanScope(
                cw,
                PathText((Raw(input_ref(SCOPE_PARAM)),)),
                {var: Raw(input_ref(p)) for var, p in inputs.items()},
            )
        ctx = DagContext(scope, Namer(ARGO_TASK, reserved=set(RUNTIME_TEMPLATES)), root)
        tasks: list[dict[str, Any]] = []
        exits = ctx.exits
        if root:
            tasks.append({"name": START_TEMPLATE, "template": START_TEMPLATE})
            exits[START_NODE] = Lowered(exits=[START_TEMPLATE])
        node_of = cw.node
        for node_id in cw.order:
            node = node_of(node_id)
            lowered = self.lower_node(ctx, node)
            if lowered is None:
                continue
            deps = self.upstream_exits(cw, node.id, exits)
            if deps:
                entry = lowered.entry
                for task in lowered.tasks:
                    if task["name"] in entry:
                        add_deps(task, deps)
            tasks += lowered.tasks
            exits[node.id] = lowered
        if root:
            tasks.append(self._outputs_task(cw, scope, exits))
        dag: dict[str, Any] = {"tasks": [finish_task(t) for t in tasks]}
        if cw.workflow.metadata.on_failure is ir.FailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE:
            dag["failFast"] = False
        template: dict[str, Any] = {"name": name}
        if not root:
            template["inputs"] = {
                "parameters": [{"name": SCOPE_PARAM}, *({"name": p} for p in inputs.values())]
            }
        template["dag"] = dag
        self.templates[name] = template
        return name

    def upstream_exits(
        self, cw: CompiledWorkflow, node_id: str, exits: dict[str, Lowered]
    ) -> list[str]:
        """The ``depends`` terms a node needs: every exit task of its upstream nodes."""
        terms: list[str] = []
        for up in cw.upstream.get(node_id, ()):
            lowered = exits.get(up)
            if lowered is None:
                continue
            guarded = lowered.guarded
            if not guarded:
                terms += lowered.exits
                continue
            for name in lowered.exits:
                terms.append(
                    f"({name}.Succeeded || {name}.Skipped || {name}.Omitted)"
                    if name in guarded
                    else name
                )
        return terms

    def lower_node(self, ctx: DagContext, node: ir.Node) -> Lowered | None:
        """Lower one node with the handler registered for its kind."""
        handler = _node_lowerings().get(type(node.kind))
        if handler is None:
            what = type(node.kind).__name__.removesuffix("Node").lower() or "empty"
            self.error(
                codes.UNSUPPORTED_CONSTRUCT,
                f"{what} nodes are not supported on the Argo target",
                node,
            )
            return None
        try:
            return handler(self, ctx, node)
        except PlanError as exc:
            self.error(codes.INTERNAL_ERROR, f"cannot plan the node's bindings: {exc}", node)
            return None

    def _outputs_task(
        self, cw: CompiledWorkflow, scope: PlanScope, exits: dict[str, Lowered]
    ) -> dict[str, Any]:
        try:
            plan = to_json(self.plans.workflow_outputs(scope))
        except PlanError as exc:
            plan = "{}"
            self.diagnostics.append(
                Diagnostic(Severity.ERROR, codes.INTERNAL_ERROR, str(exc), cw.workflow.source)
            )
        task: dict[str, Any] = {
            "name": OUTPUTS_TEMPLATE,
            "template": OUTPUTS_TEMPLATE,
            "arguments": {
                "parameters": [
                    {"name": "plan", "value": plan},
                    {"name": "report", "value": "{{workflow.parameters." + REPORT_PARAM + "}}"},
                ]
            },
        }
        add_deps(task, self.upstream_exits(cw, END_NODE, exits))
        return task


@functools.cache
def _node_lowerings() -> dict[type, Callable[[DagBuilder, DagContext, ir.Node], Lowered | None]]:
    """The node handlers' registry (imported on first use: its modules import this one)."""
    from fcomp.backends.argo.nodes import NODE_LOWERINGS

    return NODE_LOWERINGS


def _build_key(raw_name: str, build: Callable[[str], Any]) -> tuple[Any, tuple[Any, ...]] | None:
    """What identifies a build function's result: its code and the ids of the objects it
    captures (with those objects, so the ids stay theirs); None when it has no code."""
    code = getattr(build, "__code__", None)
    if code is None:
        return None
    try:
        captured = tuple(c.cell_contents for c in getattr(build, "__closure__", None) or ())
    except ValueError:  # an empty cell
        return None
    captured += tuple(getattr(build, "__defaults__", None) or ())
    return (raw_name, code, *map(id, captured)), captured


def finish_task(task: dict[str, Any]) -> dict[str, Any]:
    """Turn recorded dependencies into ``depends`` (after the other keys, for readability)."""
    deps = task.pop("_deps", [])
    if deps:
        task["depends"] = " && ".join(deps)
    return task
