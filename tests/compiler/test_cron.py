"""Cron schedules: read like Flyte's schedulers (robfig/cron's standard parser for
``CronSchedule.schedule``, AWS for the deprecated ``cron_expression``), refused with the
reason, and rewritten into five fields that fire at the same times."""

from __future__ import annotations

import datetime

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from fcomp.compiler import ir
from fcomp.compiler.schedules import Cron, CronError, go_duration_ns, parse_aws, parse_standard

START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)  # a Monday


def _fires(expression: str, count: int = 6) -> list[datetime.datetime]:
    it = croniter(expression, START)
    return [it.get_next(datetime.datetime) for _ in range(count)]


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("0 6 * * *", "0 6 * * *"),
        ("*/15 9-17 ? jan-Mar mon-fri", "*/15 9-17 * 1-3 1-5"),
        ("5/10 +1 1,15,2 * 0", "5-55/10 1 1,2,15 * 0"),
        ("  0   6 * * *  ", "0 6 * * *"),
        ("@hourly", "0 * * * *"),
        ("@midnight", "0 0 * * *"),
        ("@annually", "0 0 1 1 *"),
    ],
)
def test_standard_schedules_are_normalised(text: str, fields: str) -> None:
    assert parse_standard(text) == Cron(fields=fields)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("@every 1h30m", 5400), ("@every 90s", 90), ("@every 1.5h", 5400), ("@every 500ms", 1),
     ("@every 2m0.9s", 120), ("@every -1h", 1)],
)  # fmt: skip
def test_every_is_a_period_in_whole_seconds(text: str, seconds: int) -> None:
    """robfig runs ``@every`` with the fraction of a second dropped and at least a second."""
    assert parse_standard(text) == Cron(every_seconds=seconds)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("* * * *", "expected exactly 5 fields, found 4"),
        ("0 0 0 * * *", "expected exactly 5 fields, found 6"),
        ("60 * * * *", "minute: 60 is above the maximum 59"),
        ("* 24 * * *", "hour: 24 is above the maximum 23"),
        ("* * 0 * *", "day of month: 0 is below the minimum 1"),
        ("* * * 13 *", "month: 13 is above the maximum 12"),
        ("0 0 * * 7", "day of week: 7 is above the maximum 6"),
        ("5-1 * * * *", "'5-1' begins after it ends"),
        ("*/0 * * * *", "must be positive"),
        ("1/2/3 * * * *", "too many slashes"),
        ("1-2-3 * * * *", "too many hyphens"),
        ("-1 * * * *", "'-1' is not a value"),
        ("1,,2 * * * *", "'' is not a value"),
        ("* * * FOO *", "'FOO' is not a value"),
        ("* * * * MONDAY", "'MONDAY' is not a value"),
        ("@fortnightly", "unrecognized descriptor"),
        ("@HOURLY", "unrecognized descriptor"),
        (" @hourly", "expected exactly 5 fields, found 1"),
        ("@every", "unrecognized descriptor"),
        ("@every 1x", "invalid duration"),
        ("@every 10", "invalid duration"),
        ("@every .h", "invalid duration"),
        ("@every 3000000h", "longer than Go's time.Duration"),
        ("hourly", "expected exactly 5 fields, found 1"),
    ],
)
def test_standard_schedules_flyte_never_triggers(text: str, reason: str) -> None:
    with pytest.raises(CronError, match=reason.replace("*", r"\*")) as caught:
        parse_standard(text)
    assert not caught.value.unsupported


def test_a_time_zone_prefix_is_unsupported() -> None:
    with pytest.raises(CronError, match="time zone") as caught:
        parse_standard("CRON_TZ=Europe/Paris 0 6 * * *")
    assert caught.value.unsupported


