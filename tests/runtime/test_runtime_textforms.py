"""Parameter texts become the literals flytekit's TypeEngine makes, and defaults render back."""

from __future__ import annotations

import datetime
import enum
import math
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from flytekit import kwtypes
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset
from runtime_helpers import to_literal, to_literal_type

from fcomp.runtime.errors import StepError
from fcomp.runtime.textforms import literal_to_text, parse_parameter

UTC = datetime.UTC


class Color(enum.Enum):
    """An enum as flytekit users write them."""

    RED = "red"
    GREEN = "green"


@dataclass
class Inner:
    """A nested dataclass."""

    x: int
    y: float = 1.0


@dataclass
class Outer:
    """A dataclass with a nested dataclass, a list, a map and an optional."""

    name: str
    inner: Inner
    xs: list[int]
    m: dict[str, float] = field(default_factory=dict)
    opt: int | None = None


CsvFile = FlyteFile[typing.TypeVar("csv")]
TypedDataset = Annotated[StructuredDataset, kwtypes(a=int, b=str), "parquet"]
OUTER = Outer("n", Inner(1, 2.5), [1, 2], {"a": 2.0}, None)
OUTER_TEXT = (
    '{"name": "n", "inner": {"x": 1, "y": 2.5}, "xs": [1, 2], "m": {"a": 2.0}, "opt": null}'
)

#: (id, python type, python value, canonical text) - the text `literal_to_text` renders.
CASES: list[tuple[str, Any, Any, str]] = [
    ("int", int, 42, "42"),
    ("negative-int", int, -1, "-1"),
    ("float", float, 1.5, "1.5"),
    ("small-float", float, 1e-3, "0.001"),
    ("inf", float, math.inf, "inf"),
    ("str", str, "hello world", "hello world"),
    ("empty-str", str, "", ""),
    ("true", bool, True, "true"),
    ("false", bool, False, "false"),
    (
        "datetime",
        datetime.datetime,
        datetime.datetime(2024, 1, 31, 12, tzinfo=UTC),
        "2024-01-31T12:00:00Z",
    ),
    (
        "datetime-micro",
        datetime.datetime,
        datetime.datetime(2024, 1, 31, 12, 0, 0, 123456, UTC),
        "2024-01-31T12:00:00.123456Z",
    ),
    ("date", datetime.date, datetime.date(2024, 1, 31), "2024-01-31T00:00:00Z"),
    ("duration", datetime.timedelta, datetime.timedelta(seconds=90), "90"),
    ("duration-fraction", datetime.timedelta, datetime.timedelta(seconds=90.5), "90.5"),
    ("negative-duration", datetime.timedelta, datetime.timedelta(seconds=-1.5), "-1.5"),
    ("enum", Color, Color.GREEN, "green"),
    ("list", list[int], [1, 2], "[1, 2]"),
    ("empty-list", list[int], [], "[]"),
    ("dict", dict[str, float], {"a": 1.0, "b": 2.5}, '{"a": 1.0, "b": 2.5}'),
    ("dataclass", Outer, OUTER, OUTER_TEXT),
    ("list-of-dataclass", list[Inner], [Inner(1, 2.0)], '[{"x": 1, "y": 2.0}]'),
    ("untyped-dict", dict, {"a": 1, "b": [1, 2]}, '{"a": 1, "b": [1, 2]}'),
    ("file", FlyteFile, FlyteFile("s3://bucket/f.txt"), "s3://bucket/f.txt"),
    ("csv-file", CsvFile, CsvFile("s3://bucket/f.csv"), "s3://bucket/f.csv"),
    ("directory", FlyteDirectory, FlyteDirectory("s3://bucket/d"), "s3://bucket/d"),
    ("dataset", StructuredDataset, StructuredDataset(uri="s3://bucket/sd"), "s3://bucket/sd"),
    ("typed-dataset", TypedDataset, StructuredDataset(uri="gs://b/sd"), "gs://b/sd"),
    ("optional-none", typing.Optional[int], None, ""),  # noqa: UP045
    ("optional-value", typing.Optional[int], 5, "5"),  # noqa: UP045
    ("optional-str", typing.Optional[str], "x", "x"),  # noqa: UP045
    ("optional-list", typing.Optional[list[int]], [1, 2], "[1, 2]"),  # noqa: UP045
    ("union-int", typing.Union[int, str], 5, "5"),  # noqa: UP007
    ("union-str", typing.Union[int, str], "a", '"a"'),  # noqa: UP007
    ("union-str-digits", typing.Union[int, str], "5", '"5"'),  # noqa: UP007
    ("list-of-optional", list[typing.Optional[int]], [None, 1], "[null, 1]"),  # noqa: UP045
    ("union-float", typing.Union[int, float, None], 2.5, "2.5"),  # noqa: UP007
]


