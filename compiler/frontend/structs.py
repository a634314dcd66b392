"""Protobuf ``Struct`` and well-known types as plain JSON data."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from google.protobuf import duration_pb2, struct_pb2


def struct_data(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A ``Struct`` as a dict, with integral numbers as ``int`` (Struct stores every number as
    a double, but pod specs and plugin configs mean integers there).

    Keys are sorted: a protobuf map keeps no order, and its iteration order changes from one
    process to the next (hash seeding), which would make the output differ between builds.
    """
    return {key: _value(struct.fields[key]) for key in sorted(struct.fields)}


def _value(v: struct_pb2.Value) -> Any:
    # Iterative on the container spine would be nicer, but protobuf parsing already bounds the
    # nesting depth of any message we receive (100 levels), well under Python's limit.
    kind = v.WhichOneof("kind")
    if kind == "struct_value":
        return struct_data(v.struct_value)
    if kind == "list_value":
        return [_value(x) for x in v.list_value.values]
    if kind == "number_value":
        n = v.number_value
        return int(n) if n.is_integer() and abs(n) < 2**53 else n
    if kind == "string_value":
        return v.string_value
    if kind == "bool_value":
        return v.bool_value
    return None


def json_field(data: Mapping[str, Any], json_name: str, name: str) -> Any:
    """A field of protobuf JSON by its JSON or proto name (Go's jsonpb takes both)."""
    return data[json_name] if json_name in data else data.get(name)


def seconds(d: duration_pb2.Duration) -> float:
    """A ``Duration`` in seconds."""
    return d.seconds + d.nanos / 1e9


#: Bounds of a valid ``google.protobuf.Duration`` that also fits Go's ``time.Duration``
#: (int64 nanoseconds), which is what Flyte converts a node timeout to.
_MAX_GO_DURATION_NS = 2**63 - 1
_MAX_DURATION_NANOS = 999_999_999


def checked_seconds(d: duration_pb2.Duration) -> float:
    """A ``Duration`` in seconds, or NaN when it is not a valid duration (nanos out of range,
    signs that disagree, or too long for Flyte's int64-nanosecond durations)."""
    if abs(d.nanos) > _MAX_DURATION_NANOS or (d.seconds * d.nanos) < 0:
        return math.nan
    if abs(d.seconds * 1_000_000_000 + d.nanos) > _MAX_GO_DURATION_NS:
        return math.nan
    return seconds(d)
