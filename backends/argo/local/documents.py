"""From the documents a user gives to the one workflow the executor runs.

A ``Workflow`` runs as it is (merged with the ``WorkflowTemplate`` its ``workflowTemplateRef``
names, the Workflow's fields winning and arguments merged by name); a ``WorkflowTemplate`` or
``ClusterWorkflowTemplate`` runs as a Workflow that references it (``argo submit --from``); a
``CronWorkflow`` runs its ``workflowSpec`` once. ``templateRef`` lookups go to the given
``WorkflowTemplate`` documents, and ``templateDefaults`` are merged into every template as Argo
does (``mergedTemplateDefaultsInto``).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fcomp.backends.argo.local.model import InvalidWorkflowError

#: The keys that say what a template does; Argo allows exactly one.
KIND_KEYS = (
    "container",
    "script",
    "dag",
    "steps",
    "suspend",
    "resource",
    "containerSet",
    "http",
    "plugin",
    "data",
)
WORKFLOW_TEMPLATE_KINDS = ("WorkflowTemplate", "ClusterWorkflowTemplate")
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # Kubernetes' generateName alphabet


def template_kind(template: Mapping[str, Any]) -> str | None:
    """Which of :data:`KIND_KEYS` a template is, or ``None`` when it has none."""
    for key in KIND_KEYS:
        if template.get(key) is not None:
            return key
    return None


def deep_merge(base: Any, patch: Any) -> Any:
    """``patch`` over ``base``: maps merge key by key, lists of named maps merge by ``name``,
    other values are replaced (a small strategic merge patch)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(item, dict) and "name" in item for item in base + patch)
    ):
        by_name = {item["name"]: item for item in base}
        merged_list = [
            deep_merge(by_name[item["name"]], item) if item["name"] in by_name else item
            for item in patch
        ]
        patched = {item["name"] for item in patch}
        return [item for item in base if item["name"] not in patched] + merged_list
    return copy.deepcopy(patch)


@dataclass(frozen=True)
class Owner:
    """Where a template lives: the workflow itself (``kind == ""``) or a (cluster) template."""

    kind: str = ""
    name: str = ""

    def describe(self) -> str:
        """``WorkflowTemplate/x`` or ``workflow``."""
        return f"{self.kind}/{self.name}" if self.kind else "workflow"


@dataclass
class TemplateStore:
    """Every template a run may call, by owner."""

    local: dict[str, dict[str, Any]]
    referenced: dict[Owner, dict[str, dict[str, Any]]]
    defaults: dict[str, Any] | None = None

    def resolve(self, holder: Mapping[str, Any], owner: Owner) -> tuple[dict[str, Any], Owner]:
        """The template a task (``template`` or ``templateRef``) names, with the template
        defaults merged in, and the owner later ``template`` names resolve in.

        Raises ``LookupError`` naming what is missing.
        """
        ref = holder.get("templateRef")
        if ref:
            kind = "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"
            target = Owner(kind, str(ref.get("name", "")))
            templates = self.referenced.get(target)
            if templates is None:
                raise LookupError(f"{target.describe()} not found (pass it in templates=)")
            name = str(ref.get("template", ""))
            if name not in templates:
                raise LookupError(f"template '{name}' not found in {target.describe()}")
            return self.with_defaults(templates[name]), target
        name = str(holder.get("template", ""))
        templates = self.local if owner.kind == "" else self.referenced[owner]
        if name not in templates:
            raise LookupError(f"template '{name}' not found in {owner.describe()}")
        return self.with_defaults(templates[name]), owner

    def with_defaults(self, template: dict[str, Any]) -> dict[str, Any]:
        """``template`` with ``templateDefaults`` merged under it (its kind kept)."""
        if not self.defaults:
            return copy.deepcopy(template)
        kind = template_kind(template)
        merged: dict[str, Any] = deep_merge(self.defaults, template)
        for key in KIND_KEYS:
            if key != kind:
                merged.pop(key, None)
        return merged


@dataclass
class WorkflowPlan:
    """The workflow to run, with its parameters decided."""

    name: str
    namespace: str
    spec: dict[str, Any]
    parameters: list[tuple[str, str]]
    store: TemplateStore
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    template_docs: list[dict[str, Any]] = field(default_factory=list)


def generated_name(prefix: str) -> str:
    """``prefix`` plus five random characters, as Kubernetes fills ``generateName``."""
    return prefix + "".join(random.choice(_NAME_ALPHABET) for _ in range(5))


def _index_templates(docs: Sequence[Mapping[str, Any]]) -> dict[Owner, dict[str, Any]]:
    problems: list[str] = []
    index: dict[Owner, dict[str, Any]] = {}
    for number, doc in enumerate(docs):
        kind = doc.get("kind", "")
        name = (doc.get("metadata") or {}).get("name")
        if kind not in WORKFLOW_TEMPLATE_KINDS:
            problems.append(f"templates[{number}]: expected a WorkflowTemplate, got kind {kind!r}")
        elif not name:
            problems.append(f"templates[{number}]: {kind} has no metadata.name")
        else:
            index[Owner(kind, name)] = dict(doc)
    if problems:
        raise InvalidWorkflowError(problems)
    return index


