"""Decode JSON and YAML text into plain objects, safely.

YAML is read with a safe loader that keeps timestamps as strings (protobuf JSON wants RFC 3339
text) and refuses aliases, which could otherwise multiply a small document into a huge one (an
alias bomb, of collections or of long strings). A key given twice in one object is refused in
both forms, as protobuf's JSON reader and flytectl refuse it, rather than one value dropped.
Sizes are bounded before parsing by the file reader.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from fcomp.idl.errors import InputError, one_line


@cache
def _loader() -> Any:
    """A safe YAML loader (libyaml's when PyYAML has it) whose timestamps stay strings.

    PyYAML is imported here, on the first YAML input, not with the module: most inputs are
    protobuf files and every command pays for what it imports.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """A safe YAML loader whose timestamps stay strings."""

    def timestamp_as_text(loader: Any, node: yaml.Node) -> Any:
        """Keep a YAML timestamp as its text, as protobuf JSON expects."""
        return loader.construct_yaml_str(node)

    def construct_object(self: Any, node: yaml.Node, deep: bool = False) -> Any:
        """Build ``node``; a node met again in the document is an alias: refused."""
        if node in self.constructed_objects or node in self.recursive_objects:
            raise InputError("YAML aliases (*name) are not accepted")
        return base.construct_object(self, node, deep)

    def construct_mapping(self: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
        """A mapping whose keys are all different."""
        scalars = [k for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        _refuse_duplicates([(k.tag, k.value) for k in scalars], [k.value for k in scalars])
        return base.construct_mapping(self, node, deep)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp_as_text)
    Loader.construct_object = construct_object
    Loader.construct_mapping = construct_mapping
    return Loader


def _refuse_duplicates(keys: list[Any], shown: list[Any]) -> None:
    """Raise if a key of one object is given twice (``shown``: the keys as the user wrote
    them, in the same order)."""
    seen: set[Any] = set()
    for key, text in zip(keys, shown, strict=True):
        if key in seen:
            raise InputError(f"the key {text!r} is given twice in one object")
        seen.add(key)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    _refuse_duplicates(keys, keys)
    return dict(pairs)


def parse_json(data: bytes) -> list[Any]:
    """The one document in JSON text."""
    try:
        return [json.loads(data, object_pairs_hook=_json_object)]
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise InputError(f"invalid JSON: {one_line(str(exc))}") from None


def parse_yaml(data: bytes) -> list[Any]:
    """The non-empty documents in YAML text."""
    import yaml

    try:
        documents = [d for d in yaml.load_all(data, Loader=_loader()) if d is not None]
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {one_line(str(exc))}") from None
    if not documents:
        raise InputError("the YAML file holds no document")
    return documents


#: Document parsers by lower-case file suffix.
DOCUMENT_PARSERS: dict[str, Callable[[bytes], list[Any]]] = {
    ".json": parse_json,
    ".yaml": parse_yaml,
    ".yml": parse_yaml,
}


def top_level_objects(documents: list[Any]) -> Iterator[tuple[str, Any]]:
    """Each entity object with where it is: a document may be one object or an array of them."""
    for d, document in enumerate(documents):
        where = f"document {d + 1}" if len(documents) > 1 else ""
        if isinstance(document, list):
            for i, item in enumerate(document):
                yield (f"{where}, item {i}" if where else f"item {i}"), item
        else:
            yield where, document
