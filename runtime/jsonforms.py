"""Typed JSON values as literals: list, map, dataclass and union parameters, Airflow params.

JSON form per type: numbers, strings, booleans, ``null``; datetimes as RFC 3339 strings;
durations as seconds or ISO 8601; enums by value; files, directories and datasets by URI;
lists; objects for maps, dataclasses and dicts. The reverse is :mod:`fcomp.runtime.plainjson`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from flyteidl.core import literals_pb2

from fcomp.runtime.dataclass_values import coerce_struct_value
from fcomp.runtime.literals import (
    MSGPACK,
    SimpleType,
    describe_type,
    is_msgpack_struct,
    none_variant,
    primitive_literal,
    type_kind,
)
from fcomp.runtime.scalars import (
    FormError,
    check_int64,
    duration_from_seconds,
    parse_datetime,
    parse_duration,
)
from fcomp.runtime.structs import pack, python_to_struct

Literal = literals_pb2.Literal
_NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


def _int(value: Any, _t: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormError("expected an integer")
    return primitive_literal("integer", check_int64(value))


def _float(value: Any, _t: Any) -> Any:
    if isinstance(value, str) and value.lower() in _NON_FINITE:
        return primitive_literal("float_value", _NON_FINITE[value.lower()])
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormError("expected a number")
    return primitive_literal("float_value", float(value))


def _string(value: Any, _t: Any) -> Any:
    if not isinstance(value, str):
        raise FormError("expected a string")
    return primitive_literal("string_value", value)


def _bool(value: Any, _t: Any) -> Any:
    if not isinstance(value, bool):
        raise FormError("expected true or false")
    return primitive_literal("boolean", value)


def _datetime(value: Any, _t: Any) -> Any:
    if not isinstance(value, str):
        raise FormError("expected an ISO 8601 date-time string")
    return primitive_literal("datetime", parse_datetime(value))


def _duration(value: Any, _t: Any) -> Any:
    if isinstance(value, str):
        return primitive_literal("duration", parse_duration(value))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormError("expected seconds or an ISO 8601 duration")
    return primitive_literal("duration", duration_from_seconds(value))


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
    return primitive_literal("string_value", value)


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
