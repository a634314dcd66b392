"""``successCondition`` / ``failureCondition`` of a resource template, and the JSON paths its
output parameters read.

Conditions use Kubernetes label-selector syntax over fields of the object
(docs/walk-through/kubernetes-resources.md): ``status.phase == Succeeded``,
``status.phase in (Failed, Error)``, ``status.failed > 3``, ``key``, ``!key``. In a success
condition commas mean AND (every requirement must match); in a failure condition any matching
requirement fails the step (``argoexec resource``'s ``matchConditions``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.backends.argo.local.values import go_string


class ConditionError(ValueError):
    """A condition or path that does not parse."""


@dataclass(frozen=True)
class Requirement:
    """One selector requirement: ``key op values``."""

    key: str
    op: str  # = != in notin exists !exists > <
    values: tuple[str, ...]

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether the object satisfies the requirement (Kubernetes ``Requirement.Matches``)."""
        present, value = lookup(obj, self.key)
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        if self.op in ("!=", "notin"):
            return not present or value not in self.values
        if not present:
            return False
        try:
            left, right = int(value), int(self.values[0])
        except ValueError:
            return False
        return left > right if self.op == ">" else left < right

    def __str__(self) -> str:
        if self.op in ("in", "notin"):
            return f"{self.key} {self.op} ({','.join(self.values)})"
        if self.op == "exists":
            return self.key
        if self.op == "!exists":
            return f"!{self.key}"
        return f"{self.key} {self.op} {self.values[0]}"


_REQUIREMENT = re.compile(
    r"""^\s*(?:
        (?P<not>!)\s*(?P<nkey>[\w./-]+)
      | (?P<key>[\w./-]+)\s*(?:
            (?P<op>==|!=|=|>|<)\s*(?P<value>[^\s,()]*)
          | (?P<setop>in|notin)\s*\((?P<set>[^)]*)\)
        )?
    )\s*$""",
    re.VERBOSE,
)


def _split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def parse_selector(text: str) -> list[Requirement]:
    """The requirements of a condition string."""
    requirements = []
    for part in _split(text):
        match = _REQUIREMENT.match(part)
        if match is None:
            raise ConditionError(f"cannot parse condition {part.strip()!r}")
        if match.group("not"):
            requirements.append(Requirement(match.group("nkey"), "!exists", ()))
        elif match.group("setop"):
            values = tuple(v.strip() for v in match.group("set").split(",") if v.strip())
            requirements.append(Requirement(match.group("key"), match.group("setop"), values))
        elif match.group("op"):
            op = "=" if match.group("op") == "==" else match.group("op")
            requirements.append(Requirement(match.group("key"), op, (match.group("value"),)))
        else:
            requirements.append(Requirement(match.group("key"), "exists", ()))
    return requirements


def lookup(obj: Any, path: str) -> tuple[bool, str]:
    """The value at dotted ``path`` (list indexes as numbers) as text, and whether it exists."""
    node = obj
    for part in path.strip(".").split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, ""
    return True, go_string(node)


def json_path(obj: Any, path: str) -> str:
    """A resource output read with ``jsonPath: '{.a.b}'`` or ``jqFilter: '.a.b'`` (dotted
    paths only)."""
    expression = path.strip()
    if expression.startswith("{") and expression.endswith("}"):
        expression = expression[1:-1]
    if not re.fullmatch(r"\.[\w.-]*", expression):
        raise ConditionError(
            f"path {path!r}: only dotted paths like '{{.status.phase}}' run locally"
        )
    present, value = lookup(obj, expression)
    if not present:
        raise ConditionError(f"path {path!r} not found in the resource")
    return value
