"""Branch conditions follow propeller's comparator: operators per kind, None, and/or, cases."""

from __future__ import annotations

import datetime
import json
import math
import typing
from typing import Any

import pytest
from flyteidl.core import literals_pb2
from runtime_helpers import Runtime, b64, int_literal, literal_map, to_literal

from fcomp.runtime.conditions import compare, decide
from fcomp.runtime.errors import StepError

UTC = datetime.UTC
T0 = datetime.datetime(2018, 7, 4, 12, 0, 0, tzinfo=UTC)


def lit(value: Any) -> Any:
    """The flytekit literal of a plain Python value (None is Flyte's None)."""
    if value is None:
        literal = literals_pb2.Literal()
        literal.scalar.none_type.SetInParent()
        return literal
    return to_literal(value, type(value))


OPS = ("gt", "gte", "lt", "lte", "eq", "neq")

#: (small, large) pairs per kind; every operator is checked both ways and against itself.
PAIRS = {
    "int": (1, 2),
    "float": (1.0, 2.0),
    "str": ("a", "b"),
    "datetime": (T0, T0 + datetime.timedelta(seconds=1)),
    "duration": (datetime.timedelta(seconds=10), datetime.timedelta(seconds=11)),
}
EXPECTED = {  # op: (small<op>large, large<op>small, small<op>small)
    "gt": (False, True, False),
    "gte": (False, True, True),
    "lt": (True, False, False),
    "lte": (True, False, True),
    "eq": (False, False, True),
    "neq": (True, True, False),
}


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("kind", sorted(PAIRS))
def test_operator_table(kind: str, op: str) -> None:
    small, large = (lit(v) for v in PAIRS[kind])
    results = (compare(small, large, op), compare(large, small, op), compare(small, small, op))
    assert results == EXPECTED[op]


def test_booleans_support_only_eq_and_neq() -> None:
    true, false = lit(True), lit(False)
    assert compare(true, true, "eq") and compare(true, false, "neq")
    assert not compare(true, false, "eq") and not compare(true, true, "neq")
    for op in ("gt", "gte", "lt", "lte"):
        with pytest.raises(StepError, match=rf"\[{op.upper()}\] not defined for boolean"):
            compare(true, false, op)


def test_datetimes_and_durations_compare_whole_seconds() -> None:
    half = datetime.timedelta(microseconds=500000)
    assert compare(lit(T0), lit(T0 + half), "eq")  # propeller ignores the nanos
    assert compare(lit(datetime.timedelta(0)), lit(half), "eq")


def test_float_nan_follows_propellers_formulas() -> None:
    nan = lit(math.nan)
    one = lit(1.0)
    assert not compare(nan, one, "gt") and not compare(nan, one, "eq")
    assert compare(nan, one, "lt")  # lt is "not (gt or eq)"
    assert compare(nan, one, "lte") and compare(nan, nan, "neq")


@pytest.mark.parametrize(
    ("left", "right", "says"),
    [
        (1, 1.0, "different primitives types. lVal[integer]:rVal[float_value]"),
        ("1", 1, "different primitives types"),
        (True, 1, "different primitives types"),
    ],
)
def test_different_kinds_do_not_compare(left: Any, right: Any, says: str) -> None:
    with pytest.raises(StepError, match=says.replace("[", r"\[").replace("]", r"\]")):
        compare(lit(left), lit(right), "eq")


def test_non_primitives_do_not_compare() -> None:
    with pytest.raises(StepError, match="Only primitives can be compared. LHS"):
        compare(to_literal([1], list[int]), lit(1), "eq")
    with pytest.raises(StepError, match="Only primitives can be compared. RHS"):
        compare(lit(1), to_literal({"a": 1}, dict[str, int]), "eq")


def test_none_handling() -> None:
    none, one = lit(None), lit(1)
    assert compare(none, none, "eq") and not compare(none, none, "neq")
    assert not compare(none, one, "eq") and compare(none, one, "neq")
    assert compare(one, none, "neq")
    with pytest.raises(StepError, match=r"nil and non-nil values with operator \[GT\]"):
        compare(none, one, "gt")


