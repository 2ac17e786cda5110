"""Times typed as 5m, 2h30m, ISO 8601 or epoch ms become epoch milliseconds relative to an injected now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coworks.cloud.errors import CloudError
from coworks.cloud.logs.timespec import TimeSpecError, parse_time, time_range

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
NOW_MS = 1_714_564_800_000


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("5m", timedelta(minutes=5)),
        ("90s", timedelta(seconds=90)),
        ("2h30m", timedelta(hours=2, minutes=30)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("1.5h", timedelta(minutes=90)),
        (" 15m ", timedelta(minutes=15)),
        ("10M", timedelta(minutes=10)),
        ("5m ago", timedelta(minutes=5)),
        ("now", timedelta(0)),
    ],
)
def test_relative_times_count_back_from_now(text: str, before: timedelta) -> None:
    assert parse_time(text, NOW) == NOW_MS - before // timedelta(milliseconds=1)


def test_now_may_be_a_callable() -> None:
    assert parse_time("1m", lambda: NOW) == NOW_MS - 60_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T12:00:00Z", NOW_MS),
        ("2024-05-01T12:00:00", NOW_MS),  # naive is UTC
        ("2024-05-01 12:00:00", NOW_MS),
        ("2024-05-01T14:00:00+02:00", NOW_MS),
        ("2024-05-01T12:00:00.250Z", NOW_MS + 250),
        ("2024-05-01", NOW_MS - 12 * 3_600_000),
        (NOW_MS, NOW_MS),
        (str(NOW_MS), NOW_MS),
        (datetime(2024, 5, 1, 12), NOW_MS),
    ],
)
def test_absolute_times(text: object, expected: int) -> None:
    assert parse_time(text, NOW) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "5x", "m5", "yesterday", "2024-13-01", "-5m", "5m later", True, None, -1])
def test_unreadable_times_raise_one_sentence(text: object) -> None:
    with pytest.raises(TimeSpecError) as caught:
        parse_time(text, NOW)  # type: ignore[arg-type]
    assert isinstance(caught.value, CloudError)
    message = str(caught.value)
    assert "5m" in message and "ISO 8601" in message and message.endswith(".") and "\n" not in message


def test_time_range_shares_one_now_and_refuses_reversed_ranges() -> None:
    assert time_range("15m", None, NOW) == (NOW_MS - 900_000, None)
    assert time_range("2h", "1h", lambda: NOW) == (NOW_MS - 7_200_000, NOW_MS - 3_600_000)
    with pytest.raises(TimeSpecError, match="starts"):
        time_range("1h", "2h", NOW)
