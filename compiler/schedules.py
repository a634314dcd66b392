"""Launch-plan schedules as Flyte's schedulers read them, checked and rewritten into the one
form both targets run the same way: five standard cron fields, or a fixed period in seconds.

A ``CronSchedule.schedule`` is read like Flyte's native scheduler (robfig/cron's standard
parser): five fields (minute, hour, day of month, month, day of week; ``*``/``?``, lists,
ranges, steps, month and day names in any case), or a descriptor (``@yearly``/``@annually``,
``@monthly``, ``@weekly``, ``@daily``/``@midnight``, ``@hourly``, ``@every <Go duration>``).
The deprecated ``cron_expression`` is read like the AWS scheduler it was made for: six fields
(the last one the year), day of week 1-7 from Sunday, ``?`` in the day of month or the day of
week. Descriptors become their five fields; AWS days of week move to 0-6. A fixed rate is
a period Go's ``time.Duration`` holds (what Flyte's scheduler and Argo keep it in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fcomp.compiler import ir


class CronError(ValueError):
    """A schedule Flyte's scheduler would not run; ``unsupported`` when it is a valid AWS
    expression that five standard fields cannot express (``L``, ``W``, ``#``, a year)."""

    def __init__(self, message: str, *, unsupported: bool = False) -> None:
        super().__init__(message)
        self.unsupported = unsupported


@dataclass(frozen=True, slots=True)
class Cron:
    """A schedule in the form both targets run: ``fields`` (five standard cron fields) or,
    for ``@every``, ``every_seconds``."""

    fields: str = ""
    every_seconds: int = 0


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names of low, low + 1, ...


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_STANDARD = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, _MONTHS),
    _Field("day of week", 0, 6, _DAYS),
)
_AWS = (*_STANDARD[:4], _Field("day of week", 1, 7, _DAYS), _Field("year", 1970, 2199))
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_EVERY = "@every "
# Go's strconv.Atoi without a minus (robfig refuses those), and short enough for an int.
_NUMBER = re.compile(r"\+?[0-9]{1,18}")


def _value(text: str, part: str, field: _Field) -> int:
    """A number or a name (any case) of ``field`` in the element ``part``."""
    upper = text.upper()
    if upper in field.names:
        return field.low + field.names.index(upper)
    if not _NUMBER.fullmatch(text):
        raise CronError(f"{field.name}: '{part}' is not a value, range or step of this field")
    return int(text)


def _element(part: str, field: _Field) -> tuple[range, bool]:
    """The values one comma-separated element of a field matches, as robfig reads it, and
    robfig's star bit (``*`` or ``?`` with no step over one)."""
    range_text, *steps = part.split("/")
    if len(steps) > 1:
        raise CronError(f"{field.name}: too many slashes in '{part}'")
    star = range_text in ("*", "?")
    if star:
        start, end = field.low, field.high
    else:
        bounds = range_text.split("-")
        if len(bounds) > 2:
            raise CronError(f"{field.name}: too many hyphens in '{part}'")
        start = _value(bounds[0], part, field)
        end = _value(bounds[1], part, field) if len(bounds) == 2 else start
        if steps and len(bounds) == 1:  # "5/10" runs from 5 to the field's end
            end = field.high
    step = 1
    if steps:
        if not _NUMBER.fullmatch(steps[0]):
            raise CronError(f"{field.name}: step '{steps[0]}' is not a number")
        step = int(steps[0])
        if step == 0:
            raise CronError(f"{field.name}: the step of '{part}' must be positive")
    if start < field.low:
        raise CronError(f"{field.name}: {start} is below the minimum {field.low}")
    if end > field.high:
        raise CronError(f"{field.name}: {end} is above the maximum {field.high}")
    if start > end:
        raise CronError(f"{field.name}: '{part}' begins after it ends")
    return range(start, end + 1, step), star and step == 1


def _field(text: str, field: _Field, shift: int = 0) -> str:
    """A checked field in numbers (``shift`` added): ``*`` when it has robfig's star bit,
    else its values as one stepped range (``*/5``, ``5-55/10``) or as a list with runs of
    three or more as ranges (``1-5,10,20``). These read the same in every cron dialect;
    names, open steps (``5/10``) and ``a-a`` ranges do not all do."""
    values: set[int] = set()
    star = False
    for element in text.split(","):
        matched, element_star = _element(element, field)
        values.update(matched)
        star = star or element_star
    if star:
        return "*"
    ordered = sorted(v + shift for v in values)
    steps = {b - a for a, b in zip(ordered, ordered[1:], strict=False)}
    if len(ordered) > 2 and len(steps) == 1 and (step := steps.pop()) > 1:
        whole = ordered[0] == field.low + shift and ordered[-1] + step > field.high + shift
        return f"*/{step}" if whole else f"{ordered[0]}-{ordered[-1]}/{step}"
    runs: list[list[int]] = []
    for v in ordered:
        if runs and runs[-1][-1] == v - 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return ",".join(
        f"{run[0]}-{run[-1]}" if len(run) > 2 else ",".join(map(str, run)) for run in runs
    )


# Go's time.ParseDuration units, in nanoseconds.
_GO_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9}
_GO_UNITS |= {"m": 60 * 10**9, "h": 3600 * 10**9}
_GO_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")
_GO_DIGITS = 30  # past int64 nanoseconds in any unit; longer fractions add nothing Go keeps
_GO_MAX = 2**63 - 1


