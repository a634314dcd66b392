"""The child workflow of a dynamic task on Argo, built at run time by the runtime's
``dynamic`` step: the compiled ``DynamicJobSpec`` as a ``Workflow`` that reads the dynamic
node's inputs and reports its outputs back to that node."""

from __future__ import annotations

import json
from typing import Any

from fcomp.backends.argo.documents import ArgoOptions, build_documents
from fcomp.backends.argo.launchplans import INPUTS_PARAM, REPORT_PARAM
from fcomp.backends.argo.render import escape
from fcomp.backends.common.names import K8S_OBJECT
from fcomp.compiler import ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic
from fcomp.compiler.driver import DynamicCompilation


def child_workflow(
    dynamic: DynamicCompilation, execution: str, node_path: str, config: Config
) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """The ``Workflow`` running a compiled dynamic job for node ``node_path`` of ``execution``."""
    compiled = dynamic.compilation.compiled
    diagnostics = list(dynamic.compilation.diagnostics)
    if compiled is None or dynamic.workflow is None:
        return None, diagnostics
    cw = compiled.workflows[dynamic.workflow]
    lp = ir.LaunchPlan(
        id=ir.Ident(ir.ResourceType.LAUNCH_PLAN, dynamic.workflow.name),
        workflow=dynamic.workflow,
        default_inputs=tuple(
            ir.Parameter(v, required=True) for v in cw.workflow.interface.inputs.values()
        ),
        source=cw.workflow.source,
    )
    name = K8S_OBJECT.sanitize(dynamic.workflow.name)[:40].rstrip("-")
    docs = build_documents(
        compiled, lp, name, config, ArgoOptions(emit="workflow"), diagnostics, {}
    )
    if diagnostics:
        return None, diagnostics
    doc = docs[0]
    prefix = config.storage_prefix.rstrip("/")
    values = {
        INPUTS_PARAM: f"{prefix}/{execution}/{node_path}/data/inputs.pb",
        REPORT_PARAM: f"{execution}/{node_path}",
    }
    for param in doc["spec"].get("arguments", {}).get("parameters", []):
        param["value"] = values.get(param["name"], param.get("value", ""))
    return doc, diagnostics


#: Passes Argo makes over an input value before inserting it: the template's first (globals).
ARGUMENT_PASSES = 1


def manifest_text(doc: dict[str, Any]) -> str:
    """The child's manifest as the value of the resource step's input: its own ``{{...}}``
    escaped for the pass that scans input values, so the parent substitutes nothing in it."""
    return escape(json.dumps(doc, sort_keys=True), ARGUMENT_PASSES)
