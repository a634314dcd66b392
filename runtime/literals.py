"""Small helpers over flyteidl literals and literal types: kinds, names, constructors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType
SimpleType = types_pb2.SimpleType

#: The serialization format flytekit records for dataclasses, dicts and Pydantic models.
MSGPACK = "msgpack"


def type_kind(literal_type: Any) -> str:
    """Which ``LiteralType.type`` field is set (``simple``, ``collection_type``, ...)."""
    return str(literal_type.WhichOneof("type") or "simple")


def literal_kind(literal: Any) -> str:
    """Which ``Literal.value`` field is set (``scalar``, ``collection``, ``map``, ...)."""
    return str(literal.WhichOneof("value") or "")


def scalar_kind(literal: Any) -> str:
    """Which ``Scalar.value`` field is set, or ``""`` when the literal is no scalar."""
    if literal_kind(literal) != "scalar":
        return ""
    return str(literal.scalar.WhichOneof("value") or "")


def primitive_kind(literal: Any) -> str:
    """Which ``Primitive.value`` field is set, or ``""`` when the literal is no primitive."""
    if scalar_kind(literal) != "primitive":
        return ""
    return str(literal.scalar.primitive.WhichOneof("value") or "")


def primitive_literal(field: str, value: Any) -> Any:
    """``Literal{scalar{primitive{<field>: value}}}`` (``datetime``/``duration`` take messages)."""
    literal = Literal()
    target = literal.scalar.primitive
    if field in ("datetime", "duration"):
        getattr(target, field).CopyFrom(value)
    else:
        setattr(target, field, value)
    return literal


def none_literal() -> Any:
    """``Literal{scalar{none_type{}}}``, Flyte's None."""
    literal = Literal()
    literal.scalar.none_type.SetInParent()
    return literal


def is_none(literal: Any) -> bool:
    """Whether the literal is Flyte's None."""
    return scalar_kind(literal) == "none_type"


def unwrap_union(literal: Any) -> Any:
    """The value inside union literals (recursively); other literals unchanged."""
    while scalar_kind(literal) == "union":
        literal = literal.scalar.union.value
    return literal


def is_msgpack_struct(literal_type: Any) -> bool:
    """Whether flytekit stores values of this STRUCT type as msgpack ``Binary`` (1.14+)."""
    annotations = literal_type.annotation.annotations.fields
    if "cache-key-metadata" not in annotations:
        return False
    metadata = annotations["cache-key-metadata"].struct_value.fields
    if "serialization-format" not in metadata:
        return False
    return bool(metadata["serialization-format"].string_value == MSGPACK)


def none_variant(literal_type: Any) -> Any | None:
    """The NONE variant of a union type, if it has one."""
    for variant in literal_type.union_type.variants:
        if type_kind(variant) == "simple" and variant.simple == SimpleType.NONE:
            return variant
    return None


def _simple_name(literal_type: Any) -> str:
    name = SimpleType.Name(literal_type.simple).capitalize()
    title = _struct_title(literal_type)
    return f"{name}({title})" if title else name


def _struct_title(literal_type: Any) -> str:
    if "title" not in literal_type.metadata.fields:
        return ""
    return str(literal_type.metadata.fields["title"].string_value)


def _blob_name(literal_type: Any) -> str:
    blob = literal_type.blob
    kind = "Directory" if blob.dimensionality == types_pb2.BlobType.MULTIPART else "File"
    return f"{kind}[{blob.format}]" if blob.format else kind


_TYPE_NAMES: dict[str, Callable[[Any], str]] = {
    "simple": _simple_name,
    "schema": lambda t: "Schema",
    "collection_type": lambda t: f"List[{describe_type(t.collection_type)}]",
    "map_value_type": lambda t: f"Dict[String, {describe_type(t.map_value_type)}]",
    "blob": _blob_name,
    "enum_type": lambda t: f"Enum[{', '.join(t.enum_type.values)}]",
    "structured_dataset_type": lambda t: (
        f"StructuredDataset[{t.structured_dataset_type.format}]"
        if t.structured_dataset_type.format
        else "StructuredDataset"
    ),
    "union_type": lambda t: f"Union[{', '.join(describe_type(v) for v in t.union_type.variants)}]",
}


def describe_type(literal_type: Any) -> str:
    """A short readable name for a literal type (``List[Integer]``, ``Union[Integer, None]``)."""
    return _TYPE_NAMES[type_kind(literal_type)](literal_type)
