"""Flyte identifiers and interfaces."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fcomp.compiler.ir.literals import Literal
from fcomp.compiler.ir.types import LiteralType


class ResourceType(enum.IntEnum):
    """``flyteidl.core.ResourceType``."""

    UNSPECIFIED = 0
    TASK = 1
    WORKFLOW = 2
    LAUNCH_PLAN = 3
    DATASET = 4


@dataclass(frozen=True, slots=True, order=True)
class Ident:
    """A Flyte identifier; pyflyte packages leave project, domain and version empty."""

    resource_type: ResourceType
    name: str
    project: str = ""
    domain: str = ""
    version: str = ""
    org: str = ""

    def matches(self, other: Ident) -> bool:
        """Whether reference ``self`` names ``other``: same name, and every set part equal."""
        if self.name != other.name:
            return False
        if not (self.project or self.domain or self.version or self.org):
            return True
        return all(
            not mine or mine == theirs
            for mine, theirs in (
                (self.project, other.project),
                (self.domain, other.domain),
                (self.version, other.version),
                (self.org, other.org),
            )
        )

    def render(self) -> str:
        """``project:domain:name:version`` without empty parts."""
        parts = (self.project, self.domain, self.name, self.version)
        return ":".join(p for p in parts if p) or "<unnamed>"


_NUMBERED = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[object, ...]:
    """Sort key putting ``o2`` before ``o10``; ties broken by the plain string."""
    parts = _NUMBERED.split(name)
    return (tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts), name)


@dataclass(frozen=True, slots=True)
class Variable:
    """A named, typed interface variable."""

    name: str
    type: LiteralType
    description: str = ""


@dataclass(frozen=True, slots=True)
class Parameter:
    """A launch-plan (or workflow) input: a variable with a default or required flag."""

    var: Variable
    default: Literal | None = None
    required: bool = False
    artifact: bool = False


def ordered(variables: Iterable[Variable]) -> dict[str, Variable]:
    """Variables keyed by name in Flyte's deterministic order (natural sort of names)."""
    return {v.name: v for v in sorted(variables, key=lambda v: natural_key(v.name))}


@dataclass(frozen=True, slots=True)
class Interface:
    """Typed inputs and outputs, each in natural name order."""

    inputs: Mapping[str, Variable]
    outputs: Mapping[str, Variable]

    @staticmethod
    def of(inputs: Iterable[Variable] = (), outputs: Iterable[Variable] = ()) -> Interface:
        """Build an interface, ordering variables deterministically."""
        return Interface(ordered(inputs), ordered(outputs))


EMPTY_INTERFACE = Interface({}, {})