def go_duration_ns(text: str) -> int:
    """Go's ``time.ParseDuration`` (``1h30m``, ``90s``, ``-1.5h``) in nanoseconds."""
    rest = text
    sign = -1 if rest.startswith("-") else 1
    rest = rest[1:] if rest[:1] in ("-", "+") else rest
    if rest == "0":
        return 0
    if not rest:
        raise CronError(f"invalid duration '{text}'")
    total = 0
    while rest:
        match = _GO_PART.match(rest)
        assert match is not None  # every group may be empty
        whole, fraction, unit = match.groups()
        if not whole and not fraction or unit not in _GO_UNITS:
            raise CronError(f"invalid duration '{text}'")
        if len(whole.lstrip("0")) > _GO_DIGITS:
            raise CronError(f"invalid duration '{text}': longer than Go's time.Duration holds")
        digits = (fraction or "")[:_GO_DIGITS]
        scale = _GO_UNITS[unit]
        # Exact integer nanoseconds, the fraction truncated as Go truncates it.
        total += int(whole or 0) * scale + int(digits or 0) * scale // 10 ** len(digits)
        rest = rest[match.end() :]
    nanos = total
    if nanos > _GO_MAX:
        raise CronError(f"invalid duration '{text}': longer than Go's time.Duration holds")
    return sign * nanos


def parse_standard(text: str) -> Cron:
    """A ``CronSchedule.schedule`` as Flyte's native scheduler reads it."""
    if not text:
        raise CronError("empty cron schedule")
    if text.startswith(("TZ=", "CRON_TZ=")):
        raise CronError(
            "a time zone prefix is not supported: the schedule runs in UTC", unsupported=True
        )
    if text.startswith("@"):
        if text.startswith(_EVERY):
            nanos = go_duration_ns(text[len(_EVERY) :])
            # robfig runs periods under a second every second and drops fractions of one.
            return Cron(every_seconds=max(1, nanos // 10**9))
        fields = _DESCRIPTORS.get(text)
        if fields is None:
            raise CronError(f"unrecognized descriptor '{text}'")
        return Cron(fields=fields)
    parts = text.split()
    if len(parts) != len(_STANDARD):
        raise CronError(f"expected exactly 5 fields, found {len(parts)}: '{text}'")
    return Cron(fields=" ".join(_field(p, f) for p, f in zip(parts, _STANDARD, strict=True)))


# AWS's day-of-month and day-of-week forms that five standard fields cannot express.
_AWS_SPECIAL = {
    "day of month": re.compile(r"L|LW|[0-9]+W|L-[0-9]+", re.IGNORECASE),
    "day of week": re.compile(r"L|([0-9]+|[A-Z]{3})(L|#[0-9]+)", re.IGNORECASE),
}


def parse_aws(text: str) -> Cron:
    """The deprecated ``cron_expression`` (AWS form) as five standard fields."""
    parts = text.split()
    if len(parts) != len(_AWS):
        raise CronError(
            "expected 6 fields (minute hour day-of-month month day-of-week year), "
            f"found {len(parts)}: '{text}'"
        )
    if (parts[2] == "?") == (parts[4] == "?"):
        raise CronError("exactly one of day of month and day of week must be '?'")
    fields = []
    for part, field in zip(parts, _AWS, strict=True):
        special = _AWS_SPECIAL.get(field.name)
        for element in part.split(","):
            if special is not None and special.fullmatch(element):
                raise CronError(
                    f"{field.name}: '{element}' has no five-field cron equivalent",
                    unsupported=True,
                )
            if element.startswith("?") and special is None:
                raise CronError(f"{field.name}: '?' is allowed only in the day fields")
        # AWS days of week run 1-7 from Sunday; standard ones 0-6.
        fields.append(_field(part, field, -1 if field is _AWS[4] else 0))
    if parts[5] != "*":
        raise CronError(
            f"year: '{parts[5]}' has no five-field cron equivalent (only '*' has)",
            unsupported=True,
        )
    return Cron(fields=" ".join(fields[:5]))


def schedule_cron(expr: ir.CronSchedule) -> Cron:
    """A launch plan's cron schedule in the form both targets run (raises :class:`CronError`)."""
    return parse_aws(expr.schedule) if expr.aws else parse_standard(expr.schedule)


#: The longest fixed rate a scheduler can hold: Flyte's scheduler and Argo's cron controller
#: keep it as Go's ``time.Duration`` (int64 nanoseconds).
MAX_RATE_SECONDS = (2**63 - 1) // 1_000_000_000
_RATE_UNIT_SECONDS = {"MINUTE": 60, "HOUR": 3600, "DAY": 86400}


def rate_seconds(rate: ir.FixedRate) -> int | None:
    """A fixed rate's period in seconds; None when it has none a scheduler can run (an
    unknown unit, a value that is not positive, or longer than :data:`MAX_RATE_SECONDS`)."""
    unit = _RATE_UNIT_SECONDS.get(rate.unit)
    if unit is None or rate.value <= 0 or rate.value * unit > MAX_RATE_SECONDS:
        return None
    return rate.value * unit
