"""The schedule grammar against EventBridge's own pages, and its next-fire times against an
independent oracle.

The conformance cases are the examples and rules of
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html; the expected
fire times were worked out by hand from a calendar, never from the code under test.
"""

from __future__ import annotations

import calendar
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coworks import RouteDefinitionError, ServiceError
from coworks.runtime.cron import Cron, Rate, ScheduleError, parse_schedule
from coworks.runtime.schedules import check_expression


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


def nxt(expression: str, now: float) -> datetime | None:
    found = parse_schedule(expression).next_after(now, now)
    return None if found is None else datetime.fromtimestamp(found, UTC)


MONDAY = at(2026, 11, 30, 19, 23, 10)  # Monday 30 November 2026, 19:23:10 UTC


# -- rate: eb-rate-expressions -------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "seconds"), [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600), ("rate(1 day)", 86400),
    ("rate(5 hours)", 5 * 3600), ("rate(12 hours)", 12 * 3600), ("rate(30 days)", 30 * 86400),
])
def test_the_rate_examples_of_the_page_are_accepted(expression: str, seconds: int) -> None:
    rate = parse_schedule(expression)
    assert isinstance(rate, Rate) and rate.seconds == seconds


@pytest.mark.parametrize(("expression", "fix"), [
    ("rate(1 hours)", r"write rate\(1 hour\), the unit being singular for 1 and plural above"),
    ("rate(5 hour)", r"write rate\(5 hours\), the unit being singular for 1 and plural above"),
    ("rate(1 minutes)", r"write rate\(1 minute\)"),
    ("rate(5 minute)", r"write rate\(5 minutes\)"),
    ("rate(0 minutes)", r"the value must be a whole number from 1, e.g. rate\(5 minutes\)"),
    ("rate(-5 minutes)", r"the value must be a whole number from 1"),
    ("rate(1.5 hours)", r"the value must be a whole number from 1"),
    ("rate(2 weeks)", r"the unit is minute\(s\), hour\(s\) or day\(s\), not 'weeks'"),
    ("rate(5 Minutes)", r"the unit is minute\(s\), hour\(s\) or day\(s\), not 'Minutes'"),
    ("rate(5)", r"a rate is a value and a unit, e.g. rate\(5 minutes\)"),
    ("at(2026-12-01T00:00:00)", r"write rate\(5 minutes\) or cron\(0 12 \* \* \? \*\)"),
    ("every day", r"write rate\(5 minutes\) or cron"),
])
def test_a_refused_rate_names_what_to_write(expression: str, fix: str) -> None:
    with pytest.raises(ScheduleError, match=rf"^Bad schedule '{re.escape(expression)}': .*{fix}.*\.$") as caught:
        parse_schedule(expression)
    assert caught.value.expression == expression


def test_a_rate_fires_every_period_from_when_it_was_first_seen() -> None:
    rate = parse_schedule("rate(5 minutes)")
    assert rate == Rate(5, "minute")
    assert rate.next_after(1000.0, 1000.0) == 1300.0
    assert rate.next_after(1299.9, 1000.0) == 1300.0
    assert rate.next_after(1300.0, 1000.0) == 1600.0  # due exactly now: the next one is a period later
    assert rate.next_after(2999.0, 1000.0) == 3100.0  # missed periods are skipped, not replayed


# -- cron: eb-cron-expressions -------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "meaning", "first"), [
    ("0 10 * * ? *", "10:00 every day", datetime(2026, 12, 1, 10, 0)),
    ("15 12 * * ? *", "12:15 every day", datetime(2026, 12, 1, 12, 15)),
    ("0 18 ? * MON-FRI *", "18:00 Monday to Friday", datetime(2026, 12, 1, 18, 0)),
    ("0 8 1 * ? *", "8:00 on the first day of every month", datetime(2026, 12, 1, 8, 0)),
    ("0/15 * * * ? *", "every 15 minutes", datetime(2026, 11, 30, 19, 30)),
    ("0/10 * ? * MON-FRI *", "every 10 minutes Monday to Friday", datetime(2026, 11, 30, 19, 30)),
    ("0/5 8-17 ? * MON-FRI *", "every 5 minutes 8:00-17:55 Monday to Friday", datetime(2026, 12, 1, 8, 0)),
    ("0 9 ? * 2#1 *", "9:00 on the first Monday of every month", datetime(2026, 12, 7, 9, 0)),
])
def test_the_cron_examples_of_the_page_fire_when_the_page_says(fields: str, meaning: str, first: datetime) -> None:
    assert nxt(f"cron({fields})", MONDAY) == first.replace(tzinfo=UTC), meaning


