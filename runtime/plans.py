"""Binding plans (see ``runtime/CONTRACT.md``) resolved to literals, as propeller binds inputs.

A plan maps each input name to a value plan: ``promise`` (an upstream output, with optional
``index`` and attribute ``path``), ``literal``, ``list``, ``map``, ``first`` (the first
alternative whose promises all have outputs: the branch case that ran), ``offloaded`` or ``pick``
(an index and attribute path applied to another value plan), ``error`` (the error of the
execution's failed node, for a failure node's ``FlyteError`` input); any value
plan may carry ``union`` (a base64 ``LiteralType``) to wrap its literal into that union.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from fcomp.runtime.attrpath import resolve_path
from fcomp.runtime.codec import b64_message, parse_message
from fcomp.runtime.errors import NoAlternativeError, OutputsMissingError, StepError
from fcomp.runtime.literals import literal_kind, unwrap_union
from fcomp.runtime.plainjson import ordered_keys
from fcomp.runtime.storage import Storage
from fcomp.runtime.unions import wrap

LiteralMap = literals_pb2.LiteralMap
Literal = literals_pb2.Literal

_PROMISE_KEYS = frozenset({"node", "var", "index", "path"})


class Resolver:
    """Resolves plans against one execution's storage, reading each upstream's outputs once."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._outputs: dict[str, Any] = {}

    def outputs_of(self, node: str) -> Any:
        """The ``LiteralMap`` of a node's latest attempt (OutputsMissingError if none)."""
        if node not in self._outputs:
            path = self.storage.latest_outputs(node)
            data = self.storage.read(path, node)
            self._outputs[node] = parse_message(
                data, LiteralMap, f"node '{node}': outputs file {path}"
            )
        return self._outputs[node]

    def resolve(self, plan: Any, node: str) -> Any:
        """The input ``LiteralMap`` of ``node`` for its binding plan."""
        if not isinstance(plan, dict):
            raise StepError(f"node '{node}': the plan must be a JSON object of inputs")
        inputs = LiteralMap()
        for name in ordered_keys(plan):
            try:
                inputs.literals[name].CopyFrom(self.value(plan[name]))
            except StepError as failure:
                raise StepError(f"node '{node}', input '{name}': {failure.message}") from None
        return inputs

    def value(self, plan: Any) -> Any:
        """The literal of one value plan."""
        if not isinstance(plan, dict):
            raise StepError(f"a value plan must be a JSON object, got {plan!r}")
        kinds = [key for key in plan if key in _VALUE_KINDS]
        extra = [key for key in plan if key not in _VALUE_KINDS and key != "union"]
        if len(kinds) != 1 or extra:
            raise StepError(
                f"a value plan needs exactly one of {', '.join(_VALUE_KINDS)} "
                f"(and optionally 'union'), got keys {sorted(plan)}"
            )
        literal = _VALUE_KINDS[kinds[0]](self, plan[kinds[0]])
        if "union" in plan:
            union_type = b64_message(plan["union"], types_pb2.LiteralType, "the plan's union type")
            literal = wrap(literal, union_type)
        return literal

    def _promise(self, spec: Any) -> Any:
        if not isinstance(spec, dict) or not {"node", "var"} <= set(spec):
            raise StepError(f"a promise needs 'node' and 'var', got {spec!r}")
        unknown = set(spec) - _PROMISE_KEYS
        if unknown:
            raise StepError(f"a promise has unknown keys {sorted(unknown)}")
        node, var = str(spec["node"]), str(spec["var"])
        outputs = self.outputs_of(node)
        if var not in outputs.literals:
            names = ", ".join(ordered_keys(outputs.literals)) or "none"
            path = self.storage.latest_outputs(node)
            raise StepError(f"node '{node}' has no output '{var}' in {path} (it has: {names})")
        return _select(f"node '{node}' output '{var}'", outputs.literals[var], spec)

    def _pick(self, spec: Any) -> Any:
        if not isinstance(spec, dict) or "of" not in spec:
            raise StepError(f"a pick needs 'of', got {spec!r}")
        unknown = set(spec) - {"of", "index", "path"}
        if unknown:
            raise StepError(f"a pick has unknown keys {sorted(unknown)}")
        return _select("the picked value", self.value(spec["of"]), spec)

    def _literal(self, spec: Any) -> Any:
        return b64_message(spec, Literal, "a plan literal")

    def _list(self, spec: Any) -> Any:
        if not isinstance(spec, list):
            raise StepError(f"a list plan must be a JSON list, got {spec!r}")
        literal = Literal()
        literal.collection.SetInParent()
        literal.collection.literals.extend(self.value(item) for item in spec)
        return literal

    def _map(self, spec: Any) -> Any:
        if not isinstance(spec, dict):
            raise StepError(f"a map plan must be a JSON object, got {spec!r}")
        literal = Literal()
        literal.map.SetInParent()
        for key in ordered_keys(spec):
            literal.map.literals[key].CopyFrom(self.value(spec[key]))
        return literal

    def _first(self, spec: Any) -> Any:
        if not isinstance(spec, list) or not spec:
            raise StepError(f"a first plan must be a non-empty JSON list, got {spec!r}")
        missing: list[str] = []
        for alternative in spec:
            try:
                return self.value(alternative)
            except OutputsMissingError as absent:
                missing.append(absent.node)
        raise NoAlternativeError(missing)

    def _offloaded(self, spec: Any) -> Any:
        if not isinstance(spec, dict) or "uri" not in spec:
            raise StepError(f"an offloaded plan needs 'uri', got {spec!r}")
        literal = Literal()
        metadata = literal.offloaded_metadata
        metadata.uri = str(spec["uri"])
        metadata.size_bytes = int(spec.get("size", 0))
        if spec.get("type"):
            metadata.inferred_type.CopyFrom(
                b64_message(spec["type"], types_pb2.LiteralType, "an offloaded literal's type")
            )
        return literal


def _select(where: str, literal: Any, spec: dict[str, Any]) -> Any:
    """``spec``'s optional ``index`` (a list element) then ``path`` applied to ``literal``."""
    if spec.get("index") is not None:
        literal = _element(where, literal, spec["index"])
    steps = spec.get("path") or []
    if not isinstance(steps, list):
        raise StepError(f"{where}: the path must be a list, got {steps!r}")
    return resolve_path(where, literal, steps) if steps else literal


def _element(where: str, literal: Any, index: Any) -> Any:
    """Element ``index`` of a list value (``[i].var`` promises)."""
    value = unwrap_union(literal)
    if literal_kind(value) != "collection":
        raise StepError(f"{where} is not a list, cannot take [{index}]")
    items = value.collection.literals
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(items):
        raise StepError(f"{where}: index [{index!r}] is out of range (length {len(items)})")
    return items[index]


#: Value plan kinds, by their JSON key.
def _error(resolver: Resolver, spec: Any) -> Any:
    from fcomp.runtime.failures import error_literal

    return error_literal(resolver.storage)


_VALUE_KINDS: dict[str, Callable[[Resolver, Any], Any]] = {
    "error": _error,
    "promise": Resolver._promise,
    "literal": Resolver._literal,
    "list": Resolver._list,
    "map": Resolver._map,
    "first": Resolver._first,
    "offloaded": Resolver._offloaded,
    "pick": Resolver._pick,
}