@pytest.mark.parametrize(
    ("python_type", "value", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_text_gives_the_literal_flytekit_makes(python_type: Any, value: Any, text: str) -> None:
    literal_type = to_literal_type(python_type)
    assert parse_parameter("x", text, literal_type) == to_literal(value, python_type)


@pytest.mark.parametrize(
    ("python_type", "value", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_default_renders_as_its_text(python_type: Any, value: Any, text: str) -> None:
    literal_type = to_literal_type(python_type)
    assert literal_to_text(to_literal(value, python_type), literal_type) == text


#: Other spellings the text forms accept: (id, python type, python value, text).
VARIANTS: list[tuple[str, Any, Any, str]] = [
    ("bool-capital", bool, True, "True"),
    ("bool-digit", bool, False, "0"),
    ("float-nan-spelling", float, math.inf, "Infinity"),
    (
        "naive-datetime-is-utc",
        datetime.datetime,
        datetime.datetime(2024, 1, 31, 12, tzinfo=UTC),
        "2024-01-31T12:00:00",
    ),
    (
        "offset-datetime",
        datetime.datetime,
        datetime.datetime(2024, 1, 31, 12, tzinfo=UTC),
        "2024-01-31T14:00:00+02:00",
    ),
    ("iso-duration", datetime.timedelta, datetime.timedelta(minutes=1, seconds=30), "PT1M30S"),
    ("iso-duration-days", datetime.timedelta, datetime.timedelta(days=1, hours=2), "P1DT2H"),
    ("dict-int-as-float", dict[str, float], {"a": 1.0}, '{"a": 1}'),
    ("dataclass-int-as-float", Inner, Inner(1, 2.0), '{"x": 1, "y": 2}'),
    ("union-raw-text", typing.Union[int, str], "abc", "abc"),  # noqa: UP007
    ("union-json-null", typing.Optional[typing.Union[int, str]], None, "null"),  # noqa: UP007,UP045
]


@pytest.mark.parametrize(
    ("python_type", "value", "text"), [c[1:] for c in VARIANTS], ids=[c[0] for c in VARIANTS]
)
def test_other_spellings(python_type: Any, value: Any, text: str) -> None:
    literal_type = to_literal_type(python_type)
    assert parse_parameter("x", text, literal_type) == to_literal(value, python_type)


def test_nan_parses() -> None:
    literal = parse_parameter("x", "nan", to_literal_type(float))
    assert math.isnan(literal.scalar.primitive.float_value)


#: Texts that must not parse: (python type, text, what the error says).
BAD: list[tuple[Any, str, str]] = [
    (int, "4.2", "Integer"),
    (int, "99999999999999999999", "64-bit"),
    (float, "one", "Float"),
    (bool, "yes", "true or false"),
    (datetime.datetime, "31/01/2024", "ISO 8601"),
    (datetime.timedelta, "P1Y", "ISO 8601 duration"),
    (datetime.timedelta, "1e999999999", "out of range"),
    (datetime.timedelta, "-400000000000", "out of range"),
    (Color, "blue", "red, green"),
    (list[int], "[1, 'a']", "JSON"),
    (list[int], '[1, "a"]', "[1]"),
    (dict[str, float], "[1]", "JSON object"),
    (Outer, '{"name": "n"}', "missing field 'inner'"),
    (Inner, '{"x": 1, "z": 2}', "unknown field 'z'"),
    (Inner, '{"x": 1.5}', "value.x: expected an integer"),
    (FlyteFile, "", "URI"),
    (typing.Union[int, float], "abc", "Union[Integer, Float]"),  # noqa: UP007
]


@pytest.mark.parametrize(("python_type", "text", "says"), BAD)
def test_bad_text_names_input_type_and_text(python_type: Any, text: str, says: str) -> None:
    with pytest.raises(StepError) as raised:
        parse_parameter("my_input", text, to_literal_type(python_type))
    message = raised.value.message
    assert "input 'my_input'" in message
    assert repr(text) in message
    assert says in message


def test_serialized_default_renders_for_callers_without_protobuf() -> None:
    from fcomp.runtime.codec import serialize
    from fcomp.runtime.textforms import serialized_literal_to_text

    literal, literal_type = to_literal([1, 2], list[int]), to_literal_type(list[int])
    assert serialized_literal_to_text(serialize(literal), serialize(literal_type)) == "[1, 2]"


def test_struct_type_without_msgpack_gives_a_struct() -> None:
    from flyteidl.core import types_pb2

    legacy = types_pb2.LiteralType(simple=types_pb2.SimpleType.STRUCT)  # flytekit before 1.14
    literal = parse_parameter("x", '{"a": 1, "b": [true]}', legacy)
    assert dict(literal.scalar.generic) == {"a": 1.0, "b": [True]}
    assert literal_to_text(literal, legacy) == '{"a": 1.0, "b": [true]}'