def test_the_wildcards_mean_what_the_page_says() -> None:
    months = parse_schedule("cron(0 0 1 JAN,FEB,MAR ? *)")
    assert isinstance(months, Cron) and months.months == (1, 2, 3)
    days = parse_schedule("cron(0 0 1-15 * ? *)")
    assert isinstance(days, Cron) and days.days_in(2026, 12) == list(range(1, 16))
    hours = parse_schedule("cron(0 * * * ? *)")
    assert isinstance(hours, Cron) and hours.hours == tuple(range(24))
    tenth = parse_schedule("cron(1/10 * * * ? *)")  # "the 11th, 21st, and 31st minute, and so on"
    assert isinstance(tenth, Cron) and tenth.minutes == (1, 11, 21, 31, 41, 51)
    assert nxt("cron(0 0 7 * ? *)", MONDAY) == datetime(2026, 12, 7, tzinfo=UTC)  # "7 ... and ? in Day-of-week"


@pytest.mark.parametrize(("expression", "now", "first"), [
    # L: the last day of the month, of the week (Saturday), or the last given weekday of the month
    ("cron(0 0 L * ? *)", at(2028, 2, 1), datetime(2028, 2, 29)),
    ("cron(0 0 L * ? *)", at(2027, 2, 1), datetime(2027, 2, 28)),
    ("cron(0 0 ? * L *)", MONDAY, datetime(2026, 12, 5)),
    ("cron(0 0 ? * 5L *)", MONDAY, datetime(2026, 12, 31)),  # the last Thursday of December 2026
    ("cron(0 0 ? * THUL *)", at(2026, 11, 1), datetime(2026, 11, 26)),
    # W: the weekday nearest the day, never leaving the month
    ("cron(0 0 3W * ? *)", at(2026, 12, 1), datetime(2026, 12, 3)),  # "closest to the third day"
    ("cron(0 0 15W * ? *)", at(2026, 8, 1), datetime(2026, 8, 14)),  # a Saturday: the Friday before
    ("cron(0 0 15W * ? *)", at(2026, 2, 1), datetime(2026, 2, 16)),  # a Sunday: the Monday after
    ("cron(0 0 1W * ? *)", at(2026, 7, 31), datetime(2026, 8, 3)),  # Saturday the 1st: Monday the 3rd
    ("cron(0 0 31W * ? *)", at(2026, 5, 1), datetime(2026, 5, 29)),  # Sunday the 31st: Friday the 29th
    ("cron(0 0 31W * ? *)", at(2026, 6, 1), datetime(2026, 7, 31)),  # June has no 31st: no fire
    ("cron(0 0 LW * ? *)", at(2026, 1, 1), datetime(2026, 1, 30)),  # the 31st is a Saturday
    ("cron(0 0 LW * ? *)", at(2027, 1, 1), datetime(2027, 1, 29)),  # the 31st is a Sunday
    ("cron(0 0 LW * ? *)", at(2026, 12, 1), datetime(2026, 12, 31)),  # a Thursday: itself
    # #: the nth given weekday of the month
    ("cron(0 0 ? * 3#2 *)", MONDAY, datetime(2026, 12, 8)),  # "the second Tuesday of the month"
    ("cron(0 0 ? * FRI#5 *)", MONDAY, datetime(2027, 1, 29)),  # December 2026 has four Fridays
])
def test_l_w_and_hash_run_on_the_days_they_name(expression: str, now: float, first: datetime) -> None:
    assert nxt(expression, now) == first.replace(tzinfo=UTC)


def test_cron_is_utc_strictly_after_now_and_rolls_over_months_and_years() -> None:
    assert nxt("cron(0 12 * * ? *)", at(2026, 12, 1, 12, 0)) == datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert nxt("cron(0 12 * * ? *)", at(2026, 12, 1, 11, 59, 59)) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert nxt("cron(59 23 31 12 ? *)", at(2026, 12, 31, 23, 59)) == datetime(2027, 12, 31, 23, 59, tzinfo=UTC)
    assert nxt("cron(0 6 1 MAR-APR ? *)", at(2026, 11, 30)) == datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
    assert nxt("cron(0 8 ? * 1 *)", MONDAY) == datetime(2026, 12, 6, 8, 0, tzinfo=UTC)  # 1 is Sunday
    assert nxt("cron(0 8 ? * sat,sun *)", MONDAY) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # names, any case
    assert nxt("cron(0 0 1 JAN ? 2030)", MONDAY) == datetime(2030, 1, 1, tzinfo=UTC)
    assert nxt("cron(0 0 29 2 ? *)", MONDAY) == datetime(2028, 2, 29, tzinfo=UTC)


