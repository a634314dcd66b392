"""``{{...}}`` substitution, as Argo's template engine does it (docs/variables.md).

A :class:`Scope` maps flat variable names (``inputs.parameters.x``, ``tasks.a.outputs.result``,
``workflow.name``, ``item``) to strings. Simple tags (``{{ name }}``) are looked up; expression
tags (``{{=expr}}``) are evaluated by :mod:`exprlang` over the scope turned into nested maps.

Substitution is *lenient* (unknown tags are left for a later stage, as Argo does while it
processes a template's arguments) or *strict* (every tag must resolve: used for what a pod
runs). An output of a Skipped/Omitted task is an :class:`Absent` value: a simple tag naming it
raises :class:`AbsentReferenceError`, an expression sees ``nil`` (so ``??`` works).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.backends.argo.local import exprlang

TAG = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass(frozen=True)
class Absent:
    """An output of a task that did not run (Skipped or Omitted)."""

    task: str
    phase: str


class UnresolvedError(ValueError):
    """Tags that strict substitution could not resolve."""

    def __init__(self, tags: list[str]) -> None:
        self.tags = tags
        super().__init__("failed to resolve " + ", ".join(tags))


class AbsentReferenceError(ValueError):
    """A reference to an output of a task that was Skipped or Omitted."""

    def __init__(self, tag: str, absent: Absent) -> None:
        self.tag = tag
        self.absent = absent
        super().__init__(
            f"{tag} refers to an output of task '{absent.task}', which was {absent.phase}: "
            "Argo versions disagree on such references (v4.0.x hangs, others substitute an "
            "empty string or fail), so give the output a valueFrom.default or the input a default"
        )


class Scope:
    """Variables visible at one point of the workflow."""

    def __init__(
        self, values: Mapping[str, str | Absent] | None = None, env: Mapping[str, Any] | None = None
    ) -> None:
        self.values: dict[str, str | Absent] = dict(values or {})
        self.env_extra: dict[str, Any] = dict(env or {})

    def child(self, values: Mapping[str, str | Absent] | None = None) -> Scope:
        """A copy with ``values`` added."""
        scope = Scope(self.values, self.env_extra)
        scope.values.update(values or {})
        return scope

    def set_env(self, name: str, value: Any) -> None:
        """Give expressions a structured value (a loop item) under ``name``."""
        self.env_extra[name] = value

    def expression_env(self) -> dict[str, Any]:
        """The scope as nested maps, the way Argo builds an expression's environment."""
        env: dict[str, Any] = {}
        for key in sorted(self.values, key=lambda k: k.count(".")):
            value = self.values[key]
            parts = key.split(".")
            node = env
            for part in parts[:-1]:
                existing = node.get(part)
                if not isinstance(existing, dict):
                    existing = {}
                    node[part] = existing
                node = existing
            if not isinstance(node.get(parts[-1]), dict):
                node[parts[-1]] = None if isinstance(value, Absent) else value
        env.update(self.env_extra)
        return env


def substitute(text: str, scope: Scope, *, strict: bool) -> str:
    """Replace the tags of ``text``.

    Raises :class:`UnresolvedError` (strict only), :class:`AbsentReferenceError`, or
    :class:`exprlang.ExprError` for an expression that fails for another reason than a missing
    variable.
    """
    if "{{" not in text:
        return text
    unresolved: list[str] = []
    env: dict[str, Any] | None = None

    def replace(match: re.Match[str]) -> str:
        nonlocal env
        tag = match.group(0)
        inner = match.group(1).strip()
        if inner.startswith("="):
            if env is None:
                env = scope.expression_env()
            try:
                value = exprlang.evaluate(inner[1:], env)
            except exprlang.MissingVariableError:
                unresolved.append(tag)
                return tag
            if value is None:
                unresolved.append(tag)
                return tag
            return exprlang.render(value)
        found = scope.values.get(inner)
        if found is None:
            unresolved.append(tag)
            return tag
        if isinstance(found, Absent):
            raise AbsentReferenceError(tag, found)
        return found

    result = TAG.sub(replace, text)
    if strict and unresolved:
        raise UnresolvedError(unresolved)
    return result


def substitute_tree(value: Any, scope: Scope, *, strict: bool) -> Any:
    """:func:`substitute` applied to every string of a JSON-like tree (a new tree)."""
    if isinstance(value, str):
        return substitute(value, scope, strict=strict)
    if isinstance(value, list):
        return [substitute_tree(item, scope, strict=strict) for item in value]
    if isinstance(value, dict):
        return {key: substitute_tree(item, scope, strict=strict) for key, item in value.items()}
    return value


def tags_in(value: Any) -> list[str]:
    """Every ``{{...}}`` tag left in a JSON-like tree, in order."""
    found: list[str] = []
    if isinstance(value, str):
        found.extend(match.group(0) for match in TAG.finditer(value))
    elif isinstance(value, list):
        for item in value:
            found.extend(tags_in(item))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(tags_in(item))
    return found
