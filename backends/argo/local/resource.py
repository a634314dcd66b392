"""``resource`` templates that create a Workflow: the workflow-of-workflows pattern.

``action: create`` (or ``apply``) of a ``Workflow`` manifest (inline spec or
``workflowTemplateRef``) runs that Workflow here as a child run, to completion, with the same
``templates``; the node's :attr:`~fcomp.backends.argo.local.model.NodeResult.child` holds its
result. ``failureCondition`` (any requirement matching fails the step) and
``successCondition`` (all must match) are then applied to the child object, whose
``status.phase`` is the child's phase (conditions: :mod:`conditions`). A success condition
that does not hold once the child finished fails the node (a cluster would wait forever). With
no conditions the step succeeds once the Workflow exists, as on a cluster. Output parameters
read the object with ``valueFrom.jsonPath`` / ``jqFilter`` (dotted paths). Other kinds and
actions are reported as not supported locally.
"""

from __future__ import annotations

from typing import Any

import yaml

from fcomp.backends.argo.local.conditions import ConditionError, json_path, parse_selector
from fcomp.backends.argo.local.engine import Invocation, StepError
from fcomp.backends.argo.local.model import FAILED, SUCCEEDED, InvalidWorkflowError
from fcomp.backends.argo.local.nodes import POD
from fcomp.backends.argo.local.outputs import static_parameter
from fcomp.backends.argo.local.registry import executor
from fcomp.backends.argo.local.spark import run_spark_application


def _manifest(resource: dict[str, Any]) -> dict[str, Any]:
    action = resource.get("action")
    text = resource.get("manifest")
    if text is None:
        raise StepError("resource: only an inline manifest runs locally (manifestFrom does not)")
    try:
        manifest = yaml.safe_load(text) if isinstance(text, str) else text
    except yaml.YAMLError as err:
        raise StepError(f"resource manifest is not valid YAML: {err}") from None
    if not isinstance(manifest, dict):
        raise StepError("resource manifest is not a mapping")
    kind = manifest.get("kind")
    if action not in ("create", "apply") or kind not in ("Workflow", "SparkApplication"):
        raise StepError(
            f"resource action '{action}' on kind '{kind}' is not supported locally "
            "(only creating a Workflow runs here, and a SparkApplication in local mode)"
        )
    return manifest


@executor("resource", POD)
def run_resource(inv: Invocation) -> None:
    """Run the child Workflow, then apply the conditions."""
    ctx, node = inv.ctx, inv.node
    # The template was substituted once already (globals and inputs); Argo does not scan the
    # values it inserted again, so a created Workflow keeps its own variables for itself.
    resource = inv.template["resource"]
    manifest = _manifest(resource)
    if manifest.get("kind") == "SparkApplication":
        _check(inv, resource, run_spark_application(inv, manifest), "SparkApplication")
        return
    try:
        child = ctx.run_child(manifest, ctx.stop)
    except InvalidWorkflowError as err:
        raise StepError(f"the created Workflow is invalid: {'; '.join(err.problems)}") from None
    node.child = child
    obj = {
        "apiVersion": manifest.get("apiVersion", "argoproj.io/v1alpha1"),
        "kind": "Workflow",
        "metadata": {
            **(manifest.get("metadata") or {}),
            "name": child.name,
            "namespace": ctx.plan.namespace,
        },
        "spec": manifest.get("spec") or {},
        "status": {
            "phase": child.phase,
            "message": child.message,
            "outputs": {"parameters": [{"name": k, "value": v} for k, v in child.outputs.items()]},
        },
    }
    _check(inv, resource, obj, f"Workflow finished {child.phase}")


def _check(inv: Invocation, resource: dict[str, Any], obj: dict[str, Any], what: str) -> None:
    """Apply the resource's conditions to the created object, then read its outputs."""
    node = inv.node
    try:
        for requirement in parse_selector(str(resource.get("failureCondition") or "")):
            if requirement.matches(obj):
                node.finish(FAILED, f"failure condition '{requirement}' evaluated true")
                return
        success = str(resource.get("successCondition") or "")
        requirements = parse_selector(success)
        if not all(requirement.matches(obj) for requirement in requirements):
            node.finish(
                FAILED,
                f"success condition '{success}' does not hold after the {what} "
                "(a cluster would wait forever)",
            )
            return
        outputs: dict[str, str] = {}
        for param in (inv.template.get("outputs") or {}).get("parameters") or []:
            value_from = param.get("valueFrom") or {}
            path = value_from.get("jsonPath") or value_from.get("jqFilter")
            value = json_path(obj, str(path)) if path else static_parameter(param)
            if value is None:
                raise StepError(f"output parameter '{param.get('name')}' has no value")
            outputs[str(param.get("name"))] = value
    except ConditionError as err:
        raise StepError(str(err)) from None
    node.outputs = outputs
    node.finish(SUCCEEDED)
