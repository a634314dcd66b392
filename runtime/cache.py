"""Task output caching (``cache-check``, ``cache-put``), keyed as Flyte's catalog keys results.

Flyte keys a cached result by the task, its cache version and a hash of the input literals, with
the task's ``cache_ignore_input_vars`` left out and any literal that carries a ``hash`` (flytekit's
``HashMethod``) standing for itself by that hash alone (propeller's ``hashify``). The backends
pass the non-input part as ``--key`` JSON: ``{"task", "version", "ignore", "overwrite"}``;
``overwrite`` (a launch plan's ``overwrite_cache``) makes every lookup a miss so the run's
result replaces the stored one. Results live under ``<prefix>/fcomp-cache/<sha256>/outputs.pb``,
shared by every execution under the prefix.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flyteidl.core import literals_pb2

from fcomp.runtime.codec import parse_message, serialize
from fcomp.runtime.errors import StepError
from fcomp.runtime.literals import literal_kind
from fcomp.runtime.storage import OUTPUTS, Storage

CACHE_DIR = "fcomp-cache"


class CacheKey:
    """The parsed ``--key`` JSON."""

    def __init__(self, key: Any) -> None:
        if not isinstance(key, dict) or not isinstance(key.get("task"), str):
            raise StepError(f"--key must be a JSON object with a 'task' name, got {key!r}")
        ignore = key.get("ignore", [])
        if not isinstance(ignore, list) or not all(isinstance(name, str) for name in ignore):
            raise StepError("--key: 'ignore' must be a list of input names")
        self.identity = {"task": key["task"], "version": str(key.get("version", ""))}
        self.ignore = frozenset(ignore)
        self.overwrite = bool(key.get("overwrite", False))


def _hashified(literal: Any) -> Any:
    """A literal with every part that has a ``hash`` replaced by that hash alone."""
    if literal.hash:
        return literals_pb2.Literal(hash=literal.hash)
    kind = literal_kind(literal)
    if kind not in ("collection", "map"):
        return literal
    copy = literals_pb2.Literal()
    if kind == "collection":
        copy.collection.SetInParent()
        copy.collection.literals.extend(_hashified(item) for item in literal.collection.literals)
    else:
        copy.map.SetInParent()
        for name, item in literal.map.literals.items():
            copy.map.literals[name].CopyFrom(_hashified(item))
    return copy


def digest(key: CacheKey, inputs: Any) -> str:
    """The hex SHA-256 naming a cached result: identity, then the hashified kept inputs."""
    kept = literals_pb2.LiteralMap()
    for name, literal in inputs.literals.items():
        if name not in key.ignore:
            kept.literals[name].CopyFrom(_hashified(literal))
    identity = json.dumps(key.identity, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(identity + b"\0" + serialize(kept)).hexdigest()


def _entry(storage: Storage, name: str) -> str:
    return f"{storage.base}/{CACHE_DIR}/{name}/{OUTPUTS}"


def lookup(storage: Storage, node: str, key: CacheKey, inputs: Any) -> bool:
    """Copy a stored result to the node's outputs; whether there was one."""
    if key.overwrite:
        return False
    path = _entry(storage, digest(key, inputs))
    if not storage.backend.exists(path):
        return False
    data = storage.read(path, node)
    parse_message(data, literals_pb2.LiteralMap, f"cached outputs {path}")
    storage.write(storage.attempt_path(node, 0, OUTPUTS), data, node)
    return True


def store(storage: Storage, node: str, key: CacheKey, inputs: Any, outputs_path: str) -> None:
    """Store the node's outputs as the cached result for its inputs."""
    storage.write(_entry(storage, digest(key, inputs)), storage.read(outputs_path, node), node)