@pytest.mark.parametrize(
    ("text", "fields", "first"),
    [
        # AWS days of week count from 1 (Sunday): 2 is Monday.
        ("0 10 ? * 2 *", "0 10 * * 1", datetime.datetime(2024, 1, 1, 10, tzinfo=datetime.UTC)),
        ("0 10 ? * 1 *", "0 10 * * 0", datetime.datetime(2024, 1, 7, 10, tzinfo=datetime.UTC)),
        ("0 10 ? * 7 *", "0 10 * * 6", datetime.datetime(2024, 1, 6, 10, tzinfo=datetime.UTC)),
        ("0 10 ? * MON-FRI *", "0 10 * * 1-5", None),
        ("0/5 8-17 ? * 3-4 *", "*/5 8-17 * * 2,3", None),
        ("0 10 ? * 1/2 *", "0 10 * * */2", None),
        ("15 12 * * ? *", "15 12 * * *", None),
        ("0 18 ? * 2,SAT *", "0 18 * * 1,6", None),
    ],
)
def test_aws_expressions_fire_at_the_same_times(
    text: str, fields: str, first: datetime.datetime | None
) -> None:
    cron = parse_aws(text)
    assert cron == Cron(fields=fields)
    if first is not None:
        assert _fires(cron.fields, 1) == [first]


def test_aws_day_steps_keep_their_days() -> None:
    """AWS ``1/2`` (Sunday, Tuesday, Thursday, Saturday) is standard ``*/2``."""
    fires = _fires(parse_aws("0 0 ? * 1/2 *").fields, 4)
    assert [f.strftime("%a") for f in fires] == ["Tue", "Thu", "Sat", "Sun"]


@pytest.mark.parametrize(
    ("text", "reason", "unsupported"),
    [
        ("0 10 * * ?", "expected 6 fields", False),
        ("0 10 * * 2 *", "exactly one of day of month and day of week", False),
        ("0 10 ? * ? *", "exactly one of day of month and day of week", False),
        ("? 10 * * ? *", "'?' is allowed only in the day fields", False),
        ("0 10 ? * 8 *", "day of week: 8 is above the maximum 7", False),
        ("0 10 ? * 0 *", "day of week: 0 is below the minimum 1", False),
        ("0 10 * * ? 1969", "year: 1969 is below the minimum 1970", False),
        ("0 10 L * ? *", "'L' has no five-field", True),
        ("0 10 15W * ? *", "'15W' has no five-field", True),
        ("0 10 ? * 6#3 *", "'6#3' has no five-field", True),
        ("0 10 ? * FRIL *", "'FRIL' has no five-field", True),
        ("0 10 * * ? 2030", "year: '2030' has no five-field", True),
    ],
)
def test_aws_expressions_refused(text: str, reason: str, unsupported: bool) -> None:
    with pytest.raises(CronError, match=reason.replace("?", r"\?")) as caught:
        parse_aws(text)
    assert caught.value.unsupported is unsupported


def test_aws_names_with_l_and_w_are_days_not_specials() -> None:
    """``WED`` and ``JUL`` hold the letters AWS uses for its specials; they are names."""
    assert parse_aws("0 0 ? JUL WED *") == Cron(fields="0 0 * 7 3")


@pytest.mark.parametrize("descriptor", ["@yearly", "@monthly", "@weekly", "@daily", "@hourly"])
def test_descriptors_fire_as_croniter_reads_them(descriptor: str) -> None:
    assert _fires(parse_standard(descriptor).fields) == _fires(descriptor)


@pytest.mark.parametrize(
    ("text", "nanos"),
    [("0", 0), ("1h", 3600 * 10**9), ("+1.5m", 90 * 10**9), ("-2s", -2 * 10**9),
     ("1h2m3s4ms5us6ns", 3723004005006), ("1µs", 1000), (".5s", 5 * 10**8), ("1.s", 10**9)],
)  # fmt: skip
def test_go_durations(text: str, nanos: int) -> None:
    assert go_duration_ns(text) == nanos


_NAMED = {3: ["JAN", "feb", "Dec"], 4: ["SUN", "mon", "Sat"]}
_BOUNDS = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]


@st.composite
def _element(draw: st.DrawFn, index: int) -> str:
    low, high = _BOUNDS[index]
    values = st.integers(low - 1, high + 1).map(str)
    if index in _NAMED:
        values = values | st.sampled_from(_NAMED[index])
    kind = draw(st.sampled_from(["*", "value", "range", "step", "range-step", "?"]))
    if kind in ("*", "?"):
        return kind if kind == "?" and index in (2, 4) else "*"
    first = draw(values)
    if kind == "value":
        return first
    if kind == "step":
        return f"{first}/{draw(st.integers(0, 30))}"
    second = draw(values)
    step = f"/{draw(st.integers(0, 30))}" if kind == "range-step" else ""
    return f"{first}-{second}{step}"


