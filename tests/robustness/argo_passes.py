"""What Argo and the kubelet make of an emitted document's strings: a model of the passes.

Argo substitutes ``{{...}}`` in a Workflow's spec once outside its templates (twice in
``podMetadata``, which reaches each pod), twice in every template (its globals, its inputs),
and once more in a pod template's fields when it makes the pod; the kubelet then expands
``$(VAR)`` in container command, args and env values. Object metadata is never substituted.
:func:`delivered` applies these passes with a scope in which input text would resolve to
marker values, so a string that comes back unchanged was not evaluated anywhere.
"""

from __future__ import annotations

import json
from typing import Any

from fcomp.backends.argo import kubelet
from fcomp.backends.argo.local.variables import Scope, substitute_tree

#: What an evaluated tag of the hostile strings' own variables turns into.
MARKERS = {"x": "X-EVALUATED", "y": "Y-EVALUATED", "nested": "NESTED-EVALUATED"}
#: The workflow's variables (which fcomp's own tags use too).
GLOBALS = {
    "workflow.name": "wf-name",
    "workflow.namespace": "wf-namespace",
    "workflow.uid": "wf-uid",
}
#: Pod templates' container lists.
_CONTAINERS = ("container", "script", "initContainers", "sidecars")


def _scope(spec: dict[str, Any]) -> Scope:
    values = {**MARKERS, **GLOBALS}
    for param in spec.get("arguments", {}).get("parameters", []):
        values[f"workflow.parameters.{param['name']}"] = str(param.get("value", ""))
    return Scope(values)


def passes(value: Any, scope: Scope, count: int) -> Any:
    """``value`` after ``count`` lenient substitution passes."""
    for _ in range(count):
        value = substitute_tree(value, scope, strict=False)
    return value


def _template(template: dict[str, Any], scope: Scope) -> dict[str, Any]:
    out: dict[str, Any] = passes(template, scope, 2)
    if not any(key in out for key in _CONTAINERS):
        return out
    out = passes(out, scope, 1)
    for key in _CONTAINERS:
        value = out.get(key)
        if isinstance(value, dict):
            out[key] = kubelet.expand_container(value)
        elif isinstance(value, list):
            out[key] = [kubelet.expand_container(c) for c in value]
    return out


def _spec(spec: dict[str, Any], scope: Scope) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "templates":
            out[key] = [_template(t, scope) for t in value]
        elif key == "podMetadata":
            out[key] = passes(value, scope, 2)
        else:
            out[key] = passes(value, scope, 1)
    return out


def delivered(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as Argo, then the kubelet, hand its strings on (a resource template's
    manifest parsed to an object)."""
    out = dict(doc)
    spec = doc.get("spec", {})
    if doc.get("kind") == "CronWorkflow":
        inner = spec.get("workflowSpec", {})
        out["spec"] = {**spec, "workflowSpec": _spec(inner, _scope(inner))}
        return out
    out["spec"] = _spec(spec, _scope(spec))
    for template in out["spec"].get("templates", []):
        resource = template.get("resource")
        if isinstance(resource, dict) and isinstance(resource.get("manifest"), str):
            try:
                resource["manifest"] = json.loads(resource["manifest"])
            except json.JSONDecodeError:
                pass  # a manifest made of parameters only
    return out
