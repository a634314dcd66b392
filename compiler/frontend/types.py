"""Convert ``flyteidl.core.LiteralType`` and ``Literal`` messages into IR types and literals."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import TypedDict

from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import json_format

from fcomp.compiler import ir

#: Nesting deeper than this is refused before any recursive walk (see :func:`type_depth`).
MAX_TYPE_DEPTH = 100

_MSGPACK_TAG = "msgpack"


class TooDeepError(Exception):
    """A type or literal is nested deeper than :data:`MAX_TYPE_DEPTH`."""


def _struct_json(msg: object, present: bool) -> str:
    if not present:
        return ""
    data = json_format.MessageToDict(msg, preserving_proto_field_name=True)  # type: ignore[arg-type]
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def type_depth(t: types_pb2.LiteralType, limit: int = MAX_TYPE_DEPTH) -> int:
    """Nesting depth of a type, computed without recursion; stops counting past ``limit``."""
    stack: list[tuple[types_pb2.LiteralType, int]] = [(t, 1)]
    deepest = 0
    while stack:
        cur, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        kind = cur.WhichOneof("type")
        if kind == "collection_type":
            stack.append((cur.collection_type, depth + 1))
        elif kind == "map_value_type":
            stack.append((cur.map_value_type, depth + 1))
        elif kind == "union_type":
            stack.extend((v, depth + 1) for v in cur.union_type.variants)
        elif kind == "structured_dataset_type":
            stack.extend((c.literal_type, depth + 1) for c in cur.structured_dataset_type.columns)
        if cur.HasField("structure"):
            stack.extend((v, depth + 1) for v in cur.structure.dataclass_type.values())
    return deepest


class _Common(TypedDict):
    tag: str
    metadata: str
    annotation: str
    dataclass_type: tuple[tuple[str, ir.LiteralType], ...]
    pb: bytes


def convert_type(t: types_pb2.LiteralType, *, keep_pb: bool = True) -> ir.LiteralType:
    """Convert a literal type; raises :class:`TooDeepError` past :data:`MAX_TYPE_DEPTH`."""
    if type_depth(t) > MAX_TYPE_DEPTH:
        raise TooDeepError
    return _convert(t, keep_pb)


def _convert(t: types_pb2.LiteralType, keep_pb: bool) -> ir.LiteralType:
    base = _Common(
        tag=t.structure.tag if t.HasField("structure") else "",
        metadata=_struct_json(t.metadata, t.HasField("metadata")),
        annotation=_struct_json(t.annotation.annotations, t.HasField("annotation")),
        dataclass_type=tuple(
            (k, _convert(t.structure.dataclass_type[k], False))
            for k in sorted(t.structure.dataclass_type)
        ),
        pb=t.SerializeToString(deterministic=True) if keep_pb else b"",
    )
    kind = t.WhichOneof("type")
    if kind == "simple":
        return ir.Simple(simple=ir.SimpleType(t.simple), **base)
    if kind == "collection_type":
        return ir.Collection(elem=_convert(t.collection_type, False), **base)
    if kind == "map_value_type":
        return ir.MapOf(value=_convert(t.map_value_type, False), **base)
    if kind == "blob":
        return ir.Blob(
            format=t.blob.format,
            dimensionality=ir.BlobDimensionality(t.blob.dimensionality),
            **base,
        )
    if kind == "enum_type":
        return ir.EnumOf(values=tuple(t.enum_type.values), **base)
    if kind == "schema":
        cols = tuple(ir.SchemaColumn(c.name, ir.SchemaColumnType(c.type)) for c in t.schema.columns)
        return ir.Schema(columns=cols, **base)
    if kind == "structured_dataset_type":
        sd = t.structured_dataset_type
        return ir.StructuredDataset(
            columns=tuple(
                ir.DatasetColumn(c.name, _convert(c.literal_type, False)) for c in sd.columns
            ),
            format=sd.format,
            external_schema_type=sd.external_schema_type,
            external_schema_bytes=sd.external_schema_bytes,
            **base,
        )
    if kind == "union_type":
        return ir.Union(variants=tuple(_convert(v, False) for v in t.union_type.variants), **base)
    return ir.Unset(**base)


def literal_depth(lit: literals_pb2.Literal, limit: int = MAX_TYPE_DEPTH) -> int:
    """Nesting depth of a literal's collections and maps, without recursion."""
    stack: list[tuple[literals_pb2.Literal, int]] = [(lit, 1)]
    deepest = 0
    while stack:
        cur, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        kind = cur.WhichOneof("value")
        if kind == "collection":
            stack.extend((x, depth + 1) for x in cur.collection.literals)
        elif kind == "map":
            stack.extend((x, depth + 1) for x in cur.map.literals.values())
    return deepest


