"""Binding plans resolve to the literals propeller would bind, for every plan kind."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import struct_pb2
from runtime_helpers import (
    Runtime,
    b64,
    int_literal,
    literal_map,
    to_literal,
    to_literal_type,
    to_python,
    union_type,
)

from fcomp.runtime.errors import StepError
from fcomp.runtime.plans import Resolver
from fcomp.runtime.structs import pack


@dataclass
class Inner:
    """A nested dataclass."""

    x: int
    tags: dict[str, str]


@dataclass
class Record:
    """A dataclass output with nested values to walk into."""

    name: str
    inner: Inner
    xs: list[int]
    scores: dict[str, float]


RECORD = Record("r", Inner(7, {"k": "v"}), [10, 20, 30], {"a": 0.5})


@pytest.fixture
def resolver(runtime: Runtime) -> Resolver:
    """A resolver with upstream outputs in place: n0 (primitives, lists, maps) and n1 (record)."""
    runtime.put_outputs(
        "n0",
        literal_map(
            o0=int_literal(3),
            o1=to_literal([[1, 2], [3]], list[list[int]]),
            o2=to_literal({"a": [1, 2]}, dict[str, list[int]]),
        ),
    )
    runtime.put_outputs("n1", literal_map(o0=to_literal(RECORD, Record)))
    return Resolver(runtime.storage)


def promise(node: str, var: str, **extra: Any) -> dict[str, Any]:
    """A promise value plan."""
    return {"promise": {"node": node, "var": var, **extra}}


def test_promise(resolver: Resolver) -> None:
    assert resolver.value(promise("n0", "o0")) == int_literal(3)


def test_promise_index_picks_a_list_element(resolver: Resolver) -> None:
    assert resolver.value(promise("n0", "o1", index=1)) == to_literal([3], list[int])


def test_promise_path_walks_lists_and_maps(resolver: Resolver) -> None:
    assert resolver.value(promise("n0", "o2", path=["a", 1])) == int_literal(2)
    assert resolver.value(promise("n0", "o1", index=0, path=[1])) == int_literal(2)


@pytest.mark.parametrize(
    ("path", "python_type", "expected", "form"),
    [
        (["name"], str, "r", "string_value"),
        (["inner"], Inner, RECORD.inner, "msgpack"),
        (["inner", "x"], int, 7, "integer"),
        (["inner", "tags", "k"], str, "v", "string_value"),
        (["inner", "tags"], dict[str, str], {"k": "v"}, "msgpack"),
        (["xs", 2], int, 30, "integer"),
        (["xs"], list[int], [10, 20, 30], "collection"),
        (["scores", "a"], float, 0.5, "float_value"),
    ],
)
def test_attr_path_into_a_flytekit_dataclass(
    resolver: Resolver, path: list[Any], python_type: Any, expected: Any, form: str
) -> None:
    literal = resolver.value(promise("n1", "o0", path=path))
    # As propeller (Flyte 1.15 on): a leaf becomes a primitive, a list a collection of msgpack
    # elements, anything else msgpack again; flytekit reads each form back.
    if form == "msgpack":
        assert literal.scalar.binary.tag == "msgpack"
    elif form == "collection":
        items = literal.collection.literals
        assert [item.scalar.binary.tag for item in items] == ["msgpack"] * len(expected)
    else:
        assert literal.scalar.primitive.WhichOneof("value") == form
    assert to_python(literal, python_type) == expected


def test_attr_path_to_a_huge_integer_fails_as_propeller_does(runtime: Runtime) -> None:
    value = literals_pb2.Literal()
    value.scalar.binary.value = pack({"big": 2**64 - 1, "ok": -(2**63)})
    value.scalar.binary.tag = "msgpack"
    runtime.put_outputs("n3", literal_map(o0=value))
    resolver = Resolver(runtime.storage)
    assert resolver.value(promise("n3", "o0", path=["ok"])).scalar.primitive.integer == -(2**63)
    with pytest.raises(StepError) as raised:
        resolver.value(promise("n3", "o0", path=["big"]))
    assert "too large to be converted to int64" in raised.value.message


def test_attr_path_into_a_struct_gives_literals_as_propeller_does(runtime: Runtime) -> None:
    value = literals_pb2.Literal()
    value.scalar.generic.CopyFrom(struct_pb2.Struct())
    value.scalar.generic.update({"a": {"b": [1, "x", True]}, "n": 2})
    runtime.put_outputs("n2", literal_map(o0=value))
    resolver = Resolver(runtime.storage)
    listed = resolver.value(promise("n2", "o0", path=["a", "b"]))
    kinds = [item.scalar.primitive.WhichOneof("value") for item in listed.collection.literals]
    assert kinds == ["float_value", "string_value", "boolean"]  # numbers are floats in a Struct
    nested = resolver.value(promise("n2", "o0", path=["a"]))
    assert dict(nested.scalar.generic)["b"] == [1.0, "x", True]


@pytest.mark.parametrize(
    ("plan", "says"),
    [
        (promise("n1", "o0", path=["nope"]), "key ['nope'] does not exist"),
        (promise("n1", "o0", path=["xs", 9]), "index [9] is out of range"),
        (promise("n0", "o2", path=["b"]), "key ['b'] does not exist"),
        (promise("n0", "o0", path=["a"]), "cannot take ['a'] of a primitive value"),
        (promise("n0", "o0", index=0), "node 'n0' output 'o0' is not a list"),
        (promise("n0", "o1", index=5), "node 'n0' output 'o1': index [5] is out of range"),
        ({"pick": {"of": promise("n0", "o0"), "path": [0]}}, "the picked value: attribute path"),
        ({"pick": {"index": 0}}, "a pick needs 'of'"),
        (promise("n0", "o9"), "node 'n0' has no output 'o9'"),
        ({"promise": {"node": "n0"}}, "needs 'node' and 'var'"),
        ({"literal": "!!"}, "not valid base64"),
        ({"nope": 1}, "exactly one of"),
        ({"list": [], "map": {}}, "exactly one of"),
    ],
)
def test_bad_plans_fail_clearly(resolver: Resolver, plan: Any, says: str) -> None:
    with pytest.raises(StepError) as raised:
        resolver.value(plan)
    assert says in raised.value.message


def test_missing_upstream_names_the_node_path(resolver: Resolver) -> None:
    with pytest.raises(StepError) as raised:
        resolver.resolve({"x": promise("n3/n1-n0", "o0")}, "n4")
    message = raised.value.message
    assert "node 'n4', input 'x'" in message
    assert "node 'n3/n1-n0' has no outputs" in message
    assert "/run-1/n3/n1-n0/data/" in message


def test_pick_applies_index_and_path_to_any_plan(resolver: Resolver) -> None:
    of = {"first": [promise("n9", "o0"), promise("n0", "o1")]}
    assert resolver.value({"pick": {"of": of, "index": 0, "path": [1]}}) == int_literal(2)
    record = {"pick": {"of": promise("n1", "o0"), "path": ["inner", "x"]}}
    assert to_python(resolver.value(record), int) == 7


def test_literal_list_and_map(resolver: Resolver) -> None:
    plan = {
        "map": {
            "k": {"list": [promise("n0", "o0"), {"literal": b64(int_literal(4))}]},
            "j": {"list": []},
        }
    }
    expected = to_literal({"k": [3, 4], "j": []}, dict[str, list[int]])
    assert resolver.value(plan) == expected


def test_first_takes_the_alternative_that_ran(resolver: Resolver) -> None:
    plan = {"first": [promise("n5-n0", "o0"), promise("n0", "o0"), promise("n1", "o0")]}
    assert resolver.value(plan) == int_literal(3)


def test_first_with_no_outputs_anywhere_fails(resolver: Resolver) -> None:
    with pytest.raises(StepError) as raised:
        resolver.value({"first": [promise("n5-n0", "o0"), promise("n5-n1", "o0")]})
    assert "n5-n0, n5-n1" in raised.value.message


def test_offloaded(resolver: Resolver) -> None:
    int_type = to_literal_type(int)
    literal = resolver.value({"offloaded": {"uri": "s3://b/x", "size": 12, "type": b64(int_type)}})
    assert literal.offloaded_metadata.uri == "s3://b/x"
    assert literal.offloaded_metadata.size_bytes == 12
    assert literal.offloaded_metadata.inferred_type == int_type


@pytest.mark.parametrize(
    ("plan", "python_type", "value"),
    [
        (promise("n0", "o0"), typing.Optional[int], 3),  # noqa: UP045
        ({"literal": b64(to_literal(None, typing.Optional[int]))}, typing.Optional[int], None),  # noqa: UP045
        (promise("n0", "o0"), typing.Union[str, int], 3),  # noqa: UP007
        (promise("n0", "o1", index=0), typing.Optional[list[int]], [1, 2]),  # noqa: UP045
        (promise("n1", "o0"), typing.Optional[Record], RECORD),  # noqa: UP045
    ],
)
def test_union_wrapping_matches_flytekit(
    resolver: Resolver, plan: dict[str, Any], python_type: Any, value: Any
) -> None:
    wrapped = resolver.value({**plan, "union": b64(to_literal_type(python_type))})
    assert wrapped == to_literal(value, python_type)


def test_none_wraps_into_the_none_variant(resolver: Resolver) -> None:
    none = literals_pb2.Literal()
    none.scalar.none_type.SetInParent()
    optional = to_literal_type(typing.Optional[int])  # noqa: UP045
    wrapped = resolver.value({"literal": b64(none), "union": b64(optional)})
    assert wrapped == to_literal(None, typing.Optional[int])  # noqa: UP045


def test_union_value_with_no_matching_variant_fails(resolver: Resolver) -> None:
    string = types_pb2.LiteralType(simple=types_pb2.SimpleType.STRING)
    with pytest.raises(StepError) as raised:
        resolver.value({**promise("n0", "o0"), "union": b64(union_type(string))})
    assert "not of any variant of Union[String]" in raised.value.message