def _as_workflow(doc: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The Workflow to run for ``doc``, and ``doc`` itself when it is a template to reference."""
    kind = doc.get("kind", "Workflow")
    meta = doc.get("metadata") or {}
    if kind == "Workflow":
        return dict(doc), None
    if kind in WORKFLOW_TEMPLATE_KINDS:
        ref: dict[str, Any] = {"name": meta.get("name", "")}
        if kind == "ClusterWorkflowTemplate":
            ref["clusterScope"] = True
        workflow = {
            "kind": "Workflow",
            "metadata": {
                "generateName": f"{meta.get('name', 'workflow')}-",
                "namespace": meta.get("namespace"),
            },
            "spec": {"workflowTemplateRef": ref},
        }
        return workflow, dict(doc)
    if kind == "CronWorkflow":
        spec = (doc.get("spec") or {}).get("workflowSpec")
        if not isinstance(spec, dict):
            raise InvalidWorkflowError(["CronWorkflow has no spec.workflowSpec"])
        workflow_meta = dict((doc.get("spec") or {}).get("workflowMetadata") or {})
        workflow_meta.setdefault("generateName", f"{meta.get('name', 'cron')}-")
        workflow_meta.setdefault("namespace", meta.get("namespace"))
        return {"kind": "Workflow", "metadata": workflow_meta, "spec": spec}, None
    raise InvalidWorkflowError([f"cannot run a document of kind {kind!r}"])


def _merge_arguments(base: list[dict[str, Any]], patch: list[dict[str, Any]]) -> list[Any]:
    merged = {param.get("name"): dict(param) for param in base}
    for param in patch:
        merged[param.get("name")] = {**merged.get(param.get("name"), {}), **param}
    return list(merged.values())


def _decide_parameters(spec: Mapping[str, Any], given: Mapping[str, str]) -> list[tuple[str, str]]:
    problems: list[str] = []
    declared = ((spec.get("arguments") or {}).get("parameters")) or []
    names = [str(param.get("name")) for param in declared]
    for name in given:
        if name not in names:
            problems.append(
                f"parameter '{name}' is not declared in spec.arguments.parameters "
                f"(declared: {', '.join(names) or 'none'})"
            )
    decided: list[tuple[str, str]] = []
    for param in declared:
        name = str(param.get("name"))
        if name in given:
            value: object = given[name]
        elif param.get("value") is not None:
            value = param["value"]
        elif param.get("default") is not None:
            value = param["default"]
        elif param.get("valueFrom") is not None:
            problems.append(f"spec.arguments.{name}.valueFrom is not supported locally")
            continue
        else:
            problems.append(f"spec.arguments.{name}.value is required")
            continue
        text = value if isinstance(value, str) else str(value)
        enum = param.get("enum")
        if enum and text not in [str(item) for item in enum]:
            problems.append(
                f"spec.arguments.{name}: value {text!r} is not one of the enum values {enum}"
            )
        decided.append((name, text))
    if problems:
        raise InvalidWorkflowError(problems)
    return decided


def prepare(
    doc: Mapping[str, Any],
    templates: Sequence[Mapping[str, Any]],
    parameters: Mapping[str, str],
    name: str | None,
) -> WorkflowPlan:
    """Decide the workflow to run; raises :class:`InvalidWorkflowError` when it cannot run."""
    if not isinstance(doc, Mapping):
        raise InvalidWorkflowError(["the document is not a mapping"])
    workflow, own_template = _as_workflow(doc)
    docs = [dict(t) for t in templates]
    if own_template is not None:
        docs.append(own_template)
    index = _index_templates(docs)
    spec: dict[str, Any] = copy.deepcopy(workflow.get("spec") or {})
    ref = spec.pop("workflowTemplateRef", None)
    if ref:
        kind = "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"
        target = index.get(Owner(kind, str(ref.get("name"))))
        if target is None:
            missing = f"{kind} '{ref.get('name')}' not found (pass it in templates=)"
            raise InvalidWorkflowError([f"workflowTemplateRef: {missing}"])
        base = copy.deepcopy(target.get("spec") or {})
        arguments = _merge_arguments(
            (base.get("arguments") or {}).get("parameters") or [],
            (spec.get("arguments") or {}).get("parameters") or [],
        )
        spec = deep_merge(base, spec)
        spec.setdefault("arguments", {})["parameters"] = arguments
    meta = workflow.get("metadata") or {}
    run_name = name or meta.get("name") or generated_name(meta.get("generateName") or "workflow-")
    local = {}
    for template in spec.get("templates") or []:
        if isinstance(template, dict) and "name" in template:
            local[str(template["name"])] = template
    store = TemplateStore(
        local=local,
        referenced={
            owner: {
                str(t.get("name")): t
                for t in ((d.get("spec") or {}).get("templates") or [])
                if isinstance(t, dict)
            }
            for owner, d in index.items()
        },
        defaults=spec.get("templateDefaults"),
    )
    return WorkflowPlan(
        name=str(run_name),
        namespace=str(meta.get("namespace") or "default"),
        spec=spec,
        parameters=_decide_parameters(spec, parameters),
        store=store,
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        annotations={str(k): str(v) for k, v in (meta.get("annotations") or {}).items()},
        template_docs=docs,
    )
