"""Workflow parameters as text: text -> literal (``start``, ``signal``) and literal -> text.

The text form of each Flyte type is the table in ``runtime/CONTRACT.md``. The compiler renders
launch-plan defaults with :func:`literal_to_text`, so this module imports nothing heavy.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from flyteidl.core import literals_pb2

from fcomp.runtime import jsonforms, plainjson, scalars
from fcomp.runtime.errors import StepError
from fcomp.runtime.literals import (
    MSGPACK,
    SimpleType,
    describe_type,
    is_none,
    literal_kind,
    none_variant,
    primitive_kind,
    primitive_literal,
    scalar_kind,
    type_kind,
    unwrap_union,
)
from fcomp.runtime.scalars import FormError
from fcomp.runtime.unions import choose_variant

Literal = literals_pb2.Literal


def _json_text(text: str, literal_type: Any) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise FormError("expected JSON") from None
    return jsonforms.from_json(value, literal_type)


def _none_text(text: str, _t: Any) -> Any:
    if text.strip() not in ("", "null", "None"):
        raise FormError("expected empty text for None")
    return jsonforms.from_json(None, _t)


def _binary_text(text: str, literal_type: Any) -> Any:
    return jsonforms.from_json(text.strip(), literal_type)


def _primitive_parser(field: str, parse: Callable[[str], Any]) -> Callable[[str, Any], Any]:
    return lambda text, _type: primitive_literal(field, parse(text))


_SIMPLE_PARSERS: dict[int, Callable[[str, Any], Any]] = {
    SimpleType.NONE: _none_text,
    SimpleType.INTEGER: _primitive_parser("integer", scalars.parse_int),
    SimpleType.FLOAT: _primitive_parser("float_value", scalars.parse_float),
    SimpleType.STRING: _primitive_parser("string_value", str),
    SimpleType.BOOLEAN: _primitive_parser("boolean", scalars.parse_bool),
    SimpleType.DATETIME: _primitive_parser("datetime", scalars.parse_datetime),
    SimpleType.DURATION: _primitive_parser("duration", scalars.parse_duration),
    SimpleType.BINARY: _binary_text,
    SimpleType.ERROR: lambda text, t: jsonforms.from_json(text, t),
    SimpleType.STRUCT: _json_text,
}


def _union_text(text: str, literal_type: Any) -> Any:
    none = none_variant(literal_type)
    if none is not None and text == "":
        return jsonforms.from_json(None, literal_type)
    others = [v for v in literal_type.union_type.variants if none is None or v != none]
    if none is not None and len(others) == 1:
        return _wrap(parse_value(text, others[0]), others[0])
    try:
        return _json_text(text, literal_type)
    except FormError:
        pass
    for variant in others:  # text that is no JSON: the first variant whose text form fits
        try:
            return _wrap(parse_value(text, variant), variant)
        except FormError:
            continue
    raise FormError(f"the text is not of any variant of {describe_type(literal_type)}")


def _wrap(inner: Any, variant: Any) -> Any:
    literal = Literal()
    literal.scalar.union.value.CopyFrom(inner)
    literal.scalar.union.type.CopyFrom(variant)
    return literal


def _uri_text(text: str, literal_type: Any) -> Any:
    return jsonforms.from_json(text, literal_type)


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "simple": lambda text, t: _SIMPLE_PARSERS[t.simple](text, t),
    "schema": _uri_text,
    "collection_type": _json_text,
    "map_value_type": _json_text,
    "blob": _uri_text,
    "enum_type": lambda text, t: jsonforms.from_json(text, t),
    "structured_dataset_type": _uri_text,
    "union_type": _union_text,
}


def parse_value(text: str, literal_type: Any) -> Any:
    """The literal for a parameter text; FormError (saying what was expected) if it does not fit."""
    return _PARSERS[type_kind(literal_type)](text, literal_type)


def parse_parameter(name: str, text: str, literal_type: Any) -> Any:
    """The literal for parameter ``name``; a failure naming the input, type and text otherwise."""
    try:
        return parse_value(text, literal_type)
    except FormError as error:
        raise StepError(
            f"input '{name}' of type {describe_type(literal_type)}: cannot read {text!r}: {error}"
        ) from None


# --- literal -> text (launch-plan defaults rendered as parameter defaults) ----------------------


def _json_dump(literal: Any) -> str:
    return json.dumps(plainjson.to_json(literal), ensure_ascii=False)


def _primitive_text(literal: Any) -> str:
    primitive = literal.scalar.primitive
    kind = primitive_kind(literal)
    return _PRIMITIVE_TEXT[kind](primitive)


_PRIMITIVE_TEXT: dict[str, Callable[[Any], str]] = {
    "integer": lambda p: str(p.integer),
    "float_value": lambda p: scalars.format_float(p.float_value),
    "string_value": lambda p: str(p.string_value),
    "boolean": lambda p: "true" if p.boolean else "false",
    "datetime": lambda p: scalars.format_datetime(p.datetime),
    "duration": lambda p: scalars.format_duration(p.duration),
}


def _scalar_text(literal: Any) -> str:
    kind = scalar_kind(literal)
    if kind == "primitive":
        return _primitive_text(literal)
    if kind == "none_type":
        return ""
    if kind == "binary" and literal.scalar.binary.tag != MSGPACK:
        return base64.b64encode(literal.scalar.binary.value).decode("ascii")
    if kind in ("binary", "generic"):
        return _json_dump(literal)
    uri = plainjson.to_json(literal)
    return str(uri)


def _union_to_text(literal: Any, literal_type: Any) -> str:
    value = unwrap_union(literal)
    if is_none(value):
        return ""
    none = none_variant(literal_type)
    others = [v for v in literal_type.union_type.variants if none is None or v != none]
    if none is not None and len(others) == 1:
        return literal_to_text(value, others[0])
    choose_variant(value, literal_type)  # fails clearly when the value fits no variant
    return _json_dump(value)


def literal_to_text(literal: Any, literal_type: Any) -> str:
    """The parameter text of a literal of ``literal_type`` (the inverse of :func:`parse_value`)."""
    if type_kind(literal_type) == "union_type":
        return _union_to_text(literal, literal_type)
    value = unwrap_union(literal)
    if literal_kind(value) in ("collection", "map"):
        return _json_dump(value)
    if literal_kind(value) != "scalar":
        raise StepError(f"a {literal_kind(value) or 'empty'} literal has no parameter text")
    return _scalar_text(value)


def serialized_literal_to_text(literal: bytes, literal_type: bytes) -> str:
    """:func:`literal_to_text` for serialized ``Literal`` and ``LiteralType`` bytes.

    For callers that keep literals opaque (the compiler's IR): they need no protobuf import.
    """
    from flyteidl.core import types_pb2

    from fcomp.runtime.codec import parse_message

    return literal_to_text(
        parse_message(literal, Literal, "the default literal"),
        parse_message(literal_type, types_pb2.LiteralType, "the input type"),
    )
