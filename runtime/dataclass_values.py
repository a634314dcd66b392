"""Dataclass values from JSON, with the Python types flytekit's msgpack encoder would write.

flytekit 1.14+ writes a dataclass as ``msgpack.packb(mashumaro_dict)``: float fields hold floats
even when a user types ``2``. A JSON object is checked against the type's
``structure.dataclass_type`` (unknown and missing required fields fail) and coerced field by
field, so the bytes match flytekit's for the same value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fcomp.runtime.literals import SimpleType, type_kind
from fcomp.runtime.scalars import FormError


def _fields(value: Any, literal_type: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormError(f"{where}: expected a JSON object")
    fields = literal_type.structure.dataclass_type
    unknown = [key for key in value if key not in fields]
    if unknown:
        raise FormError(f"{where}: unknown field {unknown[0]!r}")
    schema = literal_type.metadata.fields
    required = schema["required"].list_value.values if "required" in schema else []
    missing = [name.string_value for name in required if name.string_value not in value]
    if missing:
        raise FormError(f"{where}: missing field {missing[0]!r}")
    return {
        key: coerce_struct_value(item, fields[key], f"{where}.{key}") for key, item in value.items()
    }


def _float(value: Any, _type: Any, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormError(f"{where}: expected a number")
    return float(value)


def _int(value: Any, _type: Any, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormError(f"{where}: expected an integer")
    return value


def _simple(value: Any, literal_type: Any, where: str) -> Any:
    if literal_type.structure.dataclass_type:
        return _fields(value, literal_type, where)
    coerce = _SIMPLE.get(literal_type.simple)
    return coerce(value, literal_type, where) if coerce else value


def _list(value: Any, literal_type: Any, where: str) -> Any:
    if not isinstance(value, list):
        return value
    element = literal_type.collection_type
    return [coerce_struct_value(v, element, f"{where}[{i}]") for i, v in enumerate(value)]


def _map(value: Any, literal_type: Any, where: str) -> Any:
    if not isinstance(value, dict):
        return value
    item_type = literal_type.map_value_type
    return {k: coerce_struct_value(v, item_type, f"{where}[{k!r}]") for k, v in value.items()}


def _union(value: Any, literal_type: Any, where: str) -> Any:
    if value is None:
        return value
    for variant in literal_type.union_type.variants:
        try:
            return coerce_struct_value(value, variant, where)
        except FormError:
            continue
    return value


Coercer = Callable[[Any, Any, str], Any]
_SIMPLE: dict[int, Coercer] = {SimpleType.FLOAT: _float, SimpleType.INTEGER: _int}
#: By type kind; kinds not listed (enums, files, datetimes) keep their JSON value as given.
_KINDS: dict[str, Coercer] = {
    "simple": _simple,
    "collection_type": _list,
    "map_value_type": _map,
    "union_type": _union,
}


def coerce_struct_value(value: Any, literal_type: Any, where: str) -> Any:
    """``value`` with the Python types ``literal_type`` calls for; FormError where it cannot."""
    coerce = _KINDS.get(type_kind(literal_type))
    return coerce(value, literal_type, where) if coerce else value
