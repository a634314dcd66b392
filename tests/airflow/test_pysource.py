"""The source writer: literals evaluate to exactly the value, names are checked, the layout
is fixed, and every module it writes is valid Python."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fcomp.backends.airflow import pysource as ps

HOSTILE = [
    "plain",
    "quote ' and \" both",
    "triple ''' and \"\"\" quotes",
    "new\nline\rreturn\r\nboth",
    "{{ ds }} {% if x %}{# c #}",
    "__import__('os').system('echo pwned')",
    "back\\slash \\n not a newline",
    "unicode é 漢字 🎉 \u2028 \u2029 \x00 \x85",
    "\ud800 lone surrogate",
    "#!/bin/sh\n# comment",
    "",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_strings_round_trip(value: str) -> None:
    text = ps.expr({"k": [value, (value,)], value: ps.call("f", value, kw=value)})
    tree = ast.parse(text, mode="eval")
    call = tree.body.keys[1]  # type: ignore[attr-defined]
    assert ast.literal_eval(call) == value
    assert ast.literal_eval(tree.body.values[0]) == [value, (value,)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "value", [0, -1, 2**70, 1.5, float("inf"), float("-inf"), True, False, None, 1e-300]
)
def test_scalars_round_trip(value: object) -> None:
    text = ps.expr([value])
    assert eval(text, {"__builtins__": {"float": float}}) == [value]


def test_nan_is_written_as_a_call() -> None:
    assert ps.literal(float("nan")) == "float('nan')"


@pytest.mark.parametrize("name", ["a b", "x;y", "import", "é", "1a", "a.b-c", ""])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ps.SourceError):
        ps.Name(name)
    with pytest.raises(ps.SourceError):
        ps.call("f", **{name: 1})


def test_objects_are_not_literals() -> None:
    with pytest.raises(ps.SourceError):
        ps.expr([object()])  # type: ignore[list-item]


def test_long_calls_break_one_item_per_line() -> None:
    text = ps.expr(ps.call("DAG", dag_id="x" * 60, tags=["a", "b"], params={"p": 1}))
    assert text == (
        f"DAG(\n    dag_id='{'x' * 60}',\n    tags=['a', 'b'],\n    params={{'p': 1}},\n)"
    )


def test_module_is_valid_python_and_comments_cannot_escape() -> None:
    hostile = "x\ny = __import__('os')"
    text = ps.module(
        "Doc.",
        [ps.comment(hostile)],
        {"datetime": set(), "airflow.sdk": {"DAG", "Param"}},
        [ps.With(ps.call("DAG", hostile), "dag", (ps.Assign("a", hostile),))],
    )
    tree = ast.parse(text)
    assert [type(s).__name__ for s in tree.body] == ["Expr", "Import", "ImportFrom", "With"]
    assert "from airflow.sdk import DAG, Param" in text
    with pytest.raises(ps.SourceError):
        ps.module('Doc """ escape', [], {}, [])
    with pytest.raises(ps.SourceError):
        ps.module("Doc.", ["not a comment"], {}, [])


def _reference_layout(value: ps.Expr, indent: str = "") -> str:
    """The layout by its definition: the one-line text when it fits in ``LINE`` at
    ``indent`` (or the value cannot break), else one item per line, each laid out alike."""
    flat = ps._flat(value)
    if len(indent) + len(flat) <= ps.LINE or not isinstance(value, ps.Call | list | tuple | dict):
        return flat
    opening, _closing, items = ps._items(value)
    if not items:
        return flat
    inner = indent + ps.INDENT
    lines = []
    for item in items:
        if isinstance(item, ps._Kw):
            text = item.key + "=" + _reference_layout(item.value, inner)
        elif isinstance(item, ps._Pair):
            text = _reference_layout(item.key, inner) + ": " + _reference_layout(item.value, inner)
        else:
            text = _reference_layout(item, inner)
        lines.append(inner + text + ",")
    closing = "]" if isinstance(value, list) else "}" if isinstance(value, dict) else ")"
    return opening + "\n" + "\n".join(lines) + "\n" + indent + closing


_scalars = st.one_of(
    st.text(max_size=30), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)
)
_names = st.sampled_from(["f", "op", "DAG", "datetime.timedelta", "a_long_function_name"])
_keys = st.sampled_from(["k", "task_id", "arguments", "x" * 40])
_exprs = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=12), inner, max_size=5),
        st.builds(
            lambda name, args, kwargs: ps.call(name, *args, **kwargs),
            _names,
            st.lists(inner, max_size=3),
            st.dictionaries(_keys, inner, max_size=3),
        ),
    ),
    max_leaves=60,
)


@settings(max_examples=400, deadline=None)
@given(_exprs, st.integers(0, 100))
def test_layout_is_the_defined_one(value: ps.Expr, width: int) -> None:
    """Deciding whether a value fits on a line stops early; the text is the layout's
    definition all the same, at every indent (and still evaluates to the value)."""
    indent = " " * width
    text = ps.expr(value, indent)
    assert text == _reference_layout(value, indent)
    ast.parse(text, mode="eval")


@pytest.mark.parametrize("width", range(0, 2 * ps.LINE, 7))
def test_layout_at_every_line_length(width: int) -> None:
    """Values whose one-line text passes the line length by one character at some point, in
    every position (keyword, dict key and value, list item, nested call)."""
    fill = "x" * width
    values: list[ps.Expr] = [
        ps.call("f", kw=fill),
        ps.call("f", fill, kw=[fill, 1]),
        {fill: 1, "k": fill},
        [fill, (fill,), {"a": ps.call("g", x=fill)}],
        ps.call("outer", inner=ps.call("inner", a=fill, b=[1, 2, fill])),
    ]
    for value in values:
        for shift in range(7):
            indent = " " * shift
            assert ps.expr(value, indent) == _reference_layout(value, indent), (value, shift)
