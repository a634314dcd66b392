"""The source writer: literals evaluate to exactly the value, names are checked, the layout
is fixed, and every module it writes is valid Python."""

from __future__ import annotations

import ast

import pytest

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
