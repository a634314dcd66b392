"""Launch-plan nodes on Argo: the node's inputs are bound by a runtime step, then a resource
step creates a Workflow from the referenced plan's WorkflowTemplate and waits for it; the
child's outputs step writes its outputs to this node (``fcomp-report``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fcomp.backends.argo.render import RESOURCE_PASSES, WORKFLOW_NAME, escape
from fcomp.backends.argo.steps import BIND_TEMPLATE
from fcomp.compiler import codes, ir

if TYPE_CHECKING:
    from fcomp.backends.argo.dags import DagBuilder, DagContext, Lowered

#: Workflow parameters every fcomp WorkflowTemplate declares, for child executions.
INPUTS_PARAM = "fcomp-inputs"
REPORT_PARAM = "fcomp-report"


def child_template(
    name: str, template_name: str, storage_prefix: str, required: list[str]
) -> dict[str, Any]:
    """A resource template creating a child Workflow of ``template_name``; the ``required``
    parameters (those without a default) get a placeholder, since the child's start step reads
    its inputs from this node's ``inputs.pb``."""
    prefix = escape(storage_prefix.rstrip("/"), RESOURCE_PASSES)
    manifest = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": f"{template_name[:50]}-"},
        "spec": {
            "workflowTemplateRef": {"name": template_name},
            "arguments": {
                "parameters": [
                    {
                        "name": INPUTS_PARAM,
                        "value": f"{prefix}/{WORKFLOW_NAME}/"
                        "{{inputs.parameters.node}}/data/inputs.pb",
                    },
                    {
                        "name": REPORT_PARAM,
                        "value": f"{WORKFLOW_NAME}/{{{{inputs.parameters.node}}}}",
                    },
                    *({"name": p, "value": ""} for p in required),
                ]
            },
        },
    }
    return {
        "name": name,
        "inputs": {"parameters": [{"name": "node"}]},
        "resource": {
            "action": "create",
            "setOwnerReference": True,
            "successCondition": "status.phase == Succeeded",
            "failureCondition": "status.phase in (Failed, Error)",
            "manifest": json.dumps(manifest, sort_keys=True, separators=(",", ":")),
        },
    }


def _required_parameters(b: DagBuilder, lp: ir.LaunchPlan) -> list[str]:
    """The child's workflow parameters that have no default (Argo needs a value for each)."""
    wf = b.compiled.catalog.workflows.find(lp.workflow)
    if wf is None:
        return []
    fixed = {name for name, _ in lp.fixed_inputs}
    defaults = {
        p.var.name
        for p in lp.default_inputs
        if p.default is not None and p.default.text is not None
    }
    return [
        name
        for name, var in wf.interface.inputs.items()
        if name not in fixed and name not in defaults and not ir.is_none_union(var.type)
    ]


def lower_launch_plan(b: DagBuilder, ctx: DagContext, node: ir.Node) -> Lowered | None:
    """Bind the node's inputs, then run the referenced launch plan as a child workflow."""
    from fcomp.backends.argo.dags import Lowered

    kind = node.kind
    assert isinstance(kind, ir.LaunchPlanNode)
    lp = b.compiled.catalog.launch_plans.find(kind.launch_plan)
    object_name = b.object_names.get(lp.id.name) if lp is not None else None
    if lp is None or object_name is None:
        b.error(
            codes.WORKFLOW_REFERENCE_NOT_FOUND,
            f"launch plan [{kind.launch_plan.render()}] is not in the input, so there is no "
            "WorkflowTemplate to run for it",
            node,
        )
        return None
    bind, run = ctx.names.name(f"{node.id}-inputs"), ctx.names.name(node.id)
    required = _required_parameters(b, lp)
    template = b.add_template(
        f"lp-{object_name}",
        lambda name: child_template(name, object_name, b.config.storage_prefix, required),
    )
    path = ctx.path(node)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    tasks = [
        {
            "name": bind,
            "template": b.use_runtime(BIND_TEMPLATE),
            "arguments": {
                "parameters": [{"name": "node", "value": path}, {"name": "plan", "value": plan}]
            },
        },
        {
            "name": run,
            "template": template,
            "arguments": {"parameters": [{"name": "node", "value": path}]},
            "_deps": [f"{bind}.Succeeded"],
        },
    ]
    return Lowered(tasks, [bind], [bind, run], {run})
