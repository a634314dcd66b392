"""Type castability: may a value of one literal type be bound to an input of another?

A behavioural port of flytepropeller's ``pkg/compiler/validators/typing.go`` (``AreTypesCastable``,
flyteorg/flyte master line, v1.16). ``upstream`` is the type of the value or promise,
``downstream`` the type of the input it is bound to. The checker is chosen by the *downstream*
type; :data:`_HANDLERS` is that registry.

Rules, as Flyte applies them:

* A union upstream with exactly one variant is first tried as that variant; only if that fails is
  the union itself checked. This unwrapping happens at the top of a check and for every union
  variant pair, *not* for collection or map elements or dataset columns (``[Union[int]]`` does
  not cast to ``[int]`` although ``Union[int]`` casts to ``int``).
* Collection / map downstream: the upstream must be a collection / map whose element type is NONE
  (an empty literal) or casts to the downstream element type. NONE itself does not cast.
* Blob downstream: the upstream must be a blob; formats must be equal (case-sensitive) unless
  either is empty; dimensionality is ignored.
* Schema downstream: a schema upstream must carry every downstream column with the same column
  type, unless either side has no columns. A structured dataset upstream must have an empty or
  ``parquet`` format (case-insensitive) and every downstream column, its simple type matching.
* Structured dataset downstream: NONE casts (datasets are nullable). A structured dataset upstream
  needs equal formats (case-insensitive) unless either is empty, and, unless either side has no
  columns, every downstream column whose type casts from the upstream column's. A schema upstream
  needs an empty or ``parquet`` downstream format and matching simple column types.
* Union downstream: a union upstream casts when *each* of its variants casts to *at least one*
  downstream variant (an upstream union with no variants therefore always casts); any other
  upstream must cast to *exactly one* downstream variant (two matches are ambiguous).
* NONE downstream: only NONE (tags ignored).
* Anything else (simple, enum, unset downstream): an enum casts to STRING and STRING to any enum;
  otherwise a non-empty upstream ``structure.tag`` must equal the downstream tag, and the two
  types must be the same variant with the same payload, ignoring tag, metadata and annotation
  (so INTEGER does not cast to FLOAT, enums need identical value lists, and an unset type casts
  to an unset type). STRUCT to STRUCT compares the dataclass JSON schemas kept in ``metadata``.

Dataclass schemas (STRUCT to STRUCT): if either side has no metadata the cast is allowed (older
flytekit versions omitted it). Otherwise the schemas must be equal as JSON, or the upstream schema
must be a compatible superset of the downstream one. Flyte decides the latter by compiling both
schemas (a draft-04/06/07 compiler: documents without ``$schema`` are read as draft-07, an unknown
``$schema`` or an invalid or unresolvable document fails) and running ``json-schema-compare``
with the downstream as subset and the upstream as superset, ignoring its "not implemented"
findings. That library's source was not available to this port; :func:`_subset_schema` models it
as follows, which agrees with its documented example and with the dataclass cases Flyte's authors
checked (child to parent passes, parent to child fails, renamed or retyped fields fail):

* ``$ref`` is followed (draft-07: keywords next to ``$ref`` are ignored). This is how marshmallow
  schemas (``{"$ref": "#/definitions/XSchema", "definitions": ...}``) and mashumaro's recursive
  dataclasses (``#/$defs/X``) are compared structurally; a recursive pair met again is assumed
  compatible.
* A ``type`` on the downstream side must be matched by the same set of types upstream.
* Every downstream property must exist upstream, recursively compatible.
* A downstream ``items`` schema needs an upstream ``items`` schema, recursively compatible.
* A downstream ``enum`` must contain every value of an upstream ``enum`` (and one must exist).
* Every other keyword (``additionalProperties``, ``required``, ``anyOf``, ``format``, ...) is
  not compared.

Evaluation never recurses in Python: composite checkers are generators that yield sub-checks and
receive their results, and :func:`_run` drives them on an explicit stack, so types nested
arbitrarily deep are fine. Sub-check results are memoised per call by object identity, which keeps
nested unions linear where a direct transcription of Flyte's algorithm is quadratic. Metadata too
deep to parse as JSON counts as unusable (not castable) unless both sides carry the same text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from functools import lru_cache
from typing import Any, Final, TypeAlias
from urllib.parse import unquote

from fcomp.compiler.ir.types import (
    Blob,
    Collection,
    EnumOf,
    LiteralType,
    MapOf,
    Schema,
    SchemaColumnType,
    Simple,
    SimpleType,
    StructuredDataset,
    TypeBase,
    Union,
    Unset,
    render_type,
)

__all__ = ["describe_mismatch", "is_castable"]


class _Ask:
    """A request, yielded by a checker, for a sub-check of ``up`` against ``down``.

    With ``unwrap`` it is Flyte's ``AreTypesCastable`` (a single-variant union upstream is first
    tried as its variant), without it the downstream type's checker alone. :func:`_run` memoises
    answers by object identity, so shared sub-types are checked once per run.
    """

    __slots__ = ("down", "unwrap", "up")

    def __init__(self, up: LiteralType, down: LiteralType, unwrap: bool) -> None:
        """Ask whether ``up`` casts to ``down``."""
        self.up = up
        self.down = down
        self.unwrap = unwrap


# What a checker yields: a request, a nested check, or an already known result. A check is a
# generator that is sent the result of each thing it yields and returns its own result.
_Check: TypeAlias = Generator["_Check | _Ask | bool", bool, bool]
_Step: TypeAlias = "_Check | bool"
# A checker keyed by the downstream type's class; takes (upstream, downstream).
_Handler: TypeAlias = Callable[[LiteralType, Any], _Step]
_Key: TypeAlias = tuple[int, int, bool]


def _start(ask: _Ask) -> _Step:
    """Begin the check an :class:`_Ask` requests."""
    if ask.unwrap:
        return _are_castable(ask.up, ask.down)
    return _dispatch(ask.up, ask.down)


def _run(step: _Step) -> bool:
    """Drive a check to its result on an explicit stack (no Python recursion)."""
    if isinstance(step, bool):
        return step
    memo: dict[_Key, bool] = {}
    stack: list[tuple[_Check, _Key | None]] = [(step, None)]
    pending: bool | None = None
    while True:
        top, key = stack[-1]
        try:
            sub = next(top) if pending is None else top.send(pending)
        except StopIteration as done:
            stack.pop()
            result = bool(done.value)
            if key is not None:
                memo[key] = result
            if not stack:
                return result
            pending = result
            continue
        pending = None
        sub_key: _Key | None = None
        if isinstance(sub, _Ask):
            sub_key = (id(sub.up), id(sub.down), sub.unwrap)
            if sub_key in memo:
                pending = memo[sub_key]
                continue
            sub = _start(sub)
        if isinstance(sub, bool):
            if sub_key is not None:
                memo[sub_key] = sub
            pending = sub
        else:
            stack.append((sub, sub_key))


# --------------------------------------------------------------------------------------------
# Public API


def is_castable(upstream: LiteralType, downstream: LiteralType) -> bool:
    """Whether a value of type ``upstream`` may be bound to an input of type ``downstream``."""
    return _run(_are_castable(upstream, downstream))


def describe_mismatch(upstream: LiteralType, downstream: LiteralType) -> str:
    """A one-line reason why ``upstream`` does not cast to ``downstream``; ``""`` when it does."""
    if is_castable(upstream, downstream):
        return ""
    explain = _EXPLAINERS.get(type(downstream), _explain_trivial)
    return explain(upstream, downstream)


# --------------------------------------------------------------------------------------------
# Checkers


def _is_none(t: LiteralType) -> bool:
    """Whether ``t`` is the NONE simple type (tags and metadata aside)."""
    return isinstance(t, Simple) and t.simple is SimpleType.NONE


def _simple_of(t: LiteralType) -> SimpleType:
    """The simple type of ``t``, NONE for other variants (protobuf's ``GetSimple``)."""
    return t.simple if isinstance(t, Simple) else SimpleType.NONE


def _single_variant(t: LiteralType) -> LiteralType | None:
    """The only variant of a one-variant union, else None."""
    return t.variants[0] if isinstance(t, Union) and len(t.variants) == 1 else None


def _dispatch(up: LiteralType, down: LiteralType) -> _Step:
    """The downstream type's checker applied to ``up``, without union unwrapping."""
    return _HANDLERS[type(down)](up, down)


def _are_castable(up: LiteralType, down: LiteralType) -> _Check:
    """Flyte's ``AreTypesCastable``: the single variant of a union first, then the type."""
    only = _single_variant(up)
    if only is not None and (yield _Ask(only, down, unwrap=False)):
        return True
    return (yield _Ask(up, down, unwrap=False))


def _to_collection(up: LiteralType, down: Collection) -> _Check:
    """Downstream list: an upstream list whose element is NONE or casts."""
    if not isinstance(up, Collection):
        return False
    if _is_none(up.elem):
        return True
    return (yield _Ask(up.elem, down.elem, unwrap=False))


def _to_map(up: LiteralType, down: MapOf) -> _Check:
    """Downstream map: an upstream map whose value type is NONE or casts."""
    if not isinstance(up, MapOf):
        return False
    if _is_none(up.value):
        return True
    return (yield _Ask(up.value, down.value, unwrap=False))


def _to_blob(up: LiteralType, down: Blob) -> bool:
    """Downstream blob: an upstream blob; formats equal unless either is empty."""
    if not isinstance(up, Blob):
        return False
    return not up.format or not down.format or up.format == down.format


def _to_schema(up: LiteralType, down: Schema) -> bool:
    """Downstream schema: a schema, or a parquet or format-less structured dataset."""
    if isinstance(up, Schema):
        return _schema_from_schema(up, down)
    if isinstance(up, StructuredDataset):
        if not _parquet_or_empty(up.format):
            return False
        return _schema_from_dataset(up, down)
    return False


def _to_structured_dataset(up: LiteralType, down: StructuredDataset) -> _Check:
    """Downstream structured dataset: NONE, a schema, or a dataset with castable columns."""
    if _is_none(up):
        return True
    if isinstance(up, Schema):
        if not _parquet_or_empty(down.format):
            return False
        return _dataset_from_schema(up, down)
    if not isinstance(up, StructuredDataset):
        return False
    if up.format and down.format and not _equal_fold(up.format, down.format):
        return False
    if not up.columns or not down.columns:
        return True
    by_name = {c.name: c.type for c in up.columns}
    for col in down.columns:
        if col.name not in by_name:
            return False
        if not (yield _Ask(by_name[col.name], col.type, unwrap=False)):
            return False
    return True


def _to_union(up: LiteralType, down: Union) -> _Check:
    """Downstream union: all upstream variants placed, or exactly one variant matching."""
    if isinstance(up, Union):
        for u in up.variants:
            for d in down.variants:
                if (yield _Ask(u, d, unwrap=True)):
                    break
            else:
                return False
        return True
    found = False
    for d in down.variants:
        if (yield _Ask(up, d, unwrap=True)):
            if found:
                return False
            found = True
    return found


def _to_simple(up: LiteralType, down: Simple) -> _Step:
    """Downstream simple type: NONE accepts only NONE, the rest use the fallback checker."""
    if down.simple is SimpleType.NONE:
        return _is_none(up)
    return _trivial(up, down)


def _trivial(up: LiteralType, down: LiteralType) -> _Step:
    """Flyte's fallback checker (downstream simple but not NONE, enum, or unset)."""
    if isinstance(up, EnumOf) and _simple_of(down) is SimpleType.STRING:
        return True
    if isinstance(down, EnumOf) and _simple_of(up) is SimpleType.STRING:
        return True
    if up.tag and down.tag != up.tag:
        return False
    if _simple_of(up) is SimpleType.STRUCT and _simple_of(down) is SimpleType.STRUCT:
        return _struct_castable(up.metadata, down.metadata)
    return _same_variant(up, down)


def _same_variant(up: LiteralType, down: LiteralType) -> bool:
    """Equal ignoring tag, metadata and annotation (``down`` is simple, enum or unset)."""
    match up, down:
        case Simple(simple=a), Simple(simple=b):
            return a is b
        case EnumOf(values=a), EnumOf(values=b):
            return a == b
        case Unset(), Unset():
            return True
    return False


_HANDLERS: Final[dict[type[TypeBase], _Handler]] = {
    Collection: _to_collection,
    MapOf: _to_map,
    Blob: _to_blob,
    Schema: _to_schema,
    StructuredDataset: _to_structured_dataset,
    Union: _to_union,
    Simple: _to_simple,
    EnumOf: _trivial,
    Unset: _trivial,
}


# --------------------------------------------------------------------------------------------
# Columns and formats

_COLUMN_SIMPLE: Final[dict[SchemaColumnType, SimpleType]] = {
    SchemaColumnType.INTEGER: SimpleType.INTEGER,
    SchemaColumnType.FLOAT: SimpleType.FLOAT,
    SchemaColumnType.STRING: SimpleType.STRING,
    SchemaColumnType.BOOLEAN: SimpleType.BOOLEAN,
    SchemaColumnType.DATETIME: SimpleType.DATETIME,
    SchemaColumnType.DURATION: SimpleType.DURATION,
}


def _column_matches(column: SchemaColumnType, simple: SimpleType) -> bool:
    """Whether a schema column type corresponds to a dataset column's simple type."""
    return _COLUMN_SIMPLE.get(column) is simple


def _schema_from_schema(up: Schema, down: Schema) -> bool:
    """Schema to schema: downstream columns present upstream with the same type."""
    if not up.columns or not down.columns:
        return True
    by_name = {c.name: c.type for c in up.columns}
    return all(c.name in by_name and by_name[c.name] is c.type for c in down.columns)


def _schema_from_dataset(up: StructuredDataset, down: Schema) -> bool:
    """Dataset to schema: downstream columns present upstream with matching simple types."""
    if not up.columns or not down.columns:
        return True
    by_name = {c.name: _simple_of(c.type) for c in up.columns}
    return all(c.name in by_name and _column_matches(c.type, by_name[c.name]) for c in down.columns)


def _dataset_from_schema(up: Schema, down: StructuredDataset) -> bool:
    """Schema to dataset: downstream columns present upstream with matching simple types."""
    if not up.columns or not down.columns:
        return True
    by_name = {c.name: c.type for c in up.columns}
    return all(
        c.name in by_name and _column_matches(by_name[c.name], _simple_of(c.type))
        for c in down.columns
    )


def _fold(c: str) -> str:
    """One character under simple case folding (approximates Go's ``unicode.SimpleFold`` orbit)."""
    if c == "\u0131":  # dotless i folds only to itself
        return c
    upper = c.upper()
    lower = upper.lower()
    return lower if len(upper) == 1 and len(lower) == 1 else c


def _equal_fold(a: str, b: str) -> bool:
    """Go's ``strings.EqualFold``: equal under simple case folding, character by character."""
    if len(a) != len(b):
        return False
    return all(x == y or _fold(x) == _fold(y) for x, y in zip(a, b, strict=True))


def _parquet_or_empty(fmt: str) -> bool:
    """Whether a dataset format is empty or parquet (any case)."""
    return not fmt or _equal_fold(fmt, "parquet")


# --------------------------------------------------------------------------------------------
# Dataclass JSON schemas


class _Unusable:
    """Marks metadata that cannot be read as JSON."""


_UNUSABLE: Final = _Unusable()


def _struct_castable(up_meta: str, down_meta: str, why: list[str] | None = None) -> _Step:
    """STRUCT to STRUCT: no schema on a side, equal schemas, or upstream a compatible superset."""
    if not up_meta or not down_meta or up_meta == down_meta:
        return True
    up_doc, down_doc = _parse(up_meta), _parse(down_meta)
    if isinstance(up_doc, _Unusable) or isinstance(down_doc, _Unusable):
        _note(why, "a dataclass schema cannot be read")
        return False
    if _json_equal(up_doc, down_doc):
        return True
    if not (_compilable(up_meta) and _compilable(down_meta)):
        _note(why, "a dataclass schema is not a valid draft-04/06/07 JSON schema")
        return False
    return _subset_schema(down_doc, up_doc, why)


def _note(why: list[str] | None, message: str) -> None:
    """Record a reason when the caller collects them."""
    if why is not None:
        why.append(message)


@lru_cache(maxsize=512)
def _parse(text: str) -> Any:
    """The metadata text as JSON, or :data:`_UNUSABLE`."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _UNUSABLE


def _json_equal(a: Any, b: Any) -> bool:
    """Structural JSON equality (booleans are not numbers, list order matters), iteratively."""
    stack: list[tuple[Any, Any]] = [(a, b)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, dict) and isinstance(y, dict):
            if x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif isinstance(x, bool) or isinstance(y, bool):
            if not (isinstance(x, bool) and isinstance(y, bool) and x is y):
                return False
        elif isinstance(x, (int, float)) and isinstance(y, (int, float)):
            if x != y:
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


#: The draft of each known ``$schema`` (jsonschema is imported only when a schema is checked).
_META_VALIDATORS: Final[dict[str, str]] = {
    "json-schema.org/schema": "Draft7Validator",
    "json-schema.org/draft-07/schema": "Draft7Validator",
    "json-schema.org/draft-06/schema": "Draft6Validator",
    "json-schema.org/draft-04/schema": "Draft4Validator",
}

# Keywords whose value is a subschema, a list of them, or a map of them (draft-04 to draft-07).
_ONE_SCHEMA: Final = ("items", "additionalItems", "additionalProperties", "not", "contains")
_ONE_SCHEMA_MORE: Final = ("propertyNames", "if", "then", "else")
_SCHEMA_LISTS: Final = ("items", "allOf", "anyOf", "oneOf")
_SCHEMA_MAPS: Final = ("properties", "patternProperties", "dependencies")


def _meta_validator(doc: dict[str, Any]) -> Any:
    """The draft a document is compiled as, or None when its ``$schema`` is not known."""
    import jsonschema

    if "$schema" not in doc:
        return jsonschema.Draft7Validator
    uri = doc["$schema"]
    if not isinstance(uri, str):
        return None
    key = uri.split("://", 1)[-1] if uri.startswith(("http://", "https://")) else ""
    name = _META_VALIDATORS.get(key.rstrip("/").removesuffix("#"))
    return None if name is None else getattr(jsonschema, name)


@lru_cache(maxsize=512)
def _compilable(text: str) -> bool:
    """Whether Flyte's schema compiler accepts the document: known draft, valid, refs resolve."""
    doc = _parse(text)
    if not isinstance(doc, dict):
        return False
    validator = _meta_validator(doc)
    if validator is None:
        return False
    from jsonschema.exceptions import SchemaError

    try:
        validator.check_schema(doc)
    except (SchemaError, RecursionError):
        return False
    return all(_resolve(doc, ref) is not None for ref in _reachable_refs(doc))


def _subschemas(node: dict[str, Any]) -> Iterator[Any]:
    """The subschemas a draft-07 compiler visits below ``node`` (none beside a ``$ref``)."""
    if "$ref" in node:
        return
    for key in (*_ONE_SCHEMA, *_ONE_SCHEMA_MORE):
        if isinstance(node.get(key), (dict, bool)):
            yield node[key]
    for key in _SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            yield from node[key]
    for key in _SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            yield from node[key].values()


def _reachable_refs(doc: dict[str, Any]) -> Iterator[Any]:
    """Every ``$ref`` value reachable from the root, following the refs that resolve."""
    stack: list[Any] = [doc]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if "$ref" in node:
            ref = node["$ref"]
            yield ref
            target = _resolve(doc, ref)
            if target is not None:
                stack.append(target)
        stack.extend(_subschemas(node))


def _resolve(doc: dict[str, Any], ref: Any) -> Any:
    """The target of a local JSON-pointer ``$ref`` (``#``, ``#/a/b``), or None."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    pointer = unquote(ref[1:])
    if pointer and not pointer.startswith("/"):
        return None
    node: Any = doc
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node if isinstance(node, (dict, bool)) else None


_NO_CONSTRAINTS: Final[dict[str, Any]] = {}


def _deref(doc: dict[str, Any], node: Any) -> dict[str, Any]:
    """Follow ``$ref`` chains (keywords beside ``$ref`` are ignored); booleans act as ``{}``."""
    seen: set[int] = set()
    while isinstance(node, dict) and "$ref" in node and id(node) not in seen:
        seen.add(id(node))
        node = _resolve(doc, node["$ref"])
    if not isinstance(node, dict) or "$ref" in node:
        return _NO_CONSTRAINTS
    return node


def _types(node: dict[str, Any]) -> frozenset[str] | None:
    """The set of JSON types a schema node declares, or None."""
    kind = node.get("type")
    if kind is None:
        return None
    return frozenset(kind) if isinstance(kind, list) else frozenset([kind])


def _subset_schema(sub_doc: Any, super_doc: Any, why: list[str] | None = None) -> _Check:
    """Whether ``super_doc`` (upstream) is a compatible superset of ``sub_doc`` (downstream)."""
    seen: set[tuple[int, int]] = set()
    return _compare_schemas(sub_doc, sub_doc, super_doc, super_doc, "", seen, why)


def _compare_schemas(
    sub_doc: Any,
    sub_node: Any,
    super_doc: Any,
    super_node: Any,
    path: str,
    seen: set[tuple[int, int]],
    why: list[str] | None,
) -> _Check:
    """One node pair of the subset check; yields the checks of nested properties and items."""
    sub = _deref(sub_doc, sub_node)
    sup = _deref(super_doc, super_node)
    if (id(sub), id(sup)) in seen:
        return True
    seen.add((id(sub), id(sup)))
    sub_types = _types(sub)
    if sub_types is not None and sub_types != _types(sup):
        _note(why, f"{path or '/'}: type {sorted(sub_types)} is not matched upstream")
        return False
    if "enum" in sub and not _enum_covers(sub["enum"], sup.get("enum")):
        _note(why, f"{path or '/'}: upstream values are not all allowed downstream")
        return False
    sub_props = sub.get("properties")
    if isinstance(sub_props, dict):
        sup_props = sup.get("properties")
        sup_props = sup_props if isinstance(sup_props, dict) else {}
        for name, schema in sub_props.items():
            if name not in sup_props:
                _note(why, f"{path}/{name}: field is missing upstream")
                return False
            inner = _compare_schemas(
                sub_doc, schema, super_doc, sup_props[name], f"{path}/{name}", seen, why
            )
            if not (yield inner):
                return False
    sub_items = sub.get("items")
    if isinstance(sub_items, (dict, bool)):
        sup_items = sup.get("items")
        if not isinstance(sup_items, (dict, bool)):
            _note(why, f"{path}/items: upstream has no item schema")
            return False
        inner = _compare_schemas(sub_doc, sub_items, super_doc, sup_items, f"{path}[]", seen, why)
        if not (yield inner):
            return False
    return True


def _enum_covers(sub_enum: Any, super_enum: Any) -> bool:
    """Whether every upstream enum value is a downstream enum value."""
    if not isinstance(sub_enum, list) or not isinstance(super_enum, list):
        return False
    return all(any(_json_equal(v, w) for w in sub_enum) for v in super_enum)


# --------------------------------------------------------------------------------------------
# Explanations (only called once a cast is known to fail)

_Explainer: TypeAlias = Callable[[LiteralType, Any], str]


def _cannot(up: LiteralType, down: LiteralType) -> str:
    """The common start of a mismatch message."""
    return f"{render_type(up)} cannot be cast to {render_type(down)}"


def _inner(t: LiteralType) -> LiteralType | None:
    """The element type of a list or value type of a map, else None."""
    if isinstance(t, Collection):
        return t.elem
    return t.value if isinstance(t, MapOf) else None


def _explain_container(up: LiteralType, down: Collection | MapOf) -> str:
    """Why a list or map does not cast: kind, or the innermost element pair."""
    kind = "list" if isinstance(down, Collection) else "map"
    if type(up) is not type(down):
        return f"{_cannot(up, down)}: a {kind} is required"
    cur_up: LiteralType = up
    cur_down: LiteralType = down
    while type(cur_up) is type(cur_down):
        inner_up, inner_down = _inner(cur_up), _inner(cur_down)
        if inner_up is None or inner_down is None:
            break
        cur_up, cur_down = inner_up, inner_down
    return f"{kind} element {_cannot(cur_up, cur_down)}"


def _explain_blob(up: LiteralType, down: Blob) -> str:
    """Why a blob does not cast."""
    if not isinstance(up, Blob):
        return f"{_cannot(up, down)}: a file or directory is required"
    return f"{_cannot(up, down)}: blob format {up.format!r} differs from {down.format!r}"


def _explain_schema(up: LiteralType, down: Schema) -> str:
    """Why a schema does not cast."""
    if isinstance(up, StructuredDataset) and not _parquet_or_empty(up.format):
        return f"{_cannot(up, down)}: only a parquet dataset converts to a schema"
    if isinstance(up, Schema | StructuredDataset):
        return f"{_cannot(up, down)}: a required column is missing or has another type"
    return f"{_cannot(up, down)}: a schema or structured dataset is required"


def _explain_dataset(up: LiteralType, down: StructuredDataset) -> str:
    """Why a structured dataset does not cast."""
    if isinstance(up, Schema):
        if not _parquet_or_empty(down.format):
            return f"{_cannot(up, down)}: a schema only converts to a parquet dataset"
        return f"{_cannot(up, down)}: a required column is missing or has another type"
    if not isinstance(up, StructuredDataset):
        return f"{_cannot(up, down)}: a schema or structured dataset is required"
    if up.format and down.format and not _equal_fold(up.format, down.format):
        return f"{_cannot(up, down)}: format {up.format!r} differs from {down.format!r}"
    return f"{_cannot(up, down)}: a required column is missing or has another type"


def _explain_union(up: LiteralType, down: Union) -> str:
    """Why a union does not cast: an unplaced variant, no match, or ambiguity."""
    if isinstance(up, Union):
        for u in up.variants:
            if not any(is_castable(u, d) for d in down.variants):
                return f"{_cannot(up, down)}: variant {render_type(u)} matches no variant"
    matches = sum(1 for d in down.variants if is_castable(up, d))
    if matches > 1:
        return f"{_cannot(up, down)}: it matches {matches} variants, which is ambiguous"
    return f"{_cannot(up, down)}: it matches no variant"


def _explain_trivial(up: LiteralType, down: LiteralType) -> str:
    """Why a simple, enum or unset type does not cast."""
    if _is_none(down):
        return f"{_cannot(up, down)}: only None binds to a None type"
    if up.tag and down.tag != up.tag:
        return f"{_cannot(up, down)}: type tag {up.tag!r} differs from {down.tag!r}"
    if _simple_of(up) is SimpleType.STRUCT and _simple_of(down) is SimpleType.STRUCT:
        why: list[str] = []
        _run(_struct_castable(up.metadata, down.metadata, why))
        detail = why[0] if why else "the dataclass schemas are incompatible"
        return f"{_cannot(up, down)}: {detail}"
    return _cannot(up, down)


_EXPLAINERS: Final[dict[type[TypeBase], _Explainer]] = {
    Collection: _explain_container,
    MapOf: _explain_container,
    Blob: _explain_blob,
    Schema: _explain_schema,
    StructuredDataset: _explain_dataset,
    Union: _explain_union,
}
