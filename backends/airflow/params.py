"""Airflow ``params`` for a launch plan's inputs: a JSON-schema type per Flyte type, the
default from the launch plan (its text form, as ``runtime/CONTRACT.md`` defines it, read as
the schema's JSON value), and the reverse: a DAG param value as the runtime's text form.

Fixed inputs get no param (so they cannot be overridden). An input whose default has no text
form gets a nullable param defaulting to null; the start task then passes the default literal.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.compiler import ir

_SIMPLE = {
    ir.SimpleType.INTEGER: "integer",
    ir.SimpleType.FLOAT: "number",
    ir.SimpleType.BOOLEAN: "boolean",
    ir.SimpleType.STRUCT: "object",
}


def schema_for(t: ir.LiteralType) -> dict[str, Any]:
    """The JSON schema of a Flyte type's parameter value (strings for text forms)."""
    match t:
        case ir.Simple(simple=s) if s in _SIMPLE:
            return {"type": _SIMPLE[s]}
        case ir.Simple(simple=ir.SimpleType.NONE):
            return {"type": "null"}
        case ir.Collection():
            return {"type": "array"}
        case ir.MapOf():
            return {"type": "object"}
        case ir.EnumOf(values=values) if values:
            return {"type": "string", "enum": list(values)}
        case ir.Union(variants=variants) if ir.is_none_union(t):
            rest = [v for v in variants if not _is_none(v)]
            inner = schema_for(rest[0]) if len(rest) == 1 else {}
            kind = inner.get("type")
            return {"type": [kind, "null"]} if isinstance(kind, str) else {}
        case ir.Union():
            return {}
    return {"type": "string"}


def _is_none(t: ir.LiteralType) -> bool:
    return isinstance(t, ir.Simple) and t.simple is ir.SimpleType.NONE


def value_from_text(text: str, schema: dict[str, Any]) -> Any:
    """A text form read as the value the schema expects; the text itself when it is not of
    that shape (the runtime reads either)."""
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if "null" in kinds and text == "":
        return None
    try:
        if "integer" in kinds:
            return int(text)
        if "number" in kinds:
            value = float(text)
            return value if math.isfinite(value) else text
        if "boolean" in kinds:
            return {"true": True, "false": False, "1": True, "0": False}[text.lower()]
        if "array" in kinds or "object" in kinds:
            return json.loads(text)
    except (ValueError, KeyError):
        return text
    return text


def text_from_value(value: Any) -> str:
    """A param value as the runtime's text form (``runtime/CONTRACT.md``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class ParamSpec:
    """One DAG param: its name, default (None: required unless ``nullable``), schema and
    description."""

    name: str
    default: Any
    has_default: bool
    schema: dict[str, Any]
    description: str


def param_specs(lp: ir.LaunchPlan, wf: ir.Workflow, optional: bool = False) -> list[ParamSpec]:
    """A param for every input the launch plan does not fix, in input order. A scheduled
    plan's inputs are all optional params (Airflow schedules no DAG with required params):
    the kickoff-time input is filled by the schedule, and any other missing value is
    reported by the start task. With ``optional``, every param is (a child run's values come
    from its parent)."""
    fixed = {name for name, _ in lp.fixed_inputs}
    scheduled = lp.schedule is not None or optional
    defaults = {p.var.name: p for p in lp.default_inputs}
    out: list[ParamSpec] = []
    for name, var in wf.interface.inputs.items():
        if name in fixed:
            continue
        schema = schema_for(var.type)
        p = defaults.get(name)
        if p is not None and p.default is not None:
            if p.default.text is not None:
                value = value_from_text(p.default.text, schema)
                spec = ParamSpec(name, value, True, _admit(schema, value), var.description)
            else:  # no text form: null stands for "the launch plan's default"
                spec = ParamSpec(name, None, True, nullable(schema), var.description)
        elif ir.is_none_union(var.type) and (p is None or not p.required):
            spec = ParamSpec(name, None, True, nullable(schema), var.description)
        elif scheduled:
            spec = ParamSpec(name, None, True, nullable(schema), var.description)
        else:
            spec = ParamSpec(name, None, False, schema, var.description)
        out.append(spec)
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


def _admit(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """``schema`` widened, when needed, so its own default validates (e.g. ``nan``)."""
    kind = schema.get("type")
    if kind is None:
        return schema
    kinds = [kind] if isinstance(kind, str) else list(kind)
    found = _kind(value)
    if found in kinds or (found == "integer" and "number" in kinds):
        return schema
    return {"type": [*kinds, found]}


def nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` also accepting null."""
    kind = schema.get("type")
    if kind is None:
        return dict(schema)
    kinds = [kind] if isinstance(kind, str) else list(kind)
    if "null" not in kinds:
        kinds.append("null")
    out = {**schema, "type": kinds}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


_STAND_INS: dict[str, Any] = {
    "integer": 0,
    "number": 0.0,
    "boolean": False,
    "string": "",
    "array": [],
    "object": {},
    "null": None,
}


def stand_in(schema: dict[str, Any]) -> Any:
    """A value the schema accepts (for a required param whose real value comes elsewhere)."""
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    first = kind if isinstance(kind, str) else (list(kind or []) or ["string"])[0]
    return _STAND_INS.get(first, "")
