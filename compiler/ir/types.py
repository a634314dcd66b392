"""Flyte literal types as frozen, hashable IR values.

Each variant mirrors one arm of ``flyteidl.core.LiteralType``. The parts Flyte's type checker
reads besides the arm itself (``structure.tag``, the ``metadata`` JSON schema, the
``annotation``) are kept as canonical JSON text so that types stay hashable. ``pb`` holds the
serialized ``LiteralType`` for the runtime and is excluded from comparisons.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any


class SimpleType(enum.IntEnum):
    """``flyteidl.core.SimpleType``."""

    NONE = 0
    INTEGER = 1
    FLOAT = 2
    STRING = 3
    BOOLEAN = 4
    DATETIME = 5
    DURATION = 6
    BINARY = 7
    ERROR = 8
    STRUCT = 9


class SchemaColumnType(enum.IntEnum):
    """``flyteidl.core.SchemaType.SchemaColumn.SchemaColumnType``."""

    INTEGER = 0
    FLOAT = 1
    STRING = 2
    BOOLEAN = 3
    DATETIME = 4
    DURATION = 5


class BlobDimensionality(enum.IntEnum):
    """``flyteidl.core.BlobType.BlobDimensionality``."""

    SINGLE = 0
    MULTIPART = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class TypeBase:
    """Parts every literal type may carry besides its variant."""

    tag: str = ""
    metadata: str = ""
    annotation: str = ""
    dataclass_type: tuple[tuple[str, LiteralType], ...] = ()
    pb: bytes = field(default=b"", compare=False, repr=False)

    @property
    def metadata_json(self) -> Any:
        """The ``metadata`` struct as JSON data, or None when absent."""
        return json.loads(self.metadata) if self.metadata else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Simple(TypeBase):
    """A simple (scalar) type."""

    simple: SimpleType


@dataclass(frozen=True, slots=True)
class SchemaColumn:
    """One column of a legacy schema type."""

    name: str
    type: SchemaColumnType


@dataclass(frozen=True, slots=True, kw_only=True)
class Schema(TypeBase):
    """The legacy ``FlyteSchema`` type."""

    columns: tuple[SchemaColumn, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Collection(TypeBase):
    """A list of ``elem``."""

    elem: LiteralType


@dataclass(frozen=True, slots=True, kw_only=True)
class MapOf(TypeBase):
    """A map from strings to ``value``."""

    value: LiteralType


@dataclass(frozen=True, slots=True, kw_only=True)
class Blob(TypeBase):
    """A file (single) or directory (multipart) with an optional format."""

    format: str = ""
    dimensionality: BlobDimensionality = BlobDimensionality.SINGLE


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumOf(TypeBase):
    """A string enumeration."""

    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DatasetColumn:
    """One column of a structured dataset type."""

    name: str
    type: LiteralType


@dataclass(frozen=True, slots=True, kw_only=True)
class StructuredDataset(TypeBase):
    """A structured dataset (data frame) with optional columns and format."""

    columns: tuple[DatasetColumn, ...] = ()
    format: str = ""
    external_schema_type: str = ""
    external_schema_bytes: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class Union(TypeBase):
    """A tagged union of variants."""

    variants: tuple[LiteralType, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Unset(TypeBase):
    """A ``LiteralType`` with no variant set (invalid wherever a type is required)."""


LiteralType = (
    Simple | Schema | Collection | MapOf | Blob | EnumOf | StructuredDataset | Union | Unset
)

NONE_TYPE = Simple(simple=SimpleType.NONE)


def render_type(t: LiteralType, depth: int = 0) -> str:
    """A short human-readable form of a type, as used in messages (``[Integer]``, ...)."""
    if depth > 20:
        return "..."
    match t:
        case Simple(simple=s):
            return s.name.capitalize() if s is not SimpleType.NONE else "None"
        case Collection(elem=e):
            return f"[{render_type(e, depth + 1)}]"
        case MapOf(value=v):
            return f"Dict[str, {render_type(v, depth + 1)}]"
        case Blob(format=f, dimensionality=d):
            kind = "Directory" if d is BlobDimensionality.MULTIPART else "File"
            return f"{kind}[{f}]" if f else kind
        case EnumOf(values=vs):
            return f"Enum{list(vs)}"
        case Schema():
            return "Schema"
        case StructuredDataset(format=f):
            return f"StructuredDataset[{f}]" if f else "StructuredDataset"
        case Union(variants=vs):
            return "Union[" + ", ".join(render_type(v, depth + 1) for v in vs) + "]"
        case Unset():
            return "<unset>"
    return "?"  # pragma: no cover


def is_none_union(t: LiteralType) -> bool:
    """Whether ``t`` is a union with a NONE variant (an input that may stay unbound)."""
    return isinstance(t, Union) and any(
        isinstance(v, Simple) and v.simple is SimpleType.NONE for v in t.variants
    )
