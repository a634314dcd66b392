"""Does a pod spec decode as a Kubernetes ``v1.PodSpec``?

Flyte's task compiler and plugins decode a pod spec with Go's ``json.Unmarshal`` into
``k8s.io/api/core/v1.PodSpec``: unknown fields are ignored, ``null`` is always accepted, and a
known field holding the wrong kind of JSON value (a string where a number is expected, an
object where a list is, a resource quantity that does not parse) fails the whole spec. This
module checks the same on the JSON data, against the table of every object in a PodSpec
(:mod:`fcomp.compiler.passes.podspec_types`, generated from the Kubernetes API models), so
the keys the decoder drops can be found and dropped the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeAlias

from fcomp.compiler.passes.podspec_types import OBJECTS, REQUIRED
from fcomp.compiler.quantity import parse_quantity

# A field's kind: a scalar kind name, ("list", kind), ("map", kind) or an object's fields.
Kind: TypeAlias = "str | tuple[str, Kind] | Mapping[str, Kind]"

STR, BOOL, INT, NUMBER, QUANTITY = "string", "boolean", "integer", "number", "quantity"
INT_OR_STR, ANY = "int-or-string", "any"
_SCALARS = frozenset({STR, BOOL, INT, NUMBER, QUANTITY, INT_OR_STR, ANY})


class _Object(dict[str, "Kind"]):
    """An object's fields and their kinds, with the fields it must have."""

    required: tuple[str, ...] = ()


def _kinds() -> dict[str, _Object]:
    """Each object of the table with its fields' kinds resolved (objects shared by name)."""
    objects = {name: _Object() for name in OBJECTS}
    for name, required in REQUIRED.items():
        objects[name].required = required

    def kind(text: str) -> Kind:
        shape, _, rest = text.partition(":")
        if rest:
            return (shape, kind(rest))
        return text if text in _SCALARS else objects[text]

    for name, fields in OBJECTS.items():
        objects[name].update((field, kind(text)) for field, text in fields.items())
    return objects


_OBJECTS = _kinds()
POD_SPEC: Kind = _OBJECTS["PodSpec"]


def _scalar_ok(kind: str, value: Any) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == STR:
        return isinstance(value, str)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUMBER:
        return number
    if kind == INT_OR_STR:
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if kind == QUANTITY:
        # Go's Quantity decodes a JSON string or a JSON number.
        return number or (isinstance(value, str) and parse_quantity(value) is not None)
    return True  # ANY


def pod_spec_errors(spec: Any) -> list[str]:
    """The paths (``containers[0].resources.limits.cpu``) of values that would make Go's
    decoder reject ``spec`` as a PodSpec; empty when it decodes."""
    bad: list[str] = []
    stack: list[tuple[str, Kind, Any]] = [("", POD_SPEC, spec)]
    while stack:
        path, kind, value = stack.pop()
        if value is None:
            continue
        if isinstance(kind, str):
            if not _scalar_ok(kind, value):
                bad.append(path or "<pod spec>")
        elif isinstance(kind, tuple):
            shape, item = kind
            if shape == "list":
                if not isinstance(value, list):
                    bad.append(path)
                    continue
                stack.extend((f"{path}[{i}]", item, v) for i, v in enumerate(value))
            else:
                if not isinstance(value, dict):
                    bad.append(path)
                    continue
                stack.extend((f"{path}.{k}", item, v) for k, v in value.items())
        else:
            if not isinstance(value, dict):
                bad.append(path or "<pod spec>")
                continue
            for key, sub in kind.items():
                if key in value:
                    stack.append((f"{path}.{key}" if path else key, sub, value[key]))
    return sorted(bad)


def _children(path: str, kind: Kind, value: Any) -> list[tuple[str, Kind, Any]]:
    """The (path, kind, value) of the parts of ``value`` that ``kind`` describes."""
    if isinstance(kind, str) or value is None:
        return []
    if isinstance(kind, tuple):
        shape, item = kind
        if shape == "list" and isinstance(value, list):
            return [(f"{path}[{i}]", item, v) for i, v in enumerate(value)]
        if shape == "map" and isinstance(value, dict):
            return [(f"{path}.{k}", item, v) for k, v in value.items()]
        return []
    if not isinstance(value, dict):
        return []
    return [(f"{path}.{k}" if path else k, sub, value[k]) for k, sub in kind.items() if k in value]


