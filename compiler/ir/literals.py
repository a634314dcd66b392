"""Literal values and bindings.

A :class:`Literal` is opaque to the compiler: it keeps the serialized ``flyteidl.core.Literal``
for the runtime, plus the few facts the compiler checks (its inferred type, its text when it is a
string primitive). Bindings say where a node input's value comes from.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from fcomp.compiler.diagnostics import Source
from fcomp.compiler.frozen import fast_init
from fcomp.compiler.ir.types import LiteralType


@dataclass(frozen=True, slots=True)
class Literal:
    """An opaque Flyte literal with its inferred type (None when it cannot be inferred)."""

    pb: bytes = field(repr=False)
    type: LiteralType | None
    string_value: str | None = None
    shape: str = "scalar"
    #: The literal in the parameter text form of ``runtime/CONTRACT.md`` (None if unknown).
    text: str | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class Promise:
    """The output ``var`` of node ``node_id`` (empty node id: a workflow input)."""

    node_id: str
    var: str
    attr_path: tuple[str | int, ...] = ()
    union: LiteralType | None = None


@dataclass(frozen=True, slots=True)
class Scalar:
    """A constant value."""

    literal: Literal
    union: LiteralType | None = None


@dataclass(frozen=True, slots=True)
class BindingCollection:
    """A list whose items are bindings."""

    items: tuple[BindingData, ...]
    union: LiteralType | None = None


@dataclass(frozen=True, slots=True)
class BindingMap:
    """A string-keyed map whose values are bindings (keys sorted)."""

    entries: tuple[tuple[str, BindingData], ...]
    union: LiteralType | None = None


@dataclass(frozen=True, slots=True)
class Offloaded:
    """A literal stored elsewhere (``LiteralOffloadedMetadata``)."""

    uri: str
    size_bytes: int
    type: LiteralType | None
    union: LiteralType | None = None


@dataclass(frozen=True, slots=True)
class NoValue:
    """A ``BindingData`` with no value set."""

    union: LiteralType | None = None


BindingData = Promise | Scalar | BindingCollection | BindingMap | Offloaded | NoValue


@fast_init
@dataclass(frozen=True, slots=True)
class Binding:
    """Input (or workflow output) ``var`` takes its value from ``data``."""

    var: str
    data: BindingData
    #: Where the node whose input this is (a workflow's outputs: its end node) came from.
    node_source: Source = Source()

    @property
    def source(self) -> Source:
        """Where the binding came from: its node's source, field ``inputs.<var>`` (made when
        asked for, which is only to report a problem)."""
        at = self.node_source
        return Source(at.file, at.entity, at.node, f"inputs.{self.var}")


class ComparisonOp(enum.IntEnum):
    """``ComparisonExpression.Operator``."""

    EQ = 0
    NEQ = 1
    GT = 2
    GTE = 3
    LT = 4
    LTE = 5


class LogicalOp(enum.IntEnum):
    """``ConjunctionExpression.LogicalOperator``."""

    AND = 0
    OR = 1


@dataclass(frozen=True, slots=True)
class OperandVar:
    """A branch operand naming one of the branch node's inputs."""

    var: str


@dataclass(frozen=True, slots=True)
class OperandValue:
    """A constant branch operand (a primitive or scalar)."""

    literal: Literal


@dataclass(frozen=True, slots=True)
class OperandUnset:
    """An operand with nothing set."""


Operand = OperandVar | OperandValue | OperandUnset


@dataclass(frozen=True, slots=True)
class Comparison:
    """``left op right``."""

    op: ComparisonOp
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Conjunction:
    """``left and/or right``."""

    op: LogicalOp
    left: BoolExpr
    right: BoolExpr


@dataclass(frozen=True, slots=True)
class ExprUnset:
    """A boolean expression with nothing set."""


BoolExpr = Comparison | Conjunction | ExprUnset
