"""Literals as JSON values: typed JSON -> literal (parameters), literal -> plain JSON (outputs).

JSON form per type: numbers, strings, booleans, ``null``; datetimes as RFC 3339 strings;
durations as seconds; enums by value; files, directories and datasets by URI; lists; objects
for maps, dataclasses and dicts.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from flyteidl.core import literals_pb2

from fcomp.runtime.literals import (
    MSGPACK,
    SimpleType,
    describe_type,
    is_msgpack_struct,
    literal_kind,
    none_variant,
    scalar_kind,
    type_kind,
)
from fcomp.runtime.scalars import (
    FormError,
    check_int64,
    duration_from_seconds,
    duration_seconds,
    format_datetime,
    json_float,
    parse_datetime,
    parse_duration,
)
from fcomp.runtime.structs import pack, python_to_struct, struct_to_python, unpack

Literal = literals_pb2.Literal
_NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


def _primitive(field: str, value: Any) -> Any:
    literal = Literal()
    target = literal.scalar.primitive
    if field in ("datetime", "duration"):
        getattr(target, field).CopyFrom(value)
    else:
        setattr(target, field, value)
    return literal


def _int(value: Any, _t: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormError("expected an integer")
    return _primitive("integer", check_int64(value))


def _float(value: Any, _t: Any) -> Any:
    if isinstance(value, str) and value.lower() in _NON_FINITE:
        return _primitive("float_value", _NON_FINITE[value.lower()])
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormError("expected a number")
    return _primitive("float_value", float(value))


def _string(value: Any, _t: Any) -> Any:
    if not isinstance(value, str):
        raise FormError("expected a string")
    return _primitive("string_value", value)


def _bool(value: Any, _t: Any) -> Any:
    if not isinstance(value, bool):
        raise FormError("expected true or false")
    return _primitive("boolean", value)


def _datetime(value: Any, _t: Any) -> Any:
    if not isinstance(value, str):
        raise FormError("expected an ISO 8601 date-time string")
    return _primitive("datetime", parse_datetime(value))


def _duration(value: Any, _t: Any) -> Any:
    if isinstance(value, str):
        return _primitive("duration", parse_duration(value))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormError("expected seconds or an ISO 8601 duration")
    return _primitive("duration", duration_from_seconds(value))


def _none(value: Any, _t: Any) -> Any:
    if value is not None:
        raise FormError("expected null")
    literal = Literal()
    literal.scalar.none_type.SetInParent()
    return literal


def _binary(value: Any, _t: Any) -> Any:
    if not isinstance(value, str):
        raise FormError("expected base64 text")
    literal = Literal()
    try:
        literal.scalar.binary.value = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise FormError("expected base64 text") from None
    return literal


def _struct(value: Any, literal_type: Any) -> Any:
    """msgpack ``Binary`` when flytekit's type says so (1.14+), else a ``Struct`` (older)."""
    literal = Literal()
    coerced = coerce_struct_value(value, literal_type, "value")
    if is_msgpack_struct(literal_type):
        literal.scalar.binary.value = pack(coerced)
        literal.scalar.binary.tag = MSGPACK
        return literal
    if not isinstance(coerced, dict):
        raise FormError("expected a JSON object")
    literal.scalar.generic.CopyFrom(python_to_struct(coerced))
    return literal


def _error(value: Any, _t: Any) -> Any:
    raise FormError("error values cannot be given as parameters")


_SIMPLE: dict[int, Callable[[Any, Any], Any]] = {
    SimpleType.NONE: _none,
    SimpleType.INTEGER: _int,
    SimpleType.FLOAT: _float,
    SimpleType.STRING: _string,
    SimpleType.BOOLEAN: _bool,
    SimpleType.DATETIME: _datetime,
    SimpleType.DURATION: _duration,
    SimpleType.BINARY: _binary,
    SimpleType.ERROR: _error,
    SimpleType.STRUCT: _struct,
}


