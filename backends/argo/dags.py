"""One Argo DAG template per workflow (the root and each subworkflow), and the container
templates of its task nodes, shared between nodes that run the same pod."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fcomp.backends.argo.pods import pod_template
from fcomp.backends.argo.steps import OUTPUTS_TEMPLATE, START_TEMPLATE
from fcomp.backends.common.names import ARGO_PARAMETER, ARGO_TASK, Namer, short_hash
from fcomp.backends.common.plans import (
    PathText,
    PlanBuilder,
    PlanError,
    PlanScope,
    Raw,
    to_json,
)
from fcomp.compiler import codes, ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.passes.results import END_NODE, START_NODE, CompiledProgram, CompiledWorkflow
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, lower_task
from fcomp.compiler.plugins.units import PodUnit

SCOPE_PARAM = "scope"


def input_ref(name: str) -> str:
    """The Argo expression of a template input parameter."""
    return "{{inputs.parameters." + name + "}}"


class DagBuilder:
    """Builds the templates of one Argo document (one launch plan's workflow)."""

    def __init__(
        self,
        compiled: CompiledProgram,
        config: Config,
        launch_plan: ir.LaunchPlan | None,
        diagnostics: list[Diagnostic],
    ) -> None:
        self.compiled = compiled
        self.config = config
        self.launch_plan = launch_plan
        self.diagnostics = diagnostics
        self.plans = PlanBuilder(compiled)
        self.templates: dict[str, dict[str, Any]] = {}
        self._template_names = Namer(ARGO_TASK, reserved={START_TEMPLATE, OUTPUTS_TEMPLATE})
        self._by_content: dict[str, str] = {}
        self._raw_names: set[str] = set()
        self._dag_names: dict[ir.Ident, str] = {}

    # --- templates --------------------------------------------------------------------------
    def _add_template(self, raw_name: str, build: Callable[[str], dict[str, Any]]) -> str:
        """Add a template built by ``build(name)``; identical templates are shared."""
        template = build("")
        key = json.dumps(template, sort_keys=True, separators=(",", ":"))
        found = self._by_content.get(key)
        if found is not None:
            return found
        if raw_name in self._raw_names:
            raw_name = f"{raw_name}-{short_hash(key)}"
        self._raw_names.add(raw_name)
        name = self._template_names.name(raw_name)
        template["name"] = name
        self.templates[name] = template
        self._by_content[key] = name
        return name

    def _error(self, code: str, message: str, node: ir.Node) -> None:
        self.diagnostics.append(Diagnostic(Severity.ERROR, code, message, node.source))

    # --- DAGs -------------------------------------------------------------------------------
    def dag(self, cw: CompiledWorkflow, root: bool) -> str:
        """The DAG template of a workflow (built once per workflow)."""
        if cw.id in self._dag_names:
            return self._dag_names[cw.id]
        name = self._template_names.name(
            ("wf-" if root else "sub-") + cw.id.name.rsplit(".", 1)[-1]
        )
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
        task_names = Namer(ARGO_TASK, reserved={START_TEMPLATE, OUTPUTS_TEMPLATE})
        tasks: list[dict[str, Any]] = []
        if root:
            tasks.append({"name": START_TEMPLATE, "template": START_TEMPLATE})
        for node_id in cw.order:
            node = cw.node(node_id)
            entry = self._node_task(scope, node, task_names.name(node.id))
            if entry is None:
                continue
            deps = self._depends(cw, node.id, task_names, root)
            if deps:
                entry["depends"] = deps
            tasks.append(entry)
        if root:
            try:
                plan = to_json(self.plans.workflow_outputs(scope))
            except PlanError as exc:
                plan = "{}"
                self.diagnostics.append(
                    Diagnostic(Severity.ERROR, codes.INTERNAL_ERROR, str(exc), cw.workflow.source)
                )
            end = {
                "name": OUTPUTS_TEMPLATE,
                "template": OUTPUTS_TEMPLATE,
                "arguments": {"parameters": [{"name": "plan", "value": plan}]},
            }
            deps = self._depends(cw, END_NODE, task_names, root)
            if deps:
                end["depends"] = deps
            tasks.append(end)
        dag: dict[str, Any] = {"tasks": tasks}
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

    def _depends(self, cw: CompiledWorkflow, node_id: str, names: Namer, root: bool) -> str:
        ups = cw.upstream.get(node_id, ())
        deps = [names.name(u) for u in ups if u != START_NODE]
        if root and START_NODE in ups:
            deps.insert(0, START_TEMPLATE)
        return " && ".join(deps)

    def _node_task(self, scope: PlanScope, node: ir.Node, task_name: str) -> dict[str, Any] | None:
        kind = node.kind
        path = scope.prefix.child(node.id).render()
        try:
            if isinstance(kind, ir.TaskNode):
                return self._task_node(scope, node, task_name, path)
            if isinstance(kind, ir.SubworkflowNode):
                return self._subworkflow_node(scope, node, task_name, path)
        except PlanError as exc:
            self._error(codes.INTERNAL_ERROR, f"cannot plan the node's bindings: {exc}", node)
            return None
        what = type(kind).__name__.removesuffix("Node").lower() or "empty"
        self._error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"{what} nodes are not supported on the Argo target yet",
            node,
        )
        return None

    def _task_node(
        self, scope: PlanScope, node: ir.Node, task_name: str, path: str
    ) -> dict[str, Any] | None:
        kind = node.kind
        assert isinstance(kind, ir.TaskNode) and kind.task is not None
        task = self.compiled.catalog.tasks.find(kind.task)
        assert task is not None
        ctx = TaskContext(task, node, scope.cw.workflow, self.config, self.launch_plan)
        try:
            unit = lower_task(ctx)
        except LoweringError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return None
        if not isinstance(unit, PodUnit):
            self._error(
                codes.UNSUPPORTED_CONSTRUCT,
                f"task type '{task.type}' produces a {type(unit).__name__}, not supported on "
                "the Argo target yet",
                node,
            )
            return None
        if unit.data_config is not None:
            self._error(
                codes.UNSUPPORTED_CONSTRUCT,
                f"raw-container task '{task.id.name}' (inputs and outputs moved as files) is "
                "not supported on the Argo target yet",
                node,
            )
            return None
        if unit.input_values:
            self._error(
                codes.UNSUPPORTED_CONSTRUCT,
                f"task '{task.id.name}' uses input values in its command "
                f"({', '.join(unit.input_values)}), not supported on the Argo target yet",
                node,
            )
            return None
        template = self._add_template(
            task.id.name.rsplit(".", 1)[-1], lambda name: pod_template(name, unit, self.config)
        )
        plan = to_json(self.plans.node_inputs(scope, node))
        return {
            "name": task_name,
            "template": template,
            "arguments": {
                "parameters": [
                    {"name": "node", "value": path},
                    {"name": "plan", "value": plan},
                ]
            },
        }

    def _subworkflow_node(
        self, scope: PlanScope, node: ir.Node, task_name: str, path: str
    ) -> dict[str, Any] | None:
        kind = node.kind
        assert isinstance(kind, ir.SubworkflowNode)
        sub = self.compiled.workflow(kind.workflow)
        assert sub is not None
        template = self.dag(sub, root=False)
        sub_inputs = self.templates[template]["inputs"]["parameters"][1:]
        params = [{"name": SCOPE_PARAM, "value": path}]
        plans = self.plans.node_inputs(scope, node)
        names = Namer(ARGO_PARAMETER, reserved={SCOPE_PARAM})
        for var in sub.workflow.interface.inputs:
            pname = names.name(f"in-{var}")
            if var in plans:
                params.append({"name": pname, "value": to_json(plans[var])})
            else:
                params.append({"name": pname, "value": to_json({"literal": _NONE_LITERAL})})
        assert len(params) == len(sub_inputs) + 1
        return {"name": task_name, "template": template, "arguments": {"parameters": params}}


#: A ``Literal`` holding Flyte's none value (``scalar { none_type {} }``), base64.
_NONE_LITERAL = "CgIqAA=="