def test_a_cron_with_no_time_left_never_fires_again() -> None:
    assert nxt("cron(0 0 1 1 ? 2020)", MONDAY) is None
    assert nxt("cron(0 0 31 2 ? *)", MONDAY) is None  # accepted, as the page allows it, and never due
    assert nxt("cron(59 23 31 12 ? 2199)", at(2199, 12, 31, 23, 59)) is None


@pytest.mark.parametrize(("fields", "fix"), [
    # "?" in exactly one of day-of-month and day-of-week (the page's Limitations); both "?" names no day
    ("0 12 ? * ? *", r"'\?' goes in one of day-of-month and day-of-week, never both, so write "
                     r"cron\(0 12 \* \* \? \*\) for every day"),
    ("0 12 * * * *", r"day-of-month and day-of-week cannot both be given, write '\?' in one of them, "
                     r"e.g. cron\(0 12 \* \* \? \*\)"),
    ("0 12 1 * 1 *", r"e.g. cron\(0 12 1 \* \? \*\)"),
    ("? 0 * * ? *", r"'\?' is only for day-of-month or day-of-week, write '\*' in the minutes field"),
    ("0 0 * ? ? *", r"write '\*' in the month field"),
    ("0 0 1,? * ? *", r"'\?' stands alone in day-of-month"),
    # six fields, each in its range
    ("0 12 * * ?", r"a cron has 6 fields \(minutes hours day-of-month month day-of-week year\)"),
    ("0 12 * * ? * *", r"a cron has 6 fields"),
    ("60 0 * * ? *", r"60 is outside the minutes field's 0-59"),
    ("0 24 * * ? *", r"24 is outside the hours field's 0-23"),
    ("0 0 0 * ? *", r"0 is outside the day-of-month field's 1-31"),
    ("0 0 32 * ? *", r"32 is outside the day-of-month field's 1-31"),
    ("0 0 1 13 ? *", r"13 is outside the month field's 1-12"),
    ("0 0 ? * 0 *", r"0 is outside the day-of-week field's 1-7"),
    ("0 0 ? * 8 *", r"8 is outside the day-of-week field's 1-7"),
    ("0 0 1 * ? 1969", r"1969 is outside the year field's 1970-2199"),
    ("0 0 1 * ? 2200", r"2200 is outside the year field's 1970-2199"),
    ("0 0 * FOO ? *", r"'FOO' in the month field is not a number or a name \(JAN-DEC\)"),
    ("0 0 ? * WEDS *", r"'WEDS' in the day-of-week field is not a number or a name \(SUN-SAT\)"),
    # each wildcard only where the table allows it
    ("5L 0 * * ? *", r"'L' is not allowed in the minutes field, which takes , - \* /"),
    ("0 3W * * ? *", r"'W' is not allowed in the hours field"),
    ("0 0 3#2 * ? *", r"'#' is not allowed in the day-of-month field, which takes , - \* \? / L W"),
    ("0 0 ? * MON/2 *", r"'/' is not allowed in day-of-week, which takes , - \* \? L #"),
    ("0 0 ? 1W * *", r"'W' is not allowed in the month field"),
    # "#" allows one expression (the page's note), 1-5 occurrences, L and W on their own
    ("0 0 ? * 3#1,6#3 *", r"day-of-week takes a single expression with '#', such as 3#2, not '3#1,6#3'"),
    ("0 0 ? * 3#6 *", r"'3#6' needs 1-5 after '#'"),
    ("0 0 L,15 * ? *", r"'L,15' mixes L or W with other days, write L, LW or one day with W \(15W\) alone"),
    ("0 0 1-5W * ? *", r"mixes L or W with other days"),
    ("0 0 ? * 2L,3 *", r"'2L,3' mixes L with other weekdays"),
    ("0 0 32W * ? *", r"32 is outside the day-of-month field's 1-31"),
    # increments and ranges
    ("*/0 0 * * ? *", r"the increment in '\*/0' must be a whole number from 1, e.g. \*/5"),
    ("30-10 0 * * ? *", r"the range '30-10' in the minutes field runs backwards, write 10-30"),
])
def test_a_refused_cron_names_what_to_write(fields: str, fix: str) -> None:
    with pytest.raises(ScheduleError, match=rf"^Bad schedule 'cron\({re.escape(fields)}\)': .*{fix}.*\.$"):
        parse_schedule(f"cron({fields})")


