"""Attribute paths on promises (``o0.a["b"][0]``), resolved as FlytePropeller resolves them.

As in ``flytepropeller/pkg/controller/nodes/attr_path_resolver.go``: list indexes and map keys walk
collection and map literals; the rest of the path walks inside a dataclass value. A msgpack
``Binary`` value is decoded and walked; what the path reaches becomes, as propeller turns it
(Flyte 1.15 on): a list, a collection of msgpack ``Binary`` elements (so a map task can map
over it); a string, number or boolean, a primitive literal (an integer past int64 is an
error); anything else (an object, a null, bytes), a msgpack ``Binary`` again. A ``Struct``
value is walked and turned into literals (objects stay ``Struct``, lists become collections,
numbers become floats as ``structpb`` holds them).

Where propeller silently ignores a bad step (a key into a list, a step past a leaf), this
resolver fails with a message naming the node, the step and the value's kind; union literals are
looked into instead of being returned unresolved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.core import literals_pb2

from fcomp.runtime.errors import StepError
from fcomp.runtime.literals import (
    MSGPACK,
    literal_kind,
    none_literal,
    primitive_literal,
    scalar_kind,
    unwrap_union,
)
from fcomp.runtime.structs import pack, python_to_struct, struct_to_python, unpack

Step = str | int


def _fail(where: str, message: str) -> StepError:
    return StepError(f"{where}: attribute path: {message}")


def _step(node: str, value: Any, step: Any, where: str) -> Any:
    """One step into a plain Python map or list."""
    if isinstance(value, dict):
        if not isinstance(step, str) or step not in value:
            raise _fail(node, f"key [{step!r}] does not exist in {where}")
        return value[step]
    if isinstance(value, list):
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(value):
            raise _fail(node, f"index [{step!r}] is out of range of {where} (length {len(value)})")
        return value[step]
    raise _fail(node, f"cannot take [{step!r}] of a {type(value).__name__} in {where}")


def _literal_step(node: str, literal: Any, step: Any) -> Any:
    kind = literal_kind(literal)
    if kind == "map":
        items = literal.map.literals
        if not isinstance(step, str) or step not in items:
            raise _fail(node, f"key [{step!r}] does not exist in the map")
        return items[step]
    items = literal.collection.literals
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(items):
        raise _fail(node, f"index [{step!r}] is out of range of the list (length {len(items)})")
    return items[step]


def _in_binary(node: str, literal: Any, path: list[Step]) -> Any:
    binary = literal.scalar.binary
    if binary.tag != MSGPACK:
        raise _fail(node, f"unsupported serialization format {binary.tag!r} for a dataclass value")
    value = unpack(binary.value, f"{node}: the dataclass value")
    for step in path:
        value = _step(node, value, step, "the dataclass value")
    if isinstance(value, list):
        resolved = literals_pb2.Literal()
        resolved.collection.SetInParent()
        resolved.collection.literals.extend(_msgpack_literal(item) for item in value)
        return resolved
    if isinstance(value, bool | int | float | str):
        return _primitive_literal(node, value)
    return _msgpack_literal(value)


def _msgpack_literal(value: Any) -> Any:
    """``value`` as a msgpack ``Binary`` literal."""
    literal = literals_pb2.Literal()
    literal.scalar.binary.value = pack(value)
    literal.scalar.binary.tag = MSGPACK
    return literal


#: The range of Go's int64, which a primitive integer literal holds.
_INT64 = range(-(2**63), 2**63)
#: The primitive field of a decoded leaf, by Python type (bool before int: a bool is an int).
_PRIMITIVE_FIELDS = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "float_value"),
    (str, "string_value"),
)


def _primitive_literal(node: str, value: bool | int | float | str) -> Any:
    """A decoded msgpack leaf as a primitive literal (Go's ``convertInterfaceToLiteralScalar``)."""
    if isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
        raise _fail(node, f"integer {value} is too large to be converted to int64")
    field = next(name for kind, name in _PRIMITIVE_FIELDS if isinstance(value, kind))
    return primitive_literal(field, value)


def _python_to_literal(value: Any) -> Any:
    """A value taken out of a ``Struct`` as a literal (Go's ``convertInterfaceToLiteral``)."""
    literal = literals_pb2.Literal()
    if isinstance(value, dict):
        literal.scalar.generic.CopyFrom(python_to_struct(value))
    elif isinstance(value, list):
        literal.collection.SetInParent()
        literal.collection.literals.extend(_python_to_literal(v) for v in value)
    elif isinstance(value, bool):
        literal.scalar.primitive.boolean = value
    elif isinstance(value, str):
        literal.scalar.primitive.string_value = value
    elif isinstance(value, float | int):
        literal.scalar.primitive.float_value = float(value)
    else:
        return none_literal()
    return literal


def _in_struct(node: str, literal: Any, path: list[Step]) -> Any:
    value: Any = struct_to_python(literal.scalar.generic)
    for step in path:
        value = _step(node, value, step, "the dataclass value")
    return _python_to_literal(value)


#: How to walk the rest of a path inside a scalar, by scalar kind.
_INSIDE: dict[str, Callable[[str, Any, list[Step]], Any]] = {
    "binary": _in_binary,
    "generic": _in_struct,
}


def resolve_path(node: str, literal: Any, path: list[Step]) -> Any:
    """The literal at ``path`` inside ``literal``; errors start with ``node`` (what it is)."""
    current, done = literal, 0
    while done < len(path) and literal_kind(unwrap_union(current)) in ("map", "collection"):
        current = _literal_step(node, unwrap_union(current), path[done])
        done += 1
    if done == len(path):
        return current
    current = unwrap_union(current)
    walker = _INSIDE.get(scalar_kind(current))
    if walker is None:
        kind = scalar_kind(current) or literal_kind(current) or "empty"
        raise _fail(node, f"cannot take [{path[done]!r}] of a {kind} value")
    return walker(node, current, list(path[done:]))
