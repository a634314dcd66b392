"""Decode JSON and YAML text into plain objects, safely.

YAML is read with a safe loader that keeps timestamps as strings (protobuf JSON wants RFC 3339
text) and refuses aliases to collections, which could otherwise multiply a small document into
a huge one (an alias bomb). Sizes are bounded before parsing by the file reader.
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

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp_as_text)
    return Loader


def parse_json(data: bytes) -> list[Any]:
    """The one document in JSON text."""
    try:
        return [json.loads(data)]
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise InputError(f"invalid JSON: {one_line(str(exc))}") from None


def _refuse_shared(root: Any) -> None:
    """Raise if a collection is reachable twice (a YAML alias) or contains itself."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if id(node) in seen:
            raise InputError("YAML aliases (*name) to collections are not accepted")
        seen.add(id(node))
        stack.extend(children)


def parse_yaml(data: bytes) -> list[Any]:
    """The non-empty documents in YAML text."""
    import yaml

    try:
        documents = [d for d in yaml.load_all(data, Loader=_loader()) if d is not None]
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {one_line(str(exc))}") from None
    for document in documents:
        _refuse_shared(document)
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
