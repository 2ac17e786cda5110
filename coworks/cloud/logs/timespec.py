"""Times as people type them for ``cloud.logs(since=..., until=...)`` and ``cws logs --since``.

CloudWatch Logs wants epoch milliseconds; people say ``5m``, ``2h30m``, ``1d`` (that long before
now), paste an ISO 8601 timestamp, or copy an epoch from another tool. ``now`` is injectable so the
relative forms are tested without a clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..errors import TimeSpecError

__all__ = ["Now", "TimeSpecError", "parse_time", "time_range"]

Now = datetime | Callable[[], datetime]

_UNITS = {"w": 604_800_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000}
_RELATIVE = re.compile(r"\s*(?:(\d+(?:\.\d+)?)\s*([wdhms])\s*)+(?:ago)?\s*", re.IGNORECASE)
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])", re.IGNORECASE)
_HELP = (
    "use a relative time like 5m, 2h30m or 1d, an ISO 8601 timestamp like 2024-05-01T12:00:00Z, or epoch milliseconds"
)




def parse_time(text: str | int | float | datetime, now: Now | None = None) -> int:
    """Epoch milliseconds for a relative time (before ``now``), an ISO 8601 timestamp, or epoch ms.

    Naive timestamps are UTC, as CloudWatch shows them. ``now`` is a datetime or a callable
    returning one (default: the current UTC time).
    """
    if isinstance(text, bool):
        raise TimeSpecError(f"Cannot read {text!r} as a time: {_HELP}.", text=text)
    if isinstance(text, int | float):
        return _epoch_ms(text)
    if isinstance(text, datetime):
        return _datetime_ms(text)
    if not isinstance(text, str):
        raise TimeSpecError(f"Cannot read {text!r} as a time: {_HELP}.", text=text)
    spec = text.strip()
    if not spec:
        raise TimeSpecError(f"An empty time cannot be read: {_HELP}.", text=text)
    if spec.lower() == "now":
        return _datetime_ms(_now(now))
    if re.fullmatch(r"\d{9,}", spec):
        return _epoch_ms(int(spec))
    if _RELATIVE.fullmatch(spec):
        span = sum(float(amount) * _UNITS[unit.lower()] for amount, unit in _PART.findall(spec))
        return _datetime_ms(_now(now)) - round(span)
    try:
        moment = datetime.fromisoformat(spec[:-1] + "+00:00" if spec[-1:] in "zZ" else spec)
    except ValueError:
        raise TimeSpecError(f"Cannot read {text!r} as a time: {_HELP}.", text=text) from None
    return _datetime_ms(moment)


def time_range(
    since: str | int | float | datetime, until: str | int | float | datetime | None = None, now: Now | None = None
) -> tuple[int, int | None]:
    """``(start_ms, end_ms)`` for a logs query; both relative to the same ``now``, start before end."""
    moment = _now(now)
    start = parse_time(since, moment)
    end = None if until is None else parse_time(until, moment)
    if end is not None and end < start:
        raise TimeSpecError(
            f"The time range starts ({since!r}) after it ends ({until!r}): give an earlier since or a later until.",
            text=f"{since}..{until}",
        )
    return start, end


def _now(now: Now | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if isinstance(now, datetime) else now()


def _datetime_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _epoch_ms(value: float) -> int:
    if value != value or value < 0 or value > 253_402_300_799_999:  # NaN, before 1970, after year 9999
        raise TimeSpecError(f"{value!r} is not a time in epoch milliseconds: {_HELP}.", text=value)
    return int(value)
