"""Which type a literal is an instance of, and wrapping a literal into a union literal.

A union literal is ``Scalar{union{value, type}}`` where ``type`` is the union variant the value
was stored as, structure tag included (``{simple: INTEGER, structure: {tag: "int"}}``): flytekit
reads the value back with the transformer named by that tag, so the variant is taken from the
target union type itself, as flytekit's ``UnionTransformer`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from fcomp.runtime.errors import StepError
from fcomp.runtime.literals import (
    MSGPACK,
    SimpleType,
    describe_type,
    literal_kind,
    primitive_kind,
    scalar_kind,
    type_kind,
    unwrap_union,
)
from fcomp.runtime.structs import unpack

#: The primitive field each simple type's values use.
_PRIMITIVE_OF_SIMPLE = {
    SimpleType.INTEGER: "integer",
    SimpleType.FLOAT: "float_value",
    SimpleType.STRING: "string_value",
    SimpleType.BOOLEAN: "boolean",
    SimpleType.DATETIME: "datetime",
    SimpleType.DURATION: "duration",
}


def _struct_matches(literal: Any, literal_type: Any) -> bool:
    kind = scalar_kind(literal)
    if kind == "generic":
        return True
    if kind != "binary" or literal.scalar.binary.tag != MSGPACK:
        return False
    fields = literal_type.structure.dataclass_type
    if not fields:
        return True
    value = unpack(literal.scalar.binary.value, "a msgpack value")
    return isinstance(value, dict) and all(str(key) in fields for key in value)


def _simple_matches(literal: Any, literal_type: Any) -> bool:
    simple = literal_type.simple
    if simple in _PRIMITIVE_OF_SIMPLE:
        return primitive_kind(literal) == _PRIMITIVE_OF_SIMPLE[simple]
    if simple == SimpleType.NONE:
        return scalar_kind(literal) == "none_type"
    if simple == SimpleType.STRUCT:
        return _struct_matches(literal, literal_type)
    if simple == SimpleType.BINARY:
        return scalar_kind(literal) == "binary"
    return scalar_kind(literal) == "error"


def _blob_matches(literal: Any, literal_type: Any) -> bool:
    if scalar_kind(literal) != "blob":
        return False
    actual, expected = literal.scalar.blob.metadata.type, literal_type.blob
    formats_ok = not actual.format or not expected.format or actual.format == expected.format
    return bool(formats_ok and actual.dimensionality == expected.dimensionality)


def _dataset_matches(literal: Any, literal_type: Any) -> bool:
    if scalar_kind(literal) != "structured_dataset":
        return False
    actual = literal.scalar.structured_dataset.metadata.structured_dataset_type.format
    expected = literal_type.structured_dataset_type.format
    return not actual or not expected or actual.lower() == expected.lower()


def _collection_matches(literal: Any, literal_type: Any) -> bool:
    if literal_kind(literal) != "collection":
        return False
    element = literal_type.collection_type
    return all(matches(item, element) for item in literal.collection.literals)


def _map_matches(literal: Any, literal_type: Any) -> bool:
    if literal_kind(literal) != "map":
        return False
    value_type = literal_type.map_value_type
    return all(matches(item, value_type) for item in literal.map.literals.values())


def _union_matches(literal: Any, literal_type: Any) -> bool:
    return any(matches(literal, variant) for variant in literal_type.union_type.variants)


_MATCHERS: dict[str, Callable[[Any, Any], bool]] = {
    "simple": _simple_matches,
    "schema": lambda literal, _t: scalar_kind(literal) == "schema",
    "collection_type": _collection_matches,
    "map_value_type": _map_matches,
    "blob": _blob_matches,
    "enum_type": lambda literal, t: (
        primitive_kind(literal) == "string_value"
        and literal.scalar.primitive.string_value in t.enum_type.values
    ),
    "structured_dataset_type": _dataset_matches,
    "union_type": _union_matches,
}


def matches(literal: Any, literal_type: Any) -> bool:
    """Whether ``literal`` is a value of ``literal_type`` (union literals by their value)."""
    return _MATCHERS[type_kind(literal_type)](unwrap_union(literal), literal_type)


def _same_type(a: Any, b: Any) -> bool:
    """Types equal ignoring metadata and annotations (structure tags do count)."""
    left, right = types_pb2.LiteralType(), types_pb2.LiteralType()
    left.CopyFrom(a)
    right.CopyFrom(b)
    for message in (left, right):
        message.ClearField("metadata")
        message.ClearField("annotation")
    return bool(left == right)


def _offloaded_variant(literal: Any, union_type: Any) -> Any | None:
    inferred = literal.offloaded_metadata.inferred_type
    return next((v for v in union_type.union_type.variants if _same_type(v, inferred)), None)


def choose_variant(literal: Any, union_type: Any) -> Any:
    """The first variant of ``union_type`` that ``literal`` is a value of."""
    if literal_kind(literal) == "offloaded_metadata":
        variant = _offloaded_variant(literal, union_type)
    else:
        variant = next((v for v in union_type.union_type.variants if matches(literal, v)), None)
    if variant is None:
        raise StepError(f"the value is not of any variant of {describe_type(union_type)}")
    return variant


def wrap(literal: Any, union_type: Any) -> Any:
    """``literal`` as a union literal of ``union_type``; a union literal of it stays as it is."""
    if type_kind(union_type) != "union_type":
        raise StepError(f"cannot wrap a value into {describe_type(union_type)}: not a union")
    if scalar_kind(literal) == "union":
        stored = literal.scalar.union.type
        if any(_same_type(stored, v) for v in union_type.union_type.variants):
            return literal
        literal = unwrap_union(literal)
    wrapped = literals_pb2.Literal()
    wrapped.scalar.union.value.CopyFrom(literal)
    wrapped.scalar.union.type.CopyFrom(choose_variant(literal, union_type))
    return wrapped