def _uri(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FormError("expected a URI")
    return value


def _blob(value: Any, literal_type: Any) -> Any:
    literal = Literal()
    literal.scalar.blob.uri = _uri(value)
    literal.scalar.blob.metadata.type.CopyFrom(literal_type.blob)
    return literal


def _dataset(value: Any, literal_type: Any) -> Any:
    literal = Literal()
    literal.scalar.structured_dataset.uri = _uri(value)
    sd_type = literal.scalar.structured_dataset.metadata.structured_dataset_type
    sd_type.CopyFrom(literal_type.structured_dataset_type)
    return literal


def _schema(value: Any, literal_type: Any) -> Any:
    literal = Literal()
    literal.scalar.schema.uri = _uri(value)
    literal.scalar.schema.type.CopyFrom(literal_type.schema)
    return literal


def _enum(value: Any, literal_type: Any) -> Any:
    values = list(literal_type.enum_type.values)
    if not isinstance(value, str) or value not in values:
        raise FormError(f"expected one of {', '.join(values)}")
    return _primitive("string_value", value)


def _collection(value: Any, literal_type: Any) -> Any:
    if not isinstance(value, list):
        raise FormError("expected a JSON list")
    literal = Literal()
    literal.collection.SetInParent()
    for index, item in enumerate(value):
        literal.collection.literals.append(
            _nested(item, literal_type.collection_type, f"[{index}]")
        )
    return literal


def _map(value: Any, literal_type: Any) -> Any:
    if not isinstance(value, dict):
        raise FormError("expected a JSON object")
    literal = Literal()
    literal.map.SetInParent()
    for key, item in value.items():
        literal.map.literals[key].CopyFrom(_nested(item, literal_type.map_value_type, f"[{key!r}]"))
    return literal


def _union(value: Any, literal_type: Any) -> Any:
    variants = list(literal_type.union_type.variants)
    if value is None and none_variant(literal_type) is not None:
        variants = [none_variant(literal_type)]
    for variant in variants:
        try:
            inner = from_json(value, variant)
        except FormError:
            continue
        literal = Literal()
        literal.scalar.union.value.CopyFrom(inner)
        literal.scalar.union.type.CopyFrom(variant)
        return literal
    raise FormError(f"the value is not of any variant of {describe_type(literal_type)}")


_KINDS: dict[str, Callable[[Any, Any], Any]] = {
    "simple": lambda value, t: _SIMPLE[t.simple](value, t),
    "schema": _schema,
    "collection_type": _collection,
    "map_value_type": _map,
    "blob": _blob,
    "enum_type": _enum,
    "structured_dataset_type": _dataset,
    "union_type": _union,
}


def _nested(value: Any, literal_type: Any, where: str) -> Any:
    try:
        return from_json(value, literal_type)
    except FormError as error:
        raise FormError(f"{where}: {error}") from None


def from_json(value: Any, literal_type: Any) -> Any:
    """The literal of ``literal_type`` for a JSON value; FormError when it does not fit."""
    return _KINDS[type_kind(literal_type)](value, literal_type)


# --- dataclass values: JSON -> what flytekit's msgpack encoder would have written --------------


def _coerce_fields(value: Any, literal_type: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormError(f"{where}: expected a JSON object")
    fields = literal_type.structure.dataclass_type
    unknown = [key for key in value if key not in fields]
    if unknown:
        raise FormError(f"{where}: unknown field {unknown[0]!r}")
    required = (
        literal_type.metadata.fields["required"]
        if "required" in literal_type.metadata.fields
        else None
    )
    missing = [
        r for r in (required.list_value.values if required else []) if r.string_value not in value
    ]
    if missing:
        raise FormError(f"{where}: missing field {missing[0].string_value!r}")
    return {
        key: coerce_struct_value(item, fields[key], f"{where}.{key}") for key, item in value.items()
    }


def coerce_struct_value(value: Any, literal_type: Any, where: str) -> Any:
    """A JSON value with the Python types the dataclass field types call for (ints as floats)."""
    kind = type_kind(literal_type)
    if kind == "simple" and literal_type.structure.dataclass_type:
        return _coerce_fields(value, literal_type, where)
    if kind == "simple" and literal_type.simple == SimpleType.FLOAT:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FormError(f"{where}: expected a number")
        return float(value)
    if kind == "simple" and literal_type.simple == SimpleType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FormError(f"{where}: expected an integer")
        return value
    if kind == "collection_type" and isinstance(value, list):
        element = literal_type.collection_type
        return [coerce_struct_value(v, element, f"{where}[{i}]") for i, v in enumerate(value)]
    if kind == "map_value_type" and isinstance(value, dict):
        item_type = literal_type.map_value_type
        return {k: coerce_struct_value(v, item_type, f"{where}[{k!r}]") for k, v in value.items()}
    if kind == "union_type" and value is not None:
        for variant in literal_type.union_type.variants:
            try:
                return coerce_struct_value(value, variant, where)
            except FormError:
                continue
    return value


# --- literal -> plain JSON (what `outputs` and `show` print) ------------------------------------


def _json_msgpack_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_msgpack_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_msgpack_value(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float):
        return json_float(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _json_duration(duration: Any) -> int | float:
    seconds = duration_seconds(duration)
    return int(seconds) if seconds == seconds.to_integral_value() else float(seconds)


_PRIMITIVE_JSON: dict[str, Callable[[Any], Any]] = {
    "integer": lambda p: p.integer,
    "float_value": lambda p: json_float(p.float_value),
    "string_value": lambda p: p.string_value,
    "boolean": lambda p: p.boolean,
    "datetime": lambda p: format_datetime(p.datetime),
    "duration": lambda p: _json_duration(p.duration),
}


def _binary_json(binary: Any) -> Any:
    if binary.tag == MSGPACK:
        return _json_msgpack_value(unpack(binary.value, "a msgpack value"))
    return base64.b64encode(binary.value).decode("ascii")


_SCALAR_JSON: dict[str, Callable[[Any, Callable[[Any], Any]], Any]] = {
    "primitive": lambda s, _r: _PRIMITIVE_JSON[s.primitive.WhichOneof("value")](s.primitive),
    "blob": lambda s, _r: s.blob.uri,
    "binary": lambda s, _r: _binary_json(s.binary),
    "schema": lambda s, _r: s.schema.uri,
    "none_type": lambda s, _r: None,
    "error": lambda s, _r: {"error": s.error.message, "failed_node_id": s.error.failed_node_id},
    "generic": lambda s, _r: _json_msgpack_value(struct_to_python(s.generic)),
    "structured_dataset": lambda s, _r: s.structured_dataset.uri,
    "union": lambda s, resolve: to_json(s.union.value, resolve),
}


def _natural_key(key: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


def ordered_keys(keys: Any) -> list[str]:
    """Keys in natural order (``o0, o1, ..., o10``), so printed maps are stable."""
    return sorted(keys, key=_natural_key)


def _no_offloaded(literal: Any) -> Any:
    raise FormError(f"offloaded literal at {literal.offloaded_metadata.uri} cannot be read here")


def to_json(literal: Any, resolve_offloaded: Callable[[Any], Any] = _no_offloaded) -> Any:
    """A literal as plain JSON; offloaded literals are loaded with ``resolve_offloaded``."""
    kind = literal_kind(literal)
    if kind == "scalar":
        scalar_type = scalar_kind(literal)
        if not scalar_type:
            return None
        return _SCALAR_JSON[scalar_type](literal.scalar, resolve_offloaded)
    if kind == "collection":
        return [to_json(item, resolve_offloaded) for item in literal.collection.literals]
    if kind == "map":
        items = literal.map.literals
        return {key: to_json(items[key], resolve_offloaded) for key in ordered_keys(items)}
    if kind == "offloaded_metadata":
        return to_json(resolve_offloaded(literal), resolve_offloaded)
    return None
