"""Go-compatible value rendering and Argo durations."""

from __future__ import annotations

import pytest

from fcomp.backends.argo.local.values import (
    go_float,
    go_json,
    go_string,
    parse_duration,
    parse_int,
    safe_file_name,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("20", 20.0),
        (20, 20.0),
        ("1s", 1.0),
        ("1m30s", 90.0),
        ("100ms", 0.1),
        ("2h", 7200.0),
        ("1.5s", 1.5),
        ("0", 0.0),
    ],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "1x", "s", "ten", True, None])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_parse_int() -> None:
    assert parse_int("3", "limit") == 3
    assert parse_int(4, "limit") == 4
    with pytest.raises(ValueError, match="limit: expected an integer"):
        parse_int("x", "limit")


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (1.5, "1.5"), (1e21, "1e+21"), (1e-7, "1e-07"), (float("inf"), "+Inf")],
)
def test_go_float(value: float, text: str) -> None:
    assert go_float(value) == text


def test_go_string_and_json() -> None:
    assert go_string("a") == "a"
    assert go_string(True) == "true"
    assert go_string(None) == "null"
    assert go_string({"b": 1, "a": [1.0, "<&>"]}) == '{"a":[1,"\\u003c\\u0026\\u003e"],"b":1}'
    assert go_json("é") == '"é"'


def test_safe_file_name() -> None:
    assert safe_file_name("a.b-c") == "a.b-c"
    assert safe_file_name("a(0:x y)").startswith("a_0_x_y_-")
    assert safe_file_name("a(0:x y)") != safe_file_name("a(0:x_y)")
