"""Conformance checks for emitted Argo documents: the official JSON schema made strict, hera's
models made strict, and semantic checks Argo's own validation would make."""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema

DEFINITION = "io.argoproj.workflow.v1alpha1.{}"
_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
_PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
_REF = re.compile(r"\{\{\s*(inputs\.parameters|tasks)\.([^}\s]+)\s*\}\}")


def strict_schema(path: Path) -> dict[str, Any]:
    """The schema with ``additionalProperties: false`` on every object listing properties."""
    schema = json.loads(path.read_text())
    for definition in schema["definitions"].values():
        if definition.get("type") == "object" and "properties" in definition:
            definition.setdefault("additionalProperties", False)
    return schema


@functools.cache
def _validator(path: str, kind: str) -> jsonschema.Draft202012Validator:
    schema = strict_schema(Path(path))
    root = {
        "$ref": f"#/definitions/{DEFINITION.format(kind)}",
        "definitions": schema["definitions"],
    }
    return jsonschema.Draft202012Validator(root)


def schema_errors(doc: dict[str, Any], schema_path: Path) -> list[str]:
    """Strict-schema violations of one document."""
    validator = _validator(str(schema_path), doc["kind"])
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]


@functools.cache
def _hera_models() -> Any:
    from hera.workflows import models

    classes = [
        getattr(models, n)
        for n in dir(models)
        if isinstance(getattr(models, n), type) and hasattr(getattr(models, n), "model_config")
    ]
    for cls in classes:
        cls.model_config["extra"] = "forbid"
    for cls in classes:
        cls.model_rebuild(force=True)
    return models


def hera_errors(doc: dict[str, Any]) -> list[str]:
    """Violations of hera's models made strict (unknown keys forbidden)."""
    models = _hera_models()
    model = getattr(models, doc["kind"])
    try:
        model.model_validate(copy.deepcopy(doc))
    except Exception as exc:  # pydantic.ValidationError
        return [str(exc)]
    return []


def _templates(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in spec.get("templates", [])}


def semantic_errors(doc: dict[str, Any]) -> list[str]:
    """What Argo's validation would reject: missing templates, dangling depends, unresolved
    references, invalid or colliding names."""
    errors: list[str] = []
    spec = (
        doc["spec"].get("workflowSpec", doc["spec"])
        if doc["kind"] == "CronWorkflow"
        else doc["spec"]
    )
    if "workflowTemplateRef" in spec:
        return errors
    templates = _templates(spec)
    if len(templates) != len(spec.get("templates", [])):
        errors.append("duplicate template names")
    if spec.get("entrypoint") not in templates:
        errors.append(f"entrypoint {spec.get('entrypoint')} is not a template")
    for p in spec.get("arguments", {}).get("parameters", []):
        if not _PARAM_NAME.match(p["name"]):
            errors.append(f"bad parameter name {p['name']!r}")
    for name, t in templates.items():
        if not _NAME.match(name) or len(name) > 128:
            errors.append(f"bad template name {name!r}")
        declared = {p["name"] for p in t.get("inputs", {}).get("parameters", [])}
        tasks = {x["name"]: x for x in t.get("dag", {}).get("tasks", [])}
        text = json.dumps({k: v for k, v in t.items() if k != "dag"})
        for kind, ref in _REF.findall(text):
            if kind == "inputs.parameters" and ref not in declared:
                errors.append(f"template {name}: unresolved inputs.parameters.{ref}")
        if "dag" in t and len(tasks) != len(t["dag"]["tasks"]):
            errors.append(f"template {name}: duplicate DAG task names")
        for task_name, task in tasks.items():
            if not _NAME.match(task_name) or task_name[0].isdigit() or len(task_name) > 128:
                errors.append(f"template {name}: bad task name {task_name!r}")
            target = task.get("template")
            if target not in templates:
                errors.append(f"template {name}: task {task_name} uses missing template {target}")
                continue
            wanted = {
                p["name"]
                for p in templates[target].get("inputs", {}).get("parameters", [])
                if "value" not in p and "default" not in p
            }
            given = {p["name"] for p in task.get("arguments", {}).get("parameters", [])}
            if wanted - given:
                errors.append(
                    f"template {name}: task {task_name} misses arguments {sorted(wanted - given)}"
                )
            depends = task.get("depends", "")
            for dep in re.findall(r"[A-Za-z0-9][-A-Za-z0-9]*(?=\.|\s|$|\))", depends):
                if dep not in tasks and dep not in (
                    "Succeeded",
                    "Failed",
                    "Errored",
                    "Skipped",
                    "Omitted",
                    "Daemoned",
                    "AnySucceeded",
                    "AllFailed",
                ):
                    errors.append(f"template {name}: task {task_name} depends on unknown {dep}")
            task_text = json.dumps(task)
            for kind, ref in _REF.findall(task_text):
                if kind == "inputs.parameters" and ref not in declared:
                    errors.append(
                        f"template {name}: task {task_name}: unresolved inputs.parameters.{ref}"
                    )
                if kind == "tasks" and ref.split(".", 1)[0] not in tasks:
                    errors.append(f"template {name}: task {task_name}: unknown task in tasks.{ref}")
    return errors


def all_errors(doc: dict[str, Any], schema_paths: list[Path]) -> list[str]:
    """Every conformance problem of one document."""
    errors = semantic_errors(doc)
    for path in schema_paths:
        errors += [f"[{path.name}] {e}" for e in schema_errors(doc, path)]
    errors += [f"[hera] {e}" for e in hera_errors(doc)]
    return errors
