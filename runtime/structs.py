"""Structured values: msgpack ``Binary`` (flytekit's dataclasses and dicts) and ``Struct``.

flytekit 1.14+ stores a dataclass, a Pydantic model or an untyped ``dict`` as
``Scalar{binary{value: msgpack bytes, tag: "msgpack"}}``; older flytekit stored them as
``Scalar{generic: google.protobuf.Struct}``. Both appear in outputs and both are read here.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

from fcomp.runtime.errors import StepError


def unpack(data: bytes, what: str) -> Any:
    """Decode msgpack bytes to Python values (maps with non-string keys allowed)."""
    import msgpack  # type: ignore[import-untyped]

    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=False)
    except (ValueError, msgpack.UnpackException) as error:
        raise StepError(f"{what} is not valid msgpack: {error}") from error


def pack(value: Any) -> bytes:
    """Encode a value as flytekit does (``msgpack.packb(..., use_bin_type=True)``)."""
    import msgpack

    data: bytes = msgpack.packb(value, use_bin_type=True)
    return data


def struct_value_to_python(value: Any) -> Any:
    """A ``google.protobuf.Value`` as plain Python (numbers are floats, as in Go's ``AsMap``)."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return struct_to_python(value.struct_value)
    if kind == "list_value":
        return [struct_value_to_python(v) for v in value.list_value.values]
    if kind in (None, "null_value"):
        return None
    return getattr(value, kind)


def struct_to_python(struct: Any) -> dict[str, Any]:
    """A ``google.protobuf.Struct`` as a dict (keys in sorted order, for stable output)."""
    return {key: struct_value_to_python(struct.fields[key]) for key in sorted(struct.fields)}


def python_to_struct(value: dict[str, Any]) -> Any:
    """A JSON-like dict as a ``google.protobuf.Struct``."""
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct
