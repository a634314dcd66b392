"""Value conversions Argo applies to strings: durations, int-or-string fields, Go formatting.

Argo is written in Go, so parameter values, loop item labels and JSON aggregates are rendered the
way Go's ``fmt`` (``%v``) and ``encoding/json`` render them. These helpers reproduce that, so a
local run produces the same strings a cluster run would.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def parse_duration(value: object) -> float:
    """Seconds in an Argo duration: a number of seconds (``20``, ``"20"``) or a Go duration
    (``"10s"``, ``"1m30s"``, ``"100ms"``, ``"2h"``).

    Raises ``ValueError`` for anything else.
    """
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"invalid duration {value!r}")
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    pos, total = 0, 0.0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if match is None:
            raise ValueError(f"invalid duration {value!r}")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if not body:
        raise ValueError(f"invalid duration {value!r}")
    return sign * total


def parse_int(value: object, what: str) -> int:
    """An IntOrString field (``3`` or ``"3"``) as an int; ``ValueError`` names ``what``."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{what}: expected an integer, got {value!r}")


def go_float(value: float) -> str:
    """A float as Go's ``%v`` / ``strconv.FormatFloat(f, 'g', -1, 64)`` style prints it."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        digits = exponent.lstrip("+-").rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    return text


def go_string(value: Any) -> str:
    """Render a JSON-like value as Argo puts it into a parameter: strings as they are, numbers
    and booleans as Go prints them, lists and maps as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if value is None:
        return "null"
    return go_json(value)


def go_json(value: Any) -> str:
    """Compact JSON as Go's ``json.Marshal`` writes it: sorted map keys, UTF-8 kept, and
    ``<``, ``>``, ``&``, U+2028, U+2029 escaped."""
    text = json.dumps(_go_numbers(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _go_numbers(value: Any) -> Any:
    """Integral floats as ints, since Go's JSON writes ``1.0`` as ``1``."""
    if (
        isinstance(value, float)
        and math.isfinite(value)
        and value.is_integer()
        and abs(value) < 1e21
    ):
        return int(value)
    if isinstance(value, list):
        return [_go_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _go_numbers(item) for key, item in value.items()}
    return value


def parse_json_or_string(text: str) -> Any:
    """``text`` parsed as JSON when it is valid JSON, else ``text`` itself (how Argo aggregates
    the outputs of a fan-out)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_file_name(name: str) -> str:
    """A file-system-safe, collision-free rendering of a node name."""
    safe = _UNSAFE.sub("_", name) or "_"
    if safe == name:
        return safe
    return f"{safe}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