def _primitive_type(p: literals_pb2.Primitive) -> ir.LiteralType:
    simple = {
        "integer": ir.SimpleType.INTEGER,
        "float_value": ir.SimpleType.FLOAT,
        "string_value": ir.SimpleType.STRING,
        "boolean": ir.SimpleType.BOOLEAN,
        "datetime": ir.SimpleType.DATETIME,
        "duration": ir.SimpleType.DURATION,
    }.get(p.WhichOneof("value") or "", ir.SimpleType.NONE)
    return ir.Simple(simple=simple)


def scalar_type(s: literals_pb2.Scalar) -> ir.LiteralType | None:
    """The type Flyte infers for a scalar value, or None when it cannot infer one."""
    kind = s.WhichOneof("value")
    if kind == "primitive":
        return _primitive_type(s.primitive)
    if kind == "blob":
        if not s.blob.HasField("metadata"):
            return None
        return ir.Blob(
            format=s.blob.metadata.type.format,
            dimensionality=ir.BlobDimensionality(s.blob.metadata.type.dimensionality),
        )
    if kind == "binary":
        if s.binary.tag == _MSGPACK_TAG:
            return ir.Simple(simple=ir.SimpleType.STRUCT)
        return ir.Simple(simple=ir.SimpleType.BINARY)
    if kind == "schema":
        cols = tuple(
            ir.SchemaColumn(c.name, ir.SchemaColumnType(c.type)) for c in s.schema.type.columns
        )
        return ir.Schema(columns=cols)
    if kind == "structured_dataset":
        if not s.structured_dataset.HasField("metadata"):
            return ir.StructuredDataset()
        return _convert(
            types_pb2.LiteralType(
                structured_dataset_type=s.structured_dataset.metadata.structured_dataset_type
            ),
            False,
        )
    if kind == "none_type":
        return ir.NONE_TYPE
    if kind == "error":
        return ir.Simple(simple=ir.SimpleType.ERROR)
    if kind == "generic":
        return ir.Simple(simple=ir.SimpleType.STRUCT)
    if kind == "union":
        return ir.Union(variants=(_convert(s.union.type, False),))
    return None


def literal_type(lit: literals_pb2.Literal) -> ir.LiteralType | None:
    """The type Flyte infers for a literal (collections and maps by their elements)."""
    kind = lit.WhichOneof("value")
    if kind == "scalar":
        return scalar_type(lit.scalar)
    if kind == "collection":
        return ir.Collection(elem=_elements_type(lit.collection.literals))
    if kind == "map":
        values = [lit.map.literals[k] for k in sorted(lit.map.literals)]
        return ir.MapOf(value=_elements_type(values))
    if kind == "offloaded_metadata":
        return _convert(lit.offloaded_metadata.inferred_type, False)
    return None


def _elements_type(items: Iterable[literals_pb2.Literal]) -> ir.LiteralType:
    """Flyte's element-type inference: one type, NONE for empty, else a sorted union."""
    found: dict[str, ir.LiteralType] = {}
    empty_collection: ir.LiteralType | None = None
    for item in items:
        t = literal_type(item)
        if t is None:
            t = ir.Unset()
        if item.WhichOneof("value") == "collection" and not item.collection.literals:
            empty_collection = t
            continue
        found.setdefault(repr(t), t)
    if not found and empty_collection is not None:
        return empty_collection
    if not found:
        return ir.NONE_TYPE
    if len(found) == 1:
        return next(iter(found.values()))
    ordered = [found[k] for k in sorted(found)]
    variants: list[ir.LiteralType] = []
    nested = False
    for t in ordered:
        if isinstance(t, ir.Collection) and isinstance(t.elem, ir.Union):
            nested = True
            variants.extend(t.elem.variants)
        else:
            variants.append(t)
    union = ir.Union(variants=tuple(variants))
    return ir.Collection(elem=union) if nested else union


def convert_literal(lit: literals_pb2.Literal) -> ir.Literal:
    """Wrap a literal as an opaque IR literal with its inferred type."""
    if literal_depth(lit) > MAX_TYPE_DEPTH:
        raise TooDeepError
    text = None
    if lit.WhichOneof("value") == "scalar" and lit.scalar.WhichOneof("value") == "primitive":
        if lit.scalar.primitive.WhichOneof("value") == "string_value":
            text = lit.scalar.primitive.string_value
    return ir.Literal(
        pb=lit.SerializeToString(deterministic=True),
        type=literal_type(lit),
        string_value=text,
        shape=lit.WhichOneof("value") or "empty",
    )


def convert_scalar(s: literals_pb2.Scalar) -> ir.Literal:
    """Wrap a scalar (as found in bindings and branch operands) as a literal."""
    return convert_literal(literals_pb2.Literal(scalar=s))


def convert_primitive(p: literals_pb2.Primitive) -> ir.Literal:
    """Wrap a primitive (a branch operand) as a literal, with its parameter text (shown in
    messages and pictures)."""
    from fcomp.runtime.textforms import literal_to_text

    lit = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=p))
    converted = convert_literal(lit)
    try:
        text = literal_to_text(lit, types_pb2.LiteralType())
    except Exception:  # a primitive with nothing set has no text form
        text = None
    return dataclasses.replace(converted, text=text)
