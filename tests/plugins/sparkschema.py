"""Validate SparkApplication manifests against the spark-operator CRD's ``v1beta2``
openAPIV3Schema (``shared/schemas/sparkoperator.k8s.io_sparkapplications.v2.5.2.yaml``), made
strict: an object schema listing properties accepts no other keys (the API server would prune
them silently, which is how a dropped field goes unnoticed)."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_FILE = Path("schemas/sparkoperator.k8s.io_sparkapplications.v2.5.2.yaml")


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
        if (
            out.get("type") == "object"
            and "properties" in out
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


@functools.cache
def validator(shared_dir: str) -> jsonschema.Draft7Validator:
    """The strict validator of the CRD's v1beta2 schema."""
    crd = yaml.safe_load((Path(shared_dir) / SCHEMA_FILE).read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1beta2"]
    schema = _strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
    return jsonschema.Draft7Validator(schema)


def spark_errors(manifest: dict[str, Any], shared_dir: Path) -> list[str]:
    """Schema violations of one SparkApplication (``apiVersion``/``kind`` checked too)."""
    errors = []
    if manifest.get("apiVersion") != "sparkoperator.k8s.io/v1beta2":
        errors.append(f"apiVersion {manifest.get('apiVersion')!r}")
    if manifest.get("kind") != "SparkApplication":
        errors.append(f"kind {manifest.get('kind')!r}")
    for e in validator(str(shared_dir)).iter_errors(manifest):
        errors.append(f"{'/'.join(map(str, e.absolute_path))}: {e.message}")
    return errors