def test_the_decorator_and_triggers_check_with_the_same_function() -> None:
    assert check_expression("  cron(0 12 * * ? *) ") == "cron(0 12 * * ? *)"  # stripped, else as written
    with pytest.raises(ScheduleError) as caught:
        check_expression("cron(0 12 ? * ? *)")
    error = caught.value  # the decorator's error stays a RouteDefinitionError (a ServiceError)
    assert isinstance(error, RouteDefinitionError) and isinstance(error, ServiceError) and isinstance(error, ValueError)
    with pytest.raises(ScheduleError, match="write a text such as rate"):
        check_expression(42)  # type: ignore[arg-type]


def test_import_coworks_loads_no_grammar_until_a_schedule_is_checked() -> None:
    code = ("import sys, coworks\n"
            "before = 'coworks.runtime.cron' in sys.modules or 'datetime' in sys.modules\n"
            "class Clock(coworks.TechMicroService):\n"
            "    @coworks.schedule('rate(1 hour)')\n"
            "    def tick(self): pass\n"
            "print(before, 'coworks.runtime.cron' in sys.modules, 'datetime' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "False"]  # only the local cloud's timing needs datetime


# -- next-fire properties, against an oracle written from the page --------------------------------


Field = tuple[str, frozenset[int]]


def _field(low: int, high: int, names: list[str] | None = None, steps: bool = True,
           whole: tuple[int, int] | None = None) -> st.SearchStrategy[Field]:
    """A field's text and the values it stands for, drawn together; values are drawn from
    ``low``-``high``, ``*`` stands for the field's ``whole`` range (the same unless given)."""
    value = st.integers(low, high)
    first, last = whole or (low, high)

    def named(n: int) -> str:
        return names[n - low] if names and n % 2 else str(n)

    every = st.just(("*", frozenset(range(first, last + 1))))
    one = value.map(lambda n: (named(n), frozenset({n})))
    span = st.tuples(value, value).map(sorted).map(
        lambda ab: (f"{named(ab[0])}-{named(ab[1])}", frozenset(range(ab[0], ab[1] + 1))))
    step = st.tuples(st.one_of(st.just(None), value), st.integers(1, high - low + 2)).map(
        lambda s: (f"{'*' if s[0] is None else s[0]}/{s[1]}",
                   frozenset(range(first if s[0] is None else s[0], last + 1, s[1]))))
    item = st.one_of(every, one, span, step) if steps else st.one_of(every, one, span)  # no / in day-of-week
    return st.lists(item, min_size=1, max_size=3).map(
        lambda items: (",".join(t for t, _ in items), frozenset().union(*(v for _, v in items))))


def _day_rule() -> st.SearchStrategy[tuple[str, Callable[[date], bool]]]:
    """A day-of-month or day-of-week text (the other being ?), with the page's meaning of it."""

    def length(d: date) -> int:
        return calendar.monthrange(d.year, d.month)[1]

    def weekday(d: date) -> int:  # 1 = Sunday
        return d.isoweekday() % 7 + 1

    def nearest(target: int | None) -> Callable[[date], bool]:
        def test(d: date) -> bool:
            goal = length(d) if target is None else target
            if goal > length(d):
                return False
            weekdays = [day for day in range(1, length(d) + 1) if weekday(d.replace(day=day)) not in (1, 7)]
            return d.day == min(weekdays, key=lambda day: (abs(day - goal), day))

        return test

    days = _field(1, 31).map(lambda f: (f"{f[0]} * ?", lambda d, v=f[1]: d.day in v))
    weekdays = _field(1, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], steps=False).map(
        lambda f: (f"? * {f[0]}", lambda d, v=f[1]: weekday(d) in v))
    last = st.just(("L * ?", lambda d: d.day == length(d)))
    near = st.integers(1, 31).map(lambda n: (f"{n}W * ?", nearest(n)))
    last_weekday = st.just(("LW * ?", nearest(None)))
    last_of = st.integers(1, 7).map(lambda w: (f"? * {w}L", lambda d: weekday(d) == w and d.day + 7 > length(d)))
    nth = st.tuples(st.integers(1, 7), st.integers(1, 5)).map(
        lambda wn: (f"? * {wn[0]}#{wn[1]}", lambda d: weekday(d) == wn[0] and (d.day - 1) // 7 == wn[1] - 1))
    return st.one_of(days, weekdays, last, near, last_weekday, last_of, nth)


class Expected:
    """What a drawn cron expression means, from the page: the days it runs on and its times."""

    def __init__(self, text: str, day: Callable[[date], bool], hours: frozenset[int], minutes: frozenset[int]) -> None:
        self.text, self.day, self.hours, self.minutes = text, day, hours, minutes

    def matches(self, moment: datetime) -> bool:
        return (moment.second == 0 and moment.hour in self.hours and moment.minute in self.minutes
                and self.day(moment.date()))

    def first_after(self, now: float, horizon_days: int) -> datetime | None:
        """The first matching minute strictly after ``now`` within the horizon, walking day by day."""
        start = datetime.fromtimestamp(now, UTC).date()
        for offset in range(horizon_days + 1):
            day = start + timedelta(days=offset)
            if self.day(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                        if moment.timestamp() > now:
                            return moment
        return None


@st.composite
def crons(draw: st.DrawFn) -> Expected:
    """A cron expression EventBridge accepts, with its meaning."""
    minutes, hours = draw(_field(0, 59)), draw(_field(0, 23))
    day_text, day_ok = draw(_day_rule())
    months = draw(_field(1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]))
    years = draw(_field(2024, 2032, whole=(1970, 2199)))
    dom, _, dow = day_text.partition(" * ")
    text = f"cron({minutes[0]} {hours[0]} {dom} {months[0]} {dow} {years[0]})"

    def day(d: date) -> bool:
        return d.month in months[1] and d.year in years[1] and day_ok(d)

    return Expected(text, day, hours[1], minutes[1])


NOW = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC).timestamp())
PROPERTY = settings(max_examples=150, deadline=None)
HORIZON = 4 * 366  # days: past the years a drawn year field can name, so "none" is "never"