def test_optional_values_compare_by_their_value() -> None:
    some = to_literal(5, typing.Optional[int])  # noqa: UP045
    absent = to_literal(None, typing.Optional[int])  # noqa: UP045
    assert compare(some, lit(5), "eq") and compare(some, lit(4), "gt")
    assert compare(absent, lit(None), "eq") and compare(some, lit(None), "neq")


def cond(op: str, var: str, value: Any) -> dict[str, Any]:
    """A comparison of an input with a constant."""
    return {"op": op, "left": {"var": var}, "right": {"literal": b64(lit(value))}}


INPUTS = literal_map(x=int_literal(5), s=lit("hi"), b=lit(True))


def test_and_or() -> None:
    assert decide([{"condition": {"and": [cond("gt", "x", 1), cond("lt", "x", 9)]}}], INPUTS) == 0
    assert (
        decide(
            [{"condition": {"or": [cond("gt", "x", 7), cond("eq", "s", "hi")]}}, {"else": True}],
            INPUTS,
        )
        == 0
    )
    assert (
        decide(
            [{"condition": {"and": [cond("gt", "x", 7), cond("eq", "s", "hi")]}}, {"else": True}],
            INPUTS,
        )
        == 1
    )


def test_both_sides_of_a_conjunction_are_evaluated() -> None:
    bad = cond("gt", "b", True)  # gt on booleans: an error even when the left side decides
    with pytest.raises(StepError, match="not defined for boolean"):
        decide([{"condition": {"and": [cond("gt", "x", 7), bad]}}], INPUTS)
    with pytest.raises(StepError, match="not defined for boolean"):
        decide([{"condition": {"or": [cond("gt", "x", 1), bad]}}], INPUTS)


def test_first_true_case_wins_and_later_cases_are_not_evaluated() -> None:
    later_error = {"condition": cond("gt", "b", True)}
    cases = [{"condition": cond("eq", "x", 4)}, {"condition": cond("gte", "x", 5)}, later_error]
    assert decide(cases, INPUTS) == 1


def test_else_runs_when_no_case_holds() -> None:
    cases = [{"condition": cond("eq", "x", 1)}, {"condition": cond("eq", "x", 2)}, {"else": True}]
    assert decide(cases, INPUTS) == 2


def test_error_case_fails_with_its_message() -> None:
    with pytest.raises(StepError, match="^x must be small$"):
        decide([{"condition": cond("gt", "x", 9)}, {"error": "x must be small"}], INPUTS)


def test_no_case_and_no_else_fails() -> None:
    with pytest.raises(StepError, match="No branch satisfied"):
        decide([{"condition": cond("gt", "x", 9)}], INPUTS)


def test_unknown_variable_fails() -> None:
    with pytest.raises(StepError, match=r"Failed to find Value for Variable \[y\]"):
        decide([{"condition": cond("eq", "y", 1)}], INPUTS)


def test_branch_command_binds_and_prints_the_case(runtime: Runtime) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(5)))
    plan = '{"x": {"promise": {"node": "n0", "var": "o0"}}}'
    cases = [{"condition": cond("lt", "x", 3)}, {"condition": cond("lt", "x", 10)}, {"else": True}]
    ran = runtime("branch", "--node", "n1", "--plan", plan, "--cases", json.dumps(cases))
    assert (ran.status, ran.out.strip(), ran.err) == (0, "1", "")
    written = runtime.read_map(runtime.storage.inputs_path("n1"))
    assert written == literal_map(x=int_literal(5))


def test_branch_command_error_case_exits_1(runtime: Runtime) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(5)))
    plan = '{"x": {"promise": {"node": "n0", "var": "o0"}}}'
    cases = [{"condition": cond("lt", "x", 3)}, {"error": "too big"}]
    ran = runtime("branch", "--node", "n1", "--plan", plan, "--cases", json.dumps(cases))
    assert ran.status == 1
    assert "branch node 'n1': too big" in ran.err
    assert "Traceback" not in ran.err
