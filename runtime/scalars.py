"""Primitive values as text: integers, floats, booleans, datetimes, durations (both directions)."""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from google.protobuf import duration_pb2, timestamp_pb2


class FormError(ValueError):
    """A value does not have the form its type needs; the message says what was expected."""


_INT = re.compile(r"[+-]?\d+")
_INT64 = (-(2**63), 2**63 - 1)
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
_ISO_DURATION = re.compile(
    r"(?P<sign>[+-])?P(?:(?P<W>\d+(?:\.\d+)?)W)?(?:(?P<D>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<S>\d+(?:\.\d+)?)S)?)?"
)
_UNIT_SECONDS = {"W": 604800, "D": 86400, "H": 3600, "M": 60, "S": 1}
_NANOS = 10**9
_MAX_DURATION_SECONDS = 315_576_000_000  # google.protobuf.Duration's range, about 10,000 years


def parse_int(text: str) -> int:
    """A decimal integer within int64."""
    if not _INT.fullmatch(text.strip()):
        raise FormError("expected a decimal integer")
    return check_int64(int(text))


def check_int64(value: int) -> int:
    """``value`` if it fits Flyte's 64-bit integer."""
    if not _INT64[0] <= value <= _INT64[1]:
        raise FormError("integer out of the 64-bit range")
    return value


def parse_float(text: str) -> float:
    """Python float syntax (``1.5``, ``1e-3``, ``nan``, ``inf``)."""
    try:
        return float(text)
    except ValueError:
        raise FormError("expected a number (Python float syntax)") from None


def parse_bool(text: str) -> bool:
    """``true``/``false`` (any case) or ``1``/``0``."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FormError("expected true or false")


def parse_datetime(text: str) -> Any:
    """RFC 3339 / ISO 8601 as a ``Timestamp``; no zone means UTC."""
    stamp = timestamp_pb2.Timestamp()
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        try:  # nanosecond fractions, which datetime cannot hold
            stamp.FromJsonString(text.strip())
        except ValueError:
            raise FormError("expected an ISO 8601 date-time such as 2024-01-31T12:00:00Z") from None
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    stamp.FromDatetime(moment)
    return stamp


def format_datetime(stamp: Any) -> str:
    """RFC 3339 in UTC with ``Z``, fraction only when there is one."""
    return str(stamp.ToJsonString())


def _seconds_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FormError("expected seconds as a number or an ISO 8601 duration (PT1M30S)") from None
    if not value.is_finite():
        raise FormError("a duration must be finite")
    return value


def _iso_duration(match: re.Match[str]) -> Decimal:
    total = sum(
        (Decimal(match[unit]) * seconds for unit, seconds in _UNIT_SECONDS.items() if match[unit]),
        Decimal(0),
    )
    return -total if match["sign"] == "-" else total


_CLOCK = re.compile(r"([+-]?)(?:(\d+)\s+days?,\s*)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)")


def parse_duration(text: str) -> Any:
    """Seconds (``90``, ``1.5``), ISO 8601 (``PT1M30S``) or the clock form Python and
    ``pyflyte run`` print (``1:30:00``, ``2 days, 0:00:01``) as a ``Duration``."""
    stripped = text.strip()
    upper = stripped.upper()
    clock = _CLOCK.fullmatch(stripped)
    if clock:
        sign, days, hours, minutes, secs = clock.groups()
        total = (
            Decimal(days or 0) * 86400
            + Decimal(hours) * 3600
            + Decimal(minutes) * 60
            + Decimal(secs)
        )
        return duration_from_seconds(-total if sign == "-" else total)
    if "P" not in upper:
        return duration_from_seconds(_seconds_decimal(stripped))
    match = _ISO_DURATION.fullmatch(upper)
    if not match or upper.lstrip("+-") in ("P", "PT") or upper.endswith("T"):
        raise FormError("expected seconds as a number or an ISO 8601 duration (PT1M30S)")
    return duration_from_seconds(_iso_duration(match))


def duration_from_seconds(seconds: Decimal | float | int) -> Any:
    """A ``Duration`` of that many seconds (nanosecond precision, truncated)."""
    value = Decimal(str(seconds))
    if value.copy_abs() > _MAX_DURATION_SECONDS:  # before arithmetic, which 1e999999 overflows
        raise FormError("duration out of range")
    nanos = int(value * _NANOS)
    duration = duration_pb2.Duration()
    try:
        duration.FromNanoseconds(nanos)
    except (ValueError, OverflowError):
        raise FormError("duration out of range") from None
    return duration


def duration_seconds(duration: Any) -> Decimal:
    """A ``Duration`` as exact decimal seconds."""
    return Decimal(duration.seconds * _NANOS + duration.nanos).scaleb(-9)


def format_duration(duration: Any) -> str:
    """Seconds as a plain decimal (``90``, ``90.5``, ``-1.5``)."""
    return format(duration_seconds(duration).normalize(), "f")


def format_float(value: float) -> str:
    """Python float syntax that reads back to the same float."""
    return repr(value)


def json_float(value: float) -> float | str:
    """A float for JSON: non-finite values become the strings ``nan``, ``inf``, ``-inf``."""
    return value if math.isfinite(value) else repr(value)
