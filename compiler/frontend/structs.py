"""Protobuf ``Struct`` and well-known types as plain JSON data."""

from __future__ import annotations

from typing import Any

from google.protobuf import duration_pb2, struct_pb2


def struct_data(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A ``Struct`` as a dict, with integral numbers as ``int`` (Struct stores every number as
    a double, but pod specs and plugin configs mean integers there)."""
    return {key: _value(struct.fields[key]) for key in struct.fields}


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


def seconds(d: duration_pb2.Duration) -> float:
    """A ``Duration`` in seconds."""
    return d.seconds + d.nanos / 1e9
