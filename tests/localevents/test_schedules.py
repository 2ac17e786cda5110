"""Schedule expressions on an explicit clock: when rate and cron rules fire next, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coworks.cloud.local.events import Cron, Rate, ScheduleExpressionError, parse_schedule


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


def nxt(expression: str, now: float) -> datetime | None:
    found = parse_schedule(expression).next_after(now, now)
    return None if found is None else datetime.fromtimestamp(found, UTC)


def test_a_rate_fires_every_period_from_when_it_was_first_seen() -> None:
    rate = parse_schedule("rate(5 minutes)")
    assert rate == Rate(300)
    assert rate.next_after(1000.0, 1000.0) == 1300.0
    assert rate.next_after(1299.9, 1000.0) == 1300.0
    assert rate.next_after(1300.0, 1000.0) == 1600.0  # due exactly now: the next one is a period later
    assert rate.next_after(2999.0, 1000.0) == 3100.0  # missed periods are skipped, not replayed
    assert [parse_schedule(e) for e in ("rate(1 minute)", "rate(2 hours)", "rate(1 day)")] == [
        Rate(60), Rate(7200), Rate(86400)]


def test_cron_finds_the_next_minute_in_utc() -> None:
    now = at(2026, 11, 30, 19, 23, 10)  # a Monday
    assert nxt("cron(0 12 * * ? *)", now) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert nxt("cron(*/15 * * * ? *)", now) == datetime(2026, 11, 30, 19, 30, tzinfo=UTC)
    assert nxt("cron(5/20 * * * ? *)", now) == datetime(2026, 11, 30, 19, 25, tzinfo=UTC)
    assert nxt("cron(23,40 19 * * ? *)", now) == datetime(2026, 11, 30, 19, 40, tzinfo=UTC)
    assert nxt("cron(0 0 29 2 ? *)", now) == datetime(2028, 2, 29, tzinfo=UTC)
    assert nxt("cron(0 0 1 JAN ? 2030)", now) == datetime(2030, 1, 1, tzinfo=UTC)
    assert nxt("cron(0 0 1 1 ? 2020)", now) is None  # no year left: it never fires again


def test_cron_is_strictly_after_now_and_rolls_over_months_and_years() -> None:
    assert nxt("cron(0 12 * * ? *)", at(2026, 12, 1, 12, 0)) == datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert nxt("cron(0 12 * * ? *)", at(2026, 12, 1, 11, 59, 59)) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert nxt("cron(59 23 31 12 ? *)", at(2026, 12, 31, 23, 59)) == datetime(2027, 12, 31, 23, 59, tzinfo=UTC)
    assert nxt("cron(0 6 1 MAR-APR ? *)", at(2026, 11, 30)) == datetime(2027, 3, 1, 6, 0, tzinfo=UTC)


def test_weekdays_count_from_sunday_as_aws_numbers_them() -> None:
    monday = at(2026, 11, 30, 19, 23)
    assert nxt("cron(0 8 ? * MON-FRI *)", monday) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday
    assert nxt("cron(0 8 ? * 1 *)", monday) == datetime(2026, 12, 6, 8, 0, tzinfo=UTC)  # 1 = Sunday
    assert nxt("cron(0 8 ? * 7 *)", monday) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # 7 = Saturday
    assert nxt("cron(0 8 ? * sat,sun *)", monday) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    cron = parse_schedule("cron(0 8 ? * MON-FRI *)")
    assert isinstance(cron, Cron) and cron.weekdays == frozenset({2, 3, 4, 5, 6}) and cron.days is None


@pytest.mark.parametrize(("expression", "reason"), [
    ("cron(0 0 L * ? *)", r"'L' uses L, W or #"),
    ("cron(0 0 15W * ? *)", r"'15W' uses L, W or #"),
    ("cron(0 0 ? * 6#3 *)", r"'6#3' uses L, W or #"),
    ("cron(0 0 * * * *)", r"exactly one of day-of-month and day-of-week must be '\?'"),
    ("cron(0 0 ? * ? *)", r"exactly one of day-of-month and day-of-week must be '\?'"),
    ("cron(? 0 * * ? *)", r"'\?' only stands for day-of-month or day-of-week"),
    ("cron(0 24 * * ? *)", r"24 is outside 0-23"),
    ("cron(0 0 * FOO ? *)", r"'FOO' is not a number or a month or weekday name"),
    ("cron(0 0 * * ?)", r"cron has 6 fields"),
    ("cron(*/0 0 * * ? *)", r"the step in '\*/0' is not a positive number"),
    ("cron(30-10 0 * * ? *)", r"the range '30-10' runs backwards"),
    ("rate(2 weeks)", r"write rate\(N minutes\|hours\|days\)"),
    ("at(2026-12-01T00:00:00)", r"write rate\(...\) or cron\(...\)"),
])
def test_what_the_local_cloud_cannot_schedule_is_refused_in_one_sentence(expression: str, reason: str) -> None:
    with pytest.raises(ScheduleExpressionError, match=rf"^Schedule '.*' cannot run on the local cloud: {reason}.*\.$"):
        parse_schedule(expression)