@st.composite
def _expression(draw: st.DrawFn) -> str:
    return " ".join(",".join(draw(st.lists(_element(i), min_size=1, max_size=3))) for i in range(5))


_NAMES = {3: ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
              "DEC"), 4: ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")}  # fmt: skip


def _robfig_field(text: str, index: int) -> tuple[set[int], bool]:
    """The values a field of a valid expression matches, and robfig's star bit (a ``*`` or
    ``?`` element with no step over one)."""
    low, high = _BOUNDS[index]
    names = _NAMES.get(index, ())

    def value(t: str) -> int:
        return low + names.index(t.upper()) if t.upper() in names else int(t)

    values: set[int] = set()
    star = False
    for element in text.split(","):
        range_text, _, step_text = element.partition("/")
        step = int(step_text) if step_text else 1
        if range_text in ("*", "?"):
            start, end = low, high
            star = star or step <= 1
        else:
            start, _, stop = range_text.partition("-")
            first = value(start)
            start_value, end = first, value(stop) if stop else (high if step_text else first)
            start = start_value
        values.update(range(int(start), end + 1, step))
    return values, star


def _robfig_fires(text: str, count: int = 6) -> list[datetime.datetime]:
    """When robfig/cron (Flyte's scheduler) fires ``text``: a day matches when both day
    fields match if either has the star bit, else when either matches."""
    fields = [_robfig_field(f, i) for i, f in enumerate(text.split())]
    (minutes, _), (hours, _), (doms, dom_star), (months, _), (dows, dow_star) = fields
    out: list[datetime.datetime] = []
    day = START
    while len(out) < count and day.year < START.year + 9:
        dom, dow = day.day in doms, (day.isoweekday() % 7) in dows
        if day.month in months and ((dom and dow) if dom_star or dow_star else (dom or dow)):
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    moment = day.replace(hour=hour, minute=minute)
                    if moment > START and len(out) < count:
                        out.append(moment)
        day += datetime.timedelta(days=1)
    return out


@settings(max_examples=400, deadline=None)
@given(_expression())
def test_accepted_schedules_fire_as_flyte_fires_them(text: str) -> None:
    """Whatever the parser accepts, croniter (Airflow's cron reader) reads too, and the
    rewritten fields fire when robfig/cron fires the text as written."""
    try:
        cron = parse_standard(text)
    except CronError:
        return
    assert _fires(cron.fields) == _robfig_fires(text)


def test_star_fields_leave_the_days_to_the_other_field() -> None:
    """robfig: ``*/1`` and ``*,5`` keep the star, so only Mondays match; a five-field
    reader that sees a restricted day of month would take either day."""
    for text in ("0 0 */1 * MON", "0 0 *,5 * MON", "0 0 ? * 1"):
        cron = parse_standard(text)
        assert cron.fields.split()[2] == "*"
        assert {f.strftime("%a") for f in _fires(cron.fields)} == {"Mon"}
        assert _fires(cron.fields) == _robfig_fires(text)


def test_schedule_cron_reads_by_origin() -> None:
    from fcomp.compiler.schedules import schedule_cron

    assert schedule_cron(ir.CronSchedule("0 10 ? * 2 *", aws=True)).fields == "0 10 * * 1"
    with pytest.raises(CronError, match="expected exactly 5 fields"):
        schedule_cron(ir.CronSchedule("0 10 ? * 2 *"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789*?,-/@ LW#+.hmsTZ=abcdefghijklmnoprstuvwxy"),
               max_size=40), st.booleans())  # fmt: skip
def test_any_text_is_read_or_refused(text: str, aws: bool) -> None:
    """No text makes the parser fail other than with a :class:`CronError`."""
    try:
        cron = parse_aws(text) if aws else parse_standard(text)
    except CronError:
        return
    assert cron.every_seconds > 0 or len(cron.fields.split()) == 5


@pytest.mark.parametrize(
    "text", ["9" * 5000 + " * * * *", "*/" + "9" * 5000 + " * * * *", "@every " + "9" * 5000 + "h",
             "@every 1." + "9" * 5000 + "s"],
)  # fmt: skip
def test_huge_numbers_are_refused_or_read_quickly(text: str) -> None:
    try:
        cron = parse_standard(text)
    except CronError:
        return
    assert cron == Cron(every_seconds=1)