@PROPERTY
@given(crons(), NOW)
def test_the_next_fire_is_the_first_matching_minute_after_now(cron: Expected, now: float) -> None:
    found = parse_schedule(cron.text).next_after(now, now)
    expected = cron.first_after(now, HORIZON)
    if expected is None:
        assert found is None or found > now + (HORIZON - 1) * 86400, cron.text
    else:
        assert found is not None and datetime.fromtimestamp(found, UTC) == expected, cron.text


@PROPERTY
@given(crons(), NOW)
def test_the_next_fire_matches_every_field_and_is_never_before_now(cron: Expected, now: float) -> None:
    found = parse_schedule(cron.text).next_after(now, now)
    if found is not None:
        assert found > now and found % 60 == 0
        assert cron.matches(datetime.fromtimestamp(found, UTC)), cron.text


@PROPERTY
@given(crons(), NOW, st.floats(0, 1), st.floats(0, 400 * 86400))
def test_the_next_fire_is_monotonic_and_stable_until_it_is_due(cron: Expected, now: float, share: float,
                                                               later: float) -> None:
    spec = parse_schedule(cron.text)
    first = spec.next_after(now, now)
    then = spec.next_after(now + later, now)
    if first is None:
        assert then is None
        return
    assert then is None or then >= first
    between = now + share * (first - now)
    if between < first:
        assert spec.next_after(between, now) == first  # nothing else is due before it


@PROPERTY
@given(st.integers(1, 1000), st.sampled_from(["minute", "hour", "day"]), NOW, st.floats(0, 10 * 86400))
def test_a_rate_fires_on_its_period_boundaries_only(value: int, unit: str, start: float, elapsed: float) -> None:
    rate = parse_schedule(f"rate({value} {unit if value == 1 else unit + 's'})")
    assert isinstance(rate, Rate)
    now = start + elapsed
    found = rate.next_after(now, start)
    assert now < found <= now + rate.seconds
    assert (found - start) % rate.seconds == pytest.approx(0, abs=1e-6)
