"""Literals as plain JSON, what ``outputs`` and ``show`` print (and list/map parameter texts).

Numbers, strings, booleans and ``null``; datetimes as RFC 3339 strings, durations as seconds,
non-finite floats as ``"nan"``/``"inf"``/``"-inf"``; URIs for files, directories and datasets;
lists; objects for maps, dataclasses and dicts (msgpack or ``Struct``); union values unwrapped.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from fcomp.runtime.literals import MSGPACK, literal_kind, scalar_kind
from fcomp.runtime.scalars import FormError, duration_seconds, format_datetime, json_float
from fcomp.runtime.structs import struct_to_python, unpack


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
