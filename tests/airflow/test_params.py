"""DAG params from launch-plan inputs, and param values back to the runtime's text forms."""

from __future__ import annotations

import pytest

from fcomp.backends.airflow.params import (
    ParamSpec,
    param_specs,
    schema_for,
    text_from_value,
    value_from_text,
)
from fcomp.compiler import ir

INT = ir.Simple(simple=ir.SimpleType.INTEGER)
FLOAT = ir.Simple(simple=ir.SimpleType.FLOAT)
STR = ir.Simple(simple=ir.SimpleType.STRING)
BOOL = ir.Simple(simple=ir.SimpleType.BOOLEAN)
OPT_INT = ir.Union(variants=(INT, ir.NONE_TYPE))


@pytest.mark.parametrize(
    ("t", "schema"),
    [
        (INT, {"type": "integer"}),
        (FLOAT, {"type": "number"}),
        (STR, {"type": "string"}),
        (BOOL, {"type": "boolean"}),
        (ir.Collection(elem=INT), {"type": "array"}),
        (ir.MapOf(value=FLOAT), {"type": "object"}),
        (ir.EnumOf(values=("red", "blue")), {"type": "string", "enum": ["red", "blue"]}),
        (OPT_INT, {"type": ["integer", "null"]}),
        (ir.Union(variants=(INT, STR)), {}),
        (ir.Simple(simple=ir.SimpleType.DATETIME), {"type": "string"}),
    ],
)
def test_schema_per_type(t: ir.LiteralType, schema: dict[str, object]) -> None:
    assert schema_for(t) == schema


@pytest.mark.parametrize(
    ("text", "t", "value"),
    [
        ("42", INT, 42),
        ("-1", INT, -1),
        ("1.5", FLOAT, 1.5),
        ("nan", FLOAT, "nan"),
        ("true", BOOL, True),
        ("False", BOOL, False),
        ("[1, 2]", ir.Collection(elem=INT), [1, 2]),
        ('{"a": 1.0}', ir.MapOf(value=FLOAT), {"a": 1.0}),
        ("", OPT_INT, None),
        ("7", OPT_INT, 7),
        ("{{ x }}", STR, "{{ x }}"),
        ("not json", ir.Collection(elem=INT), "not json"),
    ],
)
def test_value_from_text(text: str, t: ir.LiteralType, value: object) -> None:
    assert value_from_text(text, schema_for(t)) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), ("s", "s"), (True, "true"), (3, "3"), (1.5, "1.5"), ([1, "a"], '[1, "a"]')],
)
def test_text_from_value(value: object, text: str) -> None:
    assert text_from_value(value) == text


def _lp(*params: ir.Parameter, fixed: tuple[tuple[str, ir.Literal], ...] = ()) -> ir.LaunchPlan:
    return ir.LaunchPlan(
        id=ir.Ident(ir.ResourceType.LAUNCH_PLAN, "lp"),
        workflow=ir.Ident(ir.ResourceType.WORKFLOW, "wf"),
        default_inputs=params,
        fixed_inputs=fixed,
    )


def test_param_specs_defaults_fixed_and_required() -> None:
    x, y, z, w = (
        ir.Variable("x", INT, "the x"),
        ir.Variable("y", STR),
        ir.Variable("z", OPT_INT),
        ir.Variable("w", FLOAT),
    )
    wf = ir.Workflow(
        ir.Ident(ir.ResourceType.WORKFLOW, "wf"), ir.Interface.of([x, y, z, w], []), ()
    )
    lp = _lp(
        ir.Parameter(x, ir.Literal(b"", INT, text="3")),
        ir.Parameter(y, required=True),
        ir.Parameter(z),
        ir.Parameter(w, ir.Literal(b"opaque", FLOAT)),
        fixed=(("y", ir.Literal(b"", STR, text="fixed")),),
    )
    specs = {s.name: s for s in param_specs(lp, wf)}
    assert set(specs) == {"x", "z", "w"}  # y is fixed: not a param
    assert specs["x"] == ParamSpec("x", 3, True, {"type": "integer"}, "the x")
    assert specs["z"] == ParamSpec("z", None, True, {"type": ["integer", "null"]}, "")
    # a default without a text form: null stands for the launch plan's default
    assert specs["w"] == ParamSpec("w", None, True, {"type": ["number", "null"]}, "")