def unknown_fields(spec: Any) -> list[str]:
    """The paths (``containers[1].colour``) of keys Go's decoder drops from ``spec`` as a
    PodSpec: keys of objects that are none of their fields."""
    found: list[str] = []
    stack: list[tuple[str, Kind, Any]] = [("", POD_SPEC, spec)]
    while stack:
        path, kind, value = stack.pop()
        if isinstance(kind, Mapping) and isinstance(value, dict):
            found += [f"{path}.{k}" if path else str(k) for k in value if k not in kind]
        stack += _children(path, kind, value)
    return sorted(found)


def missing_fields(spec: Any) -> list[str]:
    """The paths (``volumes[0].name``) of fields the API server requires that ``spec`` (a
    pod spec as it is sent) leaves out or sets to ``null``."""
    found: list[str] = []
    stack: list[tuple[str, Kind, Any]] = [("", POD_SPEC, spec)]
    while stack:
        path, kind, value = stack.pop()
        if isinstance(kind, _Object) and isinstance(value, dict):
            found += [f"{path}.{k}" if path else k for k in kind.required if value.get(k) is None]
        stack += _children(path, kind, value)
    return sorted(found)


def _zero(kind: Kind) -> Any:
    """Go's zero value of a field of ``kind`` (what ``null`` in a list or map decodes to)."""
    if isinstance(kind, str):
        return {STR: "", BOOL: False, INT: 0, NUMBER: 0, QUANTITY: "0", INT_OR_STR: 0}.get(kind)
    if isinstance(kind, tuple):
        return [] if kind[0] == "list" else {}
    return {}


def _prune(kind: Kind, value: Any) -> Any:
    if value is None or isinstance(kind, str):
        return value
    if isinstance(kind, tuple):
        shape, item = kind
        if shape == "list" and isinstance(value, list):
            return [_prune(item, _zero(item) if v is None else v) for v in value]
        if shape == "map" and isinstance(value, dict):
            return {k: _prune(item, _zero(item) if v is None else v) for k, v in value.items()}
        return value
    if not isinstance(value, dict):
        return value
    return {k: _prune(kind[k], v) for k, v in value.items() if v is not None and k in kind}


def known_fields(spec: Mapping[str, Any]) -> dict[str, Any]:
    """``spec`` as Flyte's pod spec holds it once decoded (a new object): without the keys
    :func:`unknown_fields` finds, a ``null`` field left out and a ``null`` in a list or map
    made its zero value (an empty object or string), as Go's decoder does."""
    pruned: dict[str, Any] = _prune(POD_SPEC, dict(spec))
    return pruned


#: Pod spec lists whose entries an overlay merges into the base's by name.
NAMED_CONTAINERS = ("containers", "initContainers")


def _zero_value(value: Any) -> bool:
    """Whether a decoded scalar is Go's zero value (``0 == 0.0 == False``)."""
    return value is None or (not isinstance(value, dict | list) and value in (False, "", 0))


def _go_merge(kind: Kind, base: Any, overlay: Any) -> Any:
    """``overlay`` merged onto ``base`` (decoded values of ``kind``) as ``mergo.Merge`` with
    override and appended slices merges Go values: lists appended, map entries set, object
    fields merged, and a scalar replaced unless the overlay's is a zero value."""
    if isinstance(kind, tuple) and isinstance(base, list | dict):
        if isinstance(base, list) and isinstance(overlay, list):
            return [*base, *copy.deepcopy(overlay)]
        if isinstance(base, dict) and isinstance(overlay, dict):
            return {**base, **copy.deepcopy(overlay)}
    if isinstance(kind, Mapping) and isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            if key in out:
                out[key] = _go_merge(kind.get(key, ANY), out[key], value)
            elif not _zero_value(value):
                out[key] = copy.deepcopy(value)
        return out
    return base if _zero_value(overlay) else copy.deepcopy(overlay)


def merge_overlay(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """A plugin's pod overlay (decoded) merged onto the pod spec ``base`` as Flyte's
    ``MergeOverlayPodSpecOntoBase`` merges it: every other field as ``mergo`` does; the base's
    containers (and init containers) stay, each with the overlay's containers of its name
    merged onto it, and an overlay container of another name is dropped."""
    pod = _OBJECTS["PodSpec"]
    rest = {k: v for k, v in overlay.items() if k not in NAMED_CONTAINERS}
    out: dict[str, Any] = _go_merge(pod, copy.deepcopy(dict(base)), rest)
    for key in NAMED_CONTAINERS:
        if key not in base:
            continue
        listed = pod[key]
        item = listed[1] if isinstance(listed, tuple) else ANY
        merged = []
        for container in base[key]:
            for extra in overlay.get(key) or []:
                if isinstance(extra, dict) and extra.get("name") == container.get("name"):
                    container = _go_merge(item, container, extra)
            merged.append(copy.deepcopy(container))
        out[key] = merged
    return out
