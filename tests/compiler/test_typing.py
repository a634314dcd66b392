"""Table-driven tests of type castability (``fcomp.compiler.passes.typing``).

Each row names the rule it checks as ``<rule>/<case>``. The rows include the cases of Flyte's own
``validators/typing_test.go`` (re-expressed on fcomp's IR) and the dataclass cases its authors
used for JSON-schema comparison; the schemas below are what flytekit 1.16 (mashumaro) and
marshmallow-jsonschema emit for the dataclasses named in their comments.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fcomp.compiler.ir.types import (
    Blob,
    BlobDimensionality,
    Collection,
    DatasetColumn,
    EnumOf,
    LiteralType,
    MapOf,
    Schema,
    SchemaColumn,
    SchemaColumnType,
    Simple,
    SimpleType,
    StructuredDataset,
    Union,
    Unset,
)
from fcomp.compiler.passes.typing import describe_mismatch, is_castable

# ---------------------------------------------------------------------------------------------
# Builders


def simple(kind: SimpleType, tag: str = "", metadata: str = "", annotation: str = "") -> Simple:
    """A simple type."""
    return Simple(simple=kind, tag=tag, metadata=metadata, annotation=annotation)


INT = simple(SimpleType.INTEGER)
FLOAT = simple(SimpleType.FLOAT)
STR = simple(SimpleType.STRING)
BOOL = simple(SimpleType.BOOLEAN)
NONE = simple(SimpleType.NONE)
STRUCT = simple(SimpleType.STRUCT)


def lst(elem: LiteralType, tag: str = "") -> Collection:
    """A list type."""
    return Collection(elem=elem, tag=tag)


def dct(value: LiteralType) -> MapOf:
    """A map type."""
    return MapOf(value=value)


def union(*variants: LiteralType) -> Union:
    """A union type."""
    return Union(variants=variants)


def enum(*values: str, tag: str = "") -> EnumOf:
    """An enum type."""
    return EnumOf(values=values, tag=tag)


def blob(fmt: str = "", multipart: bool = False) -> Blob:
    """A file (or directory) type."""
    dim = BlobDimensionality.MULTIPART if multipart else BlobDimensionality.SINGLE
    return Blob(format=fmt, dimensionality=dim)


def schema(**columns: SchemaColumnType) -> Schema:
    """A legacy schema type."""
    return Schema(columns=tuple(SchemaColumn(n, t) for n, t in columns.items()))


def sd(fmt: str = "", **columns: LiteralType) -> StructuredDataset:
    """A structured dataset type."""
    return StructuredDataset(
        format=fmt, columns=tuple(DatasetColumn(n, t) for n, t in columns.items())
    )


def struct(doc: dict[str, Any] | None, tag: str = "") -> Simple:
    """A STRUCT type carrying ``doc`` as its JSON-schema metadata (canonical JSON text)."""
    text = "" if doc is None else json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return simple(SimpleType.STRUCT, tag=tag, metadata=text)


SC = SchemaColumnType

# ---------------------------------------------------------------------------------------------
# Dataclass schemas

# mashumaro (flytekit 1.16): @dataclass class Parent: a: int
PARENT = {
    "additionalProperties": False,
    "properties": {"a": {"type": "integer"}},
    "required": ["a"],
    "title": "Parent",
    "type": "object",
}
# class Child(Parent): b: int
CHILD = {
    "additionalProperties": False,
    "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
    "required": ["a", "b"],
    "title": "Child",
    "type": "object",
}
# class ChildWithDefault(Parent): b: int = 1
CHILD_WITH_DEFAULT = {
    "additionalProperties": False,
    "properties": {"a": {"type": "integer"}, "b": {"default": 1.0, "type": "integer"}},
    "required": ["a"],
    "title": "ChildWithDefault",
    "type": "object",
}
# class Other: c: str
OTHER = {
    "additionalProperties": False,
    "properties": {"c": {"type": "string"}},
    "required": ["c"],
    "title": "Other",
    "type": "object",
}
# class Renamed: a: int (same fields as Parent, other class name)
RENAMED = {**PARENT, "title": "Renamed"}
# class FloatA: a: float
FLOAT_A = {**PARENT, "properties": {"a": {"type": "number"}}, "title": "FloatA"}
_A = {
    "additionalProperties": False,
    "properties": {"a": {"items": {"type": "integer"}, "type": "array"}},
    "required": ["a"],
    "title": "A",
    "type": "object",
}
# class B: b: A (A: a: List[int])
B_OF_A = {
    "additionalProperties": False,
    "properties": {"b": _A},
    "required": ["b"],
    "title": "B",
    "type": "object",
}
# class C: c: A
C_OF_A = {**B_OF_A, "properties": {"c": _A}, "required": ["c"], "title": "C"}
# class D: b: Strs (Strs: a: List[str])
D_OF_STRS = {
    **B_OF_A,
    "properties": {
        "b": {**_A, "properties": {"a": {"items": {"type": "string"}, "type": "array"}}}
    },
    "title": "D",
}
# class Opt: a: int; o: Optional[str] = None; d: Dict[str, float] = {}
OPT = {
    "additionalProperties": False,
    "properties": {
        "a": {"type": "integer"},
        "d": {
            "additionalProperties": {"type": "number"},
            "propertyNames": {"type": "string"},
            "type": "object",
        },
        "o": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
    },
    "required": ["a"],
    "title": "Opt",
    "type": "object",
}
# Opt with o: Optional[int] and d: Dict[str, str]: only keywords Flyte does not compare differ
OPT_OTHER_SHAPES = {
    **OPT,
    "properties": {
        "a": {"type": "integer"},
        "d": {
            "additionalProperties": {"type": "string"},
            "propertyNames": {"type": "string"},
            "type": "object",
        },
        "o": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
    },
}
# class Node: v: int; next: Optional["Node"] = None (recursive: mashumaro uses $defs)
NODE = {
    "$defs": {
        "Node": {
            "additionalProperties": False,
            "properties": {
                "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}], "default": None},
                "v": {"type": "integer"},
            },
            "required": ["v"],
            "title": "Node",
            "type": "object",
        }
    },
    "$ref": "#/$defs/Node",
}
# class Tree: v: int; kids: List["Tree"] (a copy of the recursion under another name)
TREE = {
    "$defs": {
        "Tree": {
            "additionalProperties": False,
            "properties": {
                "kids": {"items": {"$ref": "#/$defs/Tree"}, "type": "array"},
                "v": {"type": "integer"},
            },
            "required": ["v", "kids"],
            "title": "Tree",
            "type": "object",
        }
    },
    "$ref": "#/$defs/Tree",
}
# class Color: c: Literal enum field (values red, green) and a wider one (red, green, blue)
COLOR = {
    **PARENT,
    "properties": {"c": {"enum": ["red", "green"], "type": "string"}},
    "required": ["c"],
    "title": "Color",
}
COLOR_WIDE = {
    **COLOR,
    "properties": {"c": {"enum": ["red", "green", "blue"], "type": "string"}},
    "title": "ColorWide",
}

_DRAFT7 = "http://json-schema.org/draft-07/schema#"
# marshmallow-jsonschema: @dataclass_json @dataclass class MParent: a: int
M_PARENT = {
    "$ref": "#/definitions/MparentSchema",
    "$schema": _DRAFT7,
    "definitions": {
        "MparentSchema": {
            "additionalProperties": False,
            "properties": {"a": {"title": "a", "type": "integer"}},
            "type": "object",
        }
    },
}
# class MChild(MParent): b: int
M_CHILD = {
    "$ref": "#/definitions/MchildSchema",
    "$schema": _DRAFT7,
    "definitions": {
        "MchildSchema": {
            "additionalProperties": False,
            "properties": {
                "a": {"title": "a", "type": "integer"},
                "b": {"title": "b", "type": "integer"},
            },
            "type": "object",
        }
    },
}
# class MOther: c: str
M_OTHER = {
    "$ref": "#/definitions/MotherSchema",
    "$schema": _DRAFT7,
    "definitions": {
        "MotherSchema": {
            "additionalProperties": False,
            "properties": {"c": {"title": "c", "type": "string"}},
            "type": "object",
        }
    },
}
# class MOuter: i: MInner (MInner: x: List[int]); nested classes are $refs with ignored siblings
M_OUTER = {
    "$ref": "#/definitions/MouterSchema",
    "$schema": _DRAFT7,
    "definitions": {
        "MinnerSchema": {
            "additionalProperties": False,
            "properties": {
                "x": {"items": {"title": "x", "type": "integer"}, "title": "x", "type": "array"}
            },
            "type": "object",
        },
        "MouterSchema": {
            "additionalProperties": False,
            "properties": {
                "i": {"$ref": "#/definitions/MinnerSchema", "field_many": False, "type": "object"}
            },
            "type": "object",
        },
    },
}
M_OUTER_STRS = json.loads(json.dumps(M_OUTER).replace('"integer"', '"string"'))

_UNKNOWN_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def with_extra(doc: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """``doc`` with additional top-level keywords."""
    return {**doc, **extra}


# ---------------------------------------------------------------------------------------------
# The table

CASES = [
    # --- simple: equal after ignoring structure, metadata and annotation
    pytest.param(INT, INT, True, id="simple/int-to-int"),
    pytest.param(INT, FLOAT, False, id="simple/int-to-float-not-widened"),
    pytest.param(FLOAT, INT, False, id="simple/float-to-int"),
    pytest.param(STR, BOOL, False, id="simple/string-to-bool"),
    pytest.param(NONE, INT, False, id="simple/none-to-int-not-nullable"),
    pytest.param(
        simple(SimpleType.INTEGER, metadata='{"a":null}'), INT, True, id="simple/metadata-ignored"
    ),
    pytest.param(
        simple(SimpleType.INTEGER, annotation='{"k":"v"}'),
        simple(SimpleType.INTEGER, annotation='{"k":"w"}'),
        True,
        id="simple/annotation-ignored",
    ),
    pytest.param(
        simple(SimpleType.DATETIME), simple(SimpleType.DURATION), False, id="simple/other-kinds"
    ),
    # --- enum <-> string
    pytest.param(enum("x", "y"), STR, True, id="enum/enum-to-string"),
    pytest.param(STR, enum("x", "y"), True, id="enum/string-to-enum"),
    pytest.param(enum("x", "y"), enum("x", "y"), True, id="enum/identical-enums"),
    pytest.param(enum("x", "y"), enum("m", "n"), False, id="enum/other-values"),
    pytest.param(enum("x", "y"), enum("y", "x"), False, id="enum/value-order-matters"),
    pytest.param(enum("x", "y"), enum("x", "y", "z"), False, id="enum/wider-enum"),
    pytest.param(enum("x"), INT, False, id="enum/enum-to-int"),
    pytest.param(INT, enum("x"), False, id="enum/int-to-enum"),
    pytest.param(
        enum("x", tag="a"),
        simple(SimpleType.STRING, tag="b"),
        True,
        id="enum/to-string-before-tags",
    ),
    pytest.param(
        simple(SimpleType.STRING, tag="a"),
        enum("x", tag="b"),
        True,
        id="enum/from-string-before-tags",
    ),
    # --- structure.tag (checked by the fallback checker only)
    pytest.param(
        simple(SimpleType.INTEGER, tag="a"),
        simple(SimpleType.INTEGER, tag="b"),
        False,
        id="tag/differing-tags-fail",
    ),
    pytest.param(
        simple(SimpleType.INTEGER, tag="a"), INT, False, id="tag/tagged-to-untagged-fails"
    ),
    pytest.param(
        INT, simple(SimpleType.INTEGER, tag="b"), True, id="tag/untagged-upstream-skips-check"
    ),
    pytest.param(
        simple(SimpleType.INTEGER, tag="a"),
        simple(SimpleType.INTEGER, tag="a"),
        True,
        id="tag/equal-tags",
    ),
    pytest.param(lst(INT, tag="a"), lst(INT, tag="b"), True, id="tag/collection-tags-not-compared"),
    pytest.param(
        lst(simple(SimpleType.INTEGER, tag="a")),
        lst(simple(SimpleType.INTEGER, tag="b")),
        False,
        id="tag/element-tags-compared",
    ),
    pytest.param(enum("x", tag="a"), enum("x", tag="b"), False, id="tag/enum-tags-compared"),
    # --- NONE downstream accepts only NONE
    pytest.param(NONE, NONE, True, id="none/none-to-none"),
    pytest.param(
        simple(SimpleType.NONE, tag="a"),
        simple(SimpleType.NONE, tag="b"),
        True,
        id="none/tags-ignored",
    ),
    pytest.param(INT, NONE, False, id="none/int-to-none"),
    pytest.param(lst(NONE), NONE, False, id="none/empty-list-to-none"),
    pytest.param(Unset(), NONE, False, id="none/unset-to-none"),
    pytest.param(union(NONE), NONE, True, id="none/single-none-union-unwrapped"),
    # --- unset types: only the fallback checker's plain comparison accepts them
    pytest.param(Unset(), Unset(), True, id="unset/unset-to-unset-equal"),
    pytest.param(Unset(tag="a"), Unset(tag="b"), False, id="unset/tag-mismatch"),
    pytest.param(Unset(), INT, False, id="unset/unset-to-int"),
    pytest.param(INT, Unset(), False, id="unset/int-to-unset"),
    pytest.param(Unset(), lst(INT), False, id="unset/unset-to-list"),
    pytest.param(Unset(), blob(), False, id="unset/unset-to-blob"),
    pytest.param(Unset(), sd(), False, id="unset/unset-to-dataset"),
    pytest.param(Unset(), union(INT, Unset()), True, id="unset/unset-matches-unset-variant"),
    pytest.param(Unset(), union(INT, STR), False, id="unset/unset-to-union"),
    pytest.param(Unset(), STRUCT, False, id="unset/unset-to-struct"),
    # --- collections: element types recursively, NONE element passes, no union unwrapping
    pytest.param(lst(INT), lst(INT), True, id="collection/same-element"),
    pytest.param(lst(NONE), lst(INT), True, id="collection/empty-list-to-any-list"),
    pytest.param(lst(INT), lst(FLOAT), False, id="collection/int-to-float-elements"),
    pytest.param(lst(INT), INT, False, id="collection/list-to-scalar"),
    pytest.param(INT, lst(INT), False, id="collection/scalar-to-list"),
    pytest.param(lst(INT), lst(lst(INT)), False, id="collection/nest-level-mismatch"),
    pytest.param(NONE, lst(lst(INT)), False, id="collection/none-not-nullable"),
    pytest.param(lst(lst(NONE)), lst(lst(INT)), True, id="collection/inner-empty-list"),
    pytest.param(lst(lst(NONE)), lst(INT), False, id="collection/inner-empty-list-to-scalar"),
    pytest.param(dct(INT), lst(INT), False, id="collection/map-to-list"),
    pytest.param(
        lst(union(INT)), lst(INT), False, id="collection/single-variant-element-not-unwrapped"
    ),
    pytest.param(union(lst(INT)), lst(INT), True, id="collection/single-variant-union-unwrapped"),
    pytest.param(lst(INT), lst(union(INT, STR)), True, id="collection/element-into-union-element"),
    pytest.param(lst(enum("x")), lst(STR), True, id="collection/enum-elements-to-strings"),
    # --- maps
    pytest.param(dct(INT), dct(INT), True, id="map/same-value"),
    pytest.param(dct(INT), dct(FLOAT), False, id="map/int-to-float-values"),
    pytest.param(dct(NONE), dct(FLOAT), True, id="map/empty-map-to-any-map"),
    pytest.param(dct(INT), INT, False, id="map/map-to-scalar"),
    pytest.param(dct(INT), dct(dct(INT)), False, id="map/nest-level-mismatch"),
    pytest.param(lst(INT), dct(INT), False, id="map/list-to-map"),
    pytest.param(NONE, dct(INT), False, id="map/none-not-nullable"),
    pytest.param(dct(union(INT)), dct(INT), False, id="map/single-variant-value-not-unwrapped"),
    pytest.param(dct(lst(NONE)), dct(lst(STR)), True, id="map/nested-empty-list"),
    # --- blobs: formats equal unless either is empty; dimensionality ignored
    pytest.param(blob("csv"), blob("csv"), True, id="blob/same-format"),
    pytest.param(blob("csv"), blob(""), True, id="blob/generic-downstream"),
    pytest.param(blob(""), blob("csv"), True, id="blob/generic-upstream"),
    pytest.param(blob("csv"), blob("parquet"), False, id="blob/other-format"),
    pytest.param(blob("csv"), blob("CSV"), False, id="blob/format-case-sensitive"),
    pytest.param(blob("csv"), blob("csv", multipart=True), True, id="blob/file-to-directory"),
    pytest.param(blob(multipart=True), blob(), True, id="blob/directory-to-file"),
    pytest.param(STR, blob(), False, id="blob/string-to-blob"),
    pytest.param(NONE, blob(), False, id="blob/none-not-nullable"),
    pytest.param(blob(), STR, False, id="blob/blob-to-string"),
    pytest.param(union(blob("csv")), blob("csv"), True, id="blob/single-variant-unwrapped"),
    # --- schemas (Flyte's TestSchemaCasting and more)
    pytest.param(schema(), schema(), True, id="schema/generic-to-generic"),
    pytest.param(schema(), schema(a=SC.INTEGER), True, id="schema/generic-to-typed"),
    pytest.param(schema(a=SC.INTEGER), schema(), True, id="schema/typed-to-generic"),
    pytest.param(
        schema(a=SC.INTEGER, b=SC.FLOAT), schema(a=SC.INTEGER), True, id="schema/superset-to-subset"
    ),
    pytest.param(
        schema(a=SC.INTEGER),
        schema(a=SC.INTEGER, b=SC.FLOAT),
        False,
        id="schema/subset-to-superset",
    ),
    pytest.param(schema(a=SC.INTEGER), schema(a=SC.FLOAT), False, id="schema/column-type-differs"),
    pytest.param(schema(a=SC.FLOAT), schema(a=SC.INTEGER), False, id="schema/column-type-flipped"),
    pytest.param(schema(a=SC.INTEGER), schema(b=SC.INTEGER), False, id="schema/column-missing"),
    pytest.param(NONE, schema(a=SC.INTEGER), False, id="schema/none-not-nullable"),
    pytest.param(STR, schema(), False, id="schema/string-to-schema"),
    pytest.param(sd(), schema(a=SC.INTEGER), True, id="schema/generic-dataset-to-schema"),
    pytest.param(
        sd("parquet", a=INT, b=FLOAT), schema(a=SC.INTEGER), True, id="schema/parquet-dataset"
    ),
    pytest.param(sd("PARQUET"), schema(), True, id="schema/parquet-case-insensitive"),
    pytest.param(sd("csv"), schema(), False, id="schema/non-parquet-dataset"),
    pytest.param(sd("", a=FLOAT), schema(a=SC.INTEGER), False, id="schema/dataset-column-differs"),
    pytest.param(sd("", b=INT), schema(a=SC.INTEGER), False, id="schema/dataset-column-missing"),
    pytest.param(
        sd("", a=lst(INT)), schema(a=SC.INTEGER), False, id="schema/dataset-non-simple-column"
    ),
    pytest.param(
        sd("", a=simple(SimpleType.DATETIME), b=simple(SimpleType.DURATION), c=BOOL, d=STR),
        schema(a=SC.DATETIME, b=SC.DURATION, c=SC.BOOLEAN, d=SC.STRING),
        True,
        id="schema/dataset-column-kinds",
    ),
    # --- structured datasets (Flyte's TestStructuredDatasetCasting and more)
    pytest.param(sd("parquet"), sd("parquet"), True, id="dataset/generic-to-generic"),
    pytest.param(
        sd("parquet"), sd("parquet", a=INT, b=lst(INT)), True, id="dataset/generic-to-typed"
    ),
    pytest.param(
        sd("parquet", a=INT, b=lst(INT)), sd("parquet"), True, id="dataset/typed-to-generic"
    ),
    pytest.param(
        sd("parquet", a=INT, b=lst(INT), c=dct(INT)),
        sd("parquet", a=INT, b=lst(INT)),
        True,
        id="dataset/superset-to-subset",
    ),
    pytest.param(
        sd("parquet", a=INT, b=lst(INT)),
        sd("parquet", a=INT, b=lst(INT), c=dct(INT)),
        False,
        id="dataset/subset-to-superset",
    ),
    pytest.param(
        sd("parquet", a=INT, b=lst(INT)), sd("", a=FLOAT), False, id="dataset/column-type-differs"
    ),
    pytest.param(
        sd("", a=FLOAT), sd("parquet", a=INT, b=lst(INT)), False, id="dataset/column-type-flipped"
    ),
    pytest.param(sd("parquet"), sd(""), True, id="dataset/to-empty-format"),
    pytest.param(sd(""), sd("parquet"), True, id="dataset/from-empty-format"),
    pytest.param(sd("csv"), sd("parquet"), False, id="dataset/format-differs"),
    pytest.param(sd("csv"), sd("CSV"), True, id="dataset/format-case-insensitive"),
    pytest.param(NONE, sd("parquet", a=INT), True, id="dataset/none-is-nullable"),
    pytest.param(union(NONE), sd(), True, id="dataset/single-none-union"),
    pytest.param(INT, sd(), False, id="dataset/int-to-dataset"),
    pytest.param(blob("parquet"), sd("parquet"), False, id="dataset/blob-to-dataset"),
    pytest.param(sd("", a=lst(NONE)), sd("", a=lst(INT)), True, id="dataset/empty-list-column"),
    pytest.param(
        sd("", a=lst(INT)), sd("", a=lst(FLOAT)), False, id="dataset/nested-column-differs"
    ),
    pytest.param(
        sd("", a=union(INT)), sd("", a=INT), False, id="dataset/single-variant-column-not-unwrapped"
    ),
    pytest.param(
        sd("", a=INT), sd("", a=union(INT, STR)), True, id="dataset/column-into-union-column"
    ),
    pytest.param(sd("", a=NONE), sd("", a=sd()), True, id="dataset/none-column-to-dataset-column"),
    # --- schema <-> structured dataset
    pytest.param(
        schema(a=SC.INTEGER), sd("parquet", a=INT), True, id="schema-dataset/schema-to-dataset"
    ),
    pytest.param(schema(a=SC.INTEGER), sd(""), True, id="schema-dataset/schema-to-generic"),
    pytest.param(
        schema(a=SC.INTEGER), sd("", a=FLOAT), False, id="schema-dataset/column-type-differs"
    ),
    pytest.param(schema(a=SC.INTEGER), sd("", b=INT), False, id="schema-dataset/column-missing"),
    pytest.param(schema(), sd("csv"), False, id="schema-dataset/non-parquet-target"),
    pytest.param(schema(), sd("Parquet"), True, id="schema-dataset/parquet-case-insensitive"),
    pytest.param(schema(a=SC.STRING), sd("", a=enum("x")), False, id="schema-dataset/enum-column"),
    # --- union downstream: exactly one variant for a plain upstream
    pytest.param(
        STR,
        union(simple(SimpleType.INTEGER, tag="int"), simple(SimpleType.STRING, tag="str")),
        True,
        id="union/exactly-one-variant",
    ),
    pytest.param(
        STR,
        union(simple(SimpleType.STRING, tag="str1"), simple(SimpleType.STRING, tag="str2")),
        False,
        id="union/ambiguous-two-variants",
    ),
    pytest.param(INT, union(INT, INT), False, id="union/duplicate-variants-ambiguous"),
    pytest.param(BOOL, union(INT, STR), False, id="union/no-variant"),
    pytest.param(INT, union(), False, id="union/empty-downstream-union"),
    pytest.param(NONE, union(INT, NONE), True, id="union/none-into-optional"),
    pytest.param(INT, union(INT, NONE), True, id="union/value-into-optional"),
    pytest.param(
        lst(NONE), union(lst(INT), lst(STR)), False, id="union/empty-list-matches-both-lists"
    ),
    pytest.param(enum("x"), union(STR, INT), True, id="union/enum-into-string-variant"),
    pytest.param(
        STR, union(enum("x"), enum("y")), False, id="union/string-into-two-enums-ambiguous"
    ),
    pytest.param(
        STR,
        union(simple(SimpleType.STRING, tag="only")),
        True,
        id="union/untagged-upstream-into-tagged-variant",
    ),
    # --- union downstream: every upstream variant needs some downstream variant
    pytest.param(
        union(simple(SimpleType.STRING, tag="str1"), simple(SimpleType.STRING, tag="str2")),
        union(
            simple(SimpleType.STRING, tag="str1"),
            simple(SimpleType.INTEGER, tag="int1"),
            simple(SimpleType.STRING, tag="str2"),
        ),
        True,
        id="union-to-union/superset-of-variants",
    ),
    pytest.param(
        union(simple(SimpleType.STRING, tag="str1"), simple(SimpleType.STRING, tag="str2")),
        union(simple(SimpleType.INTEGER, tag="str2"), simple(SimpleType.STRING, tag="str3")),
        False,
        id="union-to-union/tag-mismatch",
    ),
    pytest.param(
        union(simple(SimpleType.STRING, tag="test")),
        union(simple(SimpleType.INTEGER, tag="test")),
        False,
        id="union-to-union/type-mismatch",
    ),
    pytest.param(union(INT, STR), union(STR, INT), True, id="union-to-union/order-irrelevant"),
    pytest.param(
        union(INT, STR), union(INT, STR, STR), True, id="union-to-union/at-least-one-not-exactly"
    ),
    pytest.param(union(INT, NONE), union(INT, STR), False, id="union-to-union/variant-unmatched"),
    pytest.param(union(), union(INT), True, id="union-to-union/empty-upstream-vacuous"),
    pytest.param(union(), INT, False, id="union-to-union/empty-upstream-to-scalar"),
    pytest.param(union(INT, STR), INT, False, id="union-to-union/union-to-scalar"),
    # --- single-variant union upstream is tried as its variant first
    pytest.param(
        union(simple(SimpleType.STRING, tag="string")),
        simple(SimpleType.STRING, tag="string"),
        True,
        id="single-variant/to-underlying-type",
    ),
    pytest.param(union(INT), union(INT, STR), True, id="single-variant/into-union-by-variant"),
    pytest.param(union(INT), union(STR), False, id="single-variant/no-match"),
    pytest.param(
        union(simple(SimpleType.STRING, tag="a")),
        union(simple(SimpleType.STRING, tag="b"), simple(SimpleType.STRING, tag="c")),
        False,
        id="single-variant/tagged-variant-no-home",
    ),
    pytest.param(
        union(STR),
        union(simple(SimpleType.STRING, tag="b"), simple(SimpleType.STRING, tag="c")),
        True,
        id="single-variant/ambiguous-then-union-path",
    ),
    pytest.param(union(union(INT)), INT, False, id="single-variant/unwrapped-once-only"),
    pytest.param(union(union(INT)), union(INT), True, id="single-variant/nested-into-union"),
    # --- STRUCT to STRUCT: dataclass JSON schemas in metadata
    pytest.param(STRUCT, STRUCT, True, id="struct/no-schemas"),
    pytest.param(struct(PARENT), STRUCT, True, id="struct/no-downstream-schema"),
    pytest.param(STRUCT, struct(PARENT), True, id="struct/no-upstream-schema"),
    pytest.param(struct(PARENT), struct(PARENT), True, id="struct/same-schema"),
    pytest.param(struct(CHILD), struct(PARENT), True, id="struct/child-to-parent-superset"),
    pytest.param(struct(PARENT), struct(CHILD), False, id="struct/parent-to-child"),
    pytest.param(
        struct(PARENT), struct(CHILD_WITH_DEFAULT), False, id="struct/missing-optional-field"
    ),
    pytest.param(
        struct(CHILD_WITH_DEFAULT), struct(CHILD), True, id="struct/required-not-compared"
    ),
    pytest.param(struct(PARENT), struct(OTHER), False, id="struct/different-fields"),
    pytest.param(struct(PARENT), struct(RENAMED), True, id="struct/class-name-ignored"),
    pytest.param(struct(PARENT), struct(FLOAT_A), False, id="struct/int-field-to-float-field"),
    pytest.param(struct(B_OF_A), struct(C_OF_A), False, id="struct/nested-field-renamed"),
    pytest.param(struct(B_OF_A), struct(D_OF_STRS), False, id="struct/nested-item-type-differs"),
    pytest.param(
        struct(OPT), struct(OPT_OTHER_SHAPES), True, id="struct/uncompared-keywords-ignored"
    ),
    pytest.param(struct(NODE), struct(NODE), True, id="struct/recursive-same"),
    pytest.param(
        struct(with_extra(NODE, title="x")), struct(NODE), True, id="struct/recursive-refs"
    ),
    pytest.param(struct(NODE), struct(TREE), False, id="struct/recursive-different"),
    pytest.param(struct(COLOR), struct(COLOR_WIDE), True, id="struct/enum-narrower-upstream"),
    pytest.param(struct(COLOR_WIDE), struct(COLOR), False, id="struct/enum-wider-upstream"),
    pytest.param(struct(PARENT), struct(COLOR), False, id="struct/enum-missing-upstream"),
    pytest.param(
        struct(PARENT, tag="a"), struct(PARENT, tag="b"), False, id="struct/tag-checked-first"
    ),
    pytest.param(struct(PARENT), STR, False, id="struct/struct-to-string"),
    pytest.param(struct({}), struct(PARENT), False, id="struct/empty-schema-upstream"),
    pytest.param(struct(PARENT), struct({}), True, id="struct/empty-schema-downstream"),
    pytest.param(
        struct(with_extra(PARENT, **{"$schema": _UNKNOWN_DRAFT})),
        struct(with_extra(PARENT, **{"$schema": _UNKNOWN_DRAFT})),
        True,
        id="struct/equal-json-needs-no-compile",
    ),
    pytest.param(
        struct(with_extra(CHILD, **{"$schema": _UNKNOWN_DRAFT})),
        struct(PARENT),
        False,
        id="struct/unknown-draft-fails-compile",
    ),
    pytest.param(
        struct(with_extra(PARENT, default=1)),
        struct(with_extra(PARENT, default=True)),
        True,
        id="struct/json-inequal-but-superset",
    ),
    pytest.param(
        struct(with_extra(PARENT, default=1, **{"$schema": _UNKNOWN_DRAFT})),
        struct(with_extra(PARENT, default=True, **{"$schema": _UNKNOWN_DRAFT})),
        False,
        id="struct/json-equality-keeps-booleans-apart",
    ),
    pytest.param(
        struct(with_extra(PARENT, default=1, **{"$schema": _UNKNOWN_DRAFT})),
        struct(with_extra(PARENT, default=1.0, **{"$schema": _UNKNOWN_DRAFT})),
        True,
        id="struct/json-equality-numbers",
    ),
    pytest.param(
        struct(with_extra(CHILD, type="nonsense")),
        struct(PARENT),
        False,
        id="struct/invalid-schema-fails-compile",
    ),
    pytest.param(
        struct(CHILD),
        struct(with_extra(PARENT, properties={"a": {"$ref": "#/nowhere"}})),
        False,
        id="struct/unresolvable-ref-fails-compile",
    ),
    pytest.param(
        struct(with_extra(CHILD, **{"$schema": "https://json-schema.org/draft-04/schema#"})),
        struct(PARENT),
        True,
        id="struct/draft-04-compiles",
    ),
    # --- marshmallow (draft-07, $ref into definitions) and mixed generators
    pytest.param(struct(M_CHILD), struct(M_PARENT), True, id="struct-marshmallow/child-to-parent"),
    pytest.param(struct(M_PARENT), struct(M_CHILD), False, id="struct-marshmallow/parent-to-child"),
    pytest.param(
        struct(M_PARENT), struct(M_OTHER), False, id="struct-marshmallow/different-fields"
    ),
    pytest.param(struct(M_OUTER), struct(M_OUTER), True, id="struct-marshmallow/same"),
    pytest.param(
        struct(M_OUTER), struct(M_OUTER_STRS), False, id="struct-marshmallow/nested-ref-compared"
    ),
    pytest.param(struct(CHILD), struct(M_PARENT), True, id="struct-mixed/mashumaro-to-marshmallow"),
    pytest.param(struct(M_CHILD), struct(PARENT), True, id="struct-mixed/marshmallow-to-mashumaro"),
    pytest.param(struct(M_PARENT), struct(CHILD), False, id="struct-mixed/missing-field"),
    # --- dataclasses in unions (the ambiguity Flyte's schema comparison resolves)
    pytest.param(
        struct(PARENT), union(struct(PARENT), struct(OTHER)), True, id="struct-union/picks-same"
    ),
    pytest.param(
        struct(CHILD), union(struct(PARENT), struct(OTHER)), True, id="struct-union/child-to-parent"
    ),
    pytest.param(
        struct(PARENT),
        union(struct(CHILD_WITH_DEFAULT), struct(OTHER)),
        False,
        id="struct-union/parent-to-child-fails",
    ),
    pytest.param(
        struct(B_OF_A), union(struct(C_OF_A), struct(OTHER)), False, id="struct-union/two-level"
    ),
    pytest.param(
        struct(PARENT), union(struct(PARENT), struct(RENAMED)), False, id="struct-union/ambiguous"
    ),
    pytest.param(
        STRUCT, union(struct(PARENT), struct(OTHER)), False, id="struct-union/no-schema-ambiguous"
    ),
    pytest.param(
        struct(M_PARENT),
        union(struct(M_PARENT), struct(M_OTHER)),
        True,
        id="struct-union/marshmallow",
    ),
]


@pytest.mark.parametrize(("upstream", "downstream", "expected"), CASES)
def test_castability(upstream: LiteralType, downstream: LiteralType, expected: bool) -> None:
    """Each row: ``upstream`` casts to ``downstream`` exactly when ``expected``."""
    assert is_castable(upstream, downstream) is expected
    assert (describe_mismatch(upstream, downstream) == "") is expected


# ---------------------------------------------------------------------------------------------
# Depth: evaluation is iterative, so nesting never raises RecursionError

DEPTH = 10_000


def nest(leaf: LiteralType, wrap: str) -> LiteralType:
    """``leaf`` wrapped :data:`DEPTH` times in a list, map, union or dataset column."""
    t = leaf
    for _ in range(DEPTH):
        if wrap == "list":
            t = lst(t)
        elif wrap == "map":
            t = dct(t)
        elif wrap == "union":
            t = union(t, BOOL)
        else:
            t = sd("", a=t)
    return t


@pytest.mark.parametrize("wrap", ["list", "map", "union", "dataset"])
def test_deep_nesting_is_evaluated(wrap: str) -> None:
    """10,000 levels are checked to the leaf, both ways, without RecursionError."""
    assert is_castable(nest(INT, wrap), nest(INT, wrap))
    assert not is_castable(nest(INT, wrap), nest(FLOAT, wrap))
    assert describe_mismatch(nest(INT, wrap), nest(FLOAT, wrap))


def test_deep_single_variant_unions() -> None:
    """A value nested in 10,000 one-variant unions: each level unwraps once at most."""
    deep: LiteralType = INT
    for _ in range(DEPTH):
        deep = union(deep)
    assert is_castable(INT, nest(INT, "union"))
    assert not is_castable(deep, INT)
    assert is_castable(deep, deep)


def test_deep_metadata_does_not_raise() -> None:
    """Metadata nested too deep to parse is unusable unless both sides are the same text."""
    deep = '{"a":' * DEPTH + "1" + "}" * DEPTH
    other = '{"b":' * DEPTH + "1" + "}" * DEPTH
    up = simple(SimpleType.STRUCT, metadata=deep)
    assert is_castable(up, up)
    assert not is_castable(up, simple(SimpleType.STRUCT, metadata=other))
    assert describe_mismatch(up, simple(SimpleType.STRUCT, metadata=other))


# ---------------------------------------------------------------------------------------------
# Messages

MESSAGES = [
    pytest.param(INT, FLOAT, "Integer cannot be cast to Float", id="generic"),
    pytest.param(lst(lst(INT)), lst(lst(FLOAT)), "list element Integer", id="innermost-element"),
    pytest.param(INT, lst(INT), "a list is required", id="container-kind"),
    pytest.param(blob("csv"), blob("parquet"), "'csv' differs from 'parquet'", id="blob-format"),
    pytest.param(STR, union(STR, STR), "ambiguous", id="union-ambiguous"),
    pytest.param(BOOL, union(INT, STR), "matches no variant", id="union-none"),
    pytest.param(union(INT, BOOL), union(INT, STR), "variant Boolean", id="union-variant"),
    pytest.param(
        simple(SimpleType.INTEGER, tag="a"), simple(SimpleType.INTEGER, tag="b"), "tag", id="tag"
    ),
    pytest.param(INT, NONE, "only None", id="none"),
    pytest.param(struct(PARENT), struct(CHILD), "/b: field is missing upstream", id="struct-field"),
    pytest.param(struct(PARENT), struct(FLOAT_A), "/a: type", id="struct-type"),
    pytest.param(sd("csv"), sd("json"), "format 'csv'", id="dataset-format"),
    pytest.param(sd("csv"), schema(), "parquet", id="schema-from-dataset-format"),
    pytest.param(schema(), sd("csv"), "parquet", id="dataset-from-schema-format"),
    pytest.param(schema(a=SC.INTEGER), schema(b=SC.INTEGER), "column", id="schema-column"),
]


@pytest.mark.parametrize(("upstream", "downstream", "fragment"), MESSAGES)
def test_describe_mismatch(upstream: LiteralType, downstream: LiteralType, fragment: str) -> None:
    """The reason names what differs."""
    assert fragment in describe_mismatch(upstream, downstream)
