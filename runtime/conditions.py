"""Branch conditions evaluated with FlytePropeller's rules (``nodes/branch/comparator.go``).

- Cases are tried in order; the first true one wins and later ones are not evaluated. With none
  true, the ``else`` case runs, or the ``error`` case fails with its message, or the branch fails
  with "No branch satisfied".
- ``and``/``or`` evaluate both sides (an error on either side fails the branch), then combine.
- Both sides must be primitives of the same kind (an integer never compares with a float).
  Strings compare by code point; datetimes and durations by whole seconds (propeller ignores the
  nanoseconds); floats by IEEE rules, with ``lt`` = not (``gt`` or ``eq``) and ``lte`` = not
  ``gt`` as propeller computes them.
- Booleans support only ``eq``/``neq``; ``gt``/``gte``/``lt``/``lte`` on booleans are errors.
- None (flytekit's ``is_none()``): ``eq`` is true when both sides are None, ``neq`` when one is;
  ordering a None is an error. Union values (``Optional[int]``) are compared by their value, as
  flytekit's local execution does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.core import literals_pb2

from fcomp.runtime.codec import b64_message
from fcomp.runtime.errors import StepError
from fcomp.runtime.literals import is_none, primitive_kind, unwrap_union

Comparator = Callable[[Any, Any], bool]


def _by_value(field: str) -> tuple[Comparator, Comparator]:
    return (
        lambda left, right: bool(getattr(left, field) > getattr(right, field)),
        lambda left, right: bool(getattr(left, field) == getattr(right, field)),
    )


def _by_seconds(field: str) -> tuple[Comparator, Comparator]:
    return (
        lambda left, right: bool(getattr(left, field).seconds > getattr(right, field).seconds),
        lambda left, right: bool(getattr(left, field).seconds == getattr(right, field).seconds),
    )


#: (greater-than, equal) per primitive kind; booleans have no ordering.
_COMPARATORS: dict[str, tuple[Comparator | None, Comparator]] = {
    "integer": _by_value("integer"),
    "float_value": _by_value("float_value"),
    "string_value": _by_value("string_value"),
    "boolean": (None, _by_value("boolean")[1]),
    "datetime": _by_seconds("datetime"),
    "duration": _by_seconds("duration"),
}

#: How each operator combines greater-than and equal, as propeller does.
_OPERATORS: dict[str, Callable[[bool, bool], bool]] = {
    "gt": lambda gt, eq: gt,
    "gte": lambda gt, eq: eq or gt,
    "lt": lambda gt, eq: not (gt or eq),
    "lte": lambda gt, eq: not gt,
    "eq": lambda gt, eq: eq,
    "neq": lambda gt, eq: not eq,
}

_NONE_OPERATORS: dict[str, Callable[[bool, bool], bool]] = {
    "eq": lambda left_none, right_none: left_none and right_none,
    "neq": lambda left_none, right_none: not (left_none and right_none),
}


def compare(left: Any, right: Any, op: str) -> bool:
    """``left <op> right`` for two literals, or a failure saying why they cannot be compared."""
    if op not in _OPERATORS:
        raise StepError(f"unknown comparison operator {op!r}")
    left, right = unwrap_union(left), unwrap_union(right)
    for side, value in (("LHS", left), ("RHS", right)):
        if not primitive_kind(value) and not is_none(value):
            raise StepError(f"Only primitives can be compared. {side} Variable is non primitive.")
    if is_none(left) or is_none(right):
        if op not in _NONE_OPERATORS:
            raise StepError(
                f"Comparison between nil and non-nil values with operator [{op.upper()}] "
                "is not supported."
            )
        return _NONE_OPERATORS[op](is_none(left), is_none(right))
    left_kind, right_kind = primitive_kind(left), primitive_kind(right)
    if left_kind != right_kind:
        raise StepError(
            f"Comparison between different primitives types. lVal[{left_kind}]:rVal[{right_kind}]"
        )
    greater, equal = _COMPARATORS[left_kind]
    if greater is None and op not in ("eq", "neq"):
        raise StepError(f"[{op.upper()}] not defined for boolean operands.")
    lvalue, rvalue = left.scalar.primitive, right.scalar.primitive
    is_greater = greater(lvalue, rvalue) if greater is not None else False
    return _OPERATORS[op](is_greater, equal(lvalue, rvalue))


def _operand(operand: Any, inputs: Any) -> Any:
    if isinstance(operand, dict) and set(operand) == {"var"}:
        name = operand["var"]
        if name not in inputs.literals:
            raise StepError(f"Failed to find Value for Variable [{name}]")
        return inputs.literals[name]
    if isinstance(operand, dict) and set(operand) == {"literal"}:
        return b64_message(operand["literal"], literals_pb2.Literal, "a condition literal")
    raise StepError(f"an operand must be {{'var': name}} or {{'literal': b64}}, got {operand!r}")


def _comparison(expr: dict[str, Any], inputs: Any) -> bool:
    left, right = _operand(expr.get("left"), inputs), _operand(expr.get("right"), inputs)
    return compare(left, right, str(expr["op"]))


def _conjunction(combine: Callable[[bool, bool], bool]) -> Callable[[Any, Any], bool]:
    def evaluate_both(parts: Any, inputs: Any) -> bool:
        """Both sides evaluated, then combined."""
        if not isinstance(parts, list) or len(parts) != 2:
            raise StepError(f"'and'/'or' take a list of two expressions, got {parts!r}")
        left = evaluate(parts[0], inputs)
        right = evaluate(parts[1], inputs)  # evaluated even when left decides, as in propeller
        return combine(left, right)

    return evaluate_both


_EXPRESSIONS: dict[str, Callable[[Any, Any], bool]] = {
    "and": _conjunction(lambda left, right: left and right),
    "or": _conjunction(lambda left, right: left or right),
}


def evaluate(expr: Any, inputs: Any) -> bool:
    """The truth of a condition expression over the branch node's input literals."""
    if isinstance(expr, dict) and "op" in expr:
        return _comparison(expr, inputs)
    if isinstance(expr, dict) and len(expr) == 1 and next(iter(expr)) in _EXPRESSIONS:
        key = next(iter(expr))
        return _EXPRESSIONS[key](expr[key], inputs)
    raise StepError(f"a condition must be an 'and', 'or' or 'op' expression, got {expr!r}")


def decide(cases: Any, inputs: Any) -> int:
    """The index of the case that runs (the ``else`` index is the one after the last condition)."""
    if not isinstance(cases, list):
        raise StepError("the cases must be a JSON list")
    conditions = [case for case in cases if isinstance(case, dict) and "condition" in case]
    endings = [case for case in cases if not (isinstance(case, dict) and "condition" in case)]
    for index, case in enumerate(conditions):
        if evaluate(case["condition"], inputs):
            return index
    for ending in endings:
        if isinstance(ending, dict) and ending.get("else") is True:
            return len(conditions)
        if isinstance(ending, dict) and "error" in ending:
            raise StepError(str(ending["error"]))
        raise StepError(f"a case must be a condition, else or error entry, got {ending!r}")
    raise StepError("No branch satisfied")
