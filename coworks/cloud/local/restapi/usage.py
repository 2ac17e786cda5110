"""API keys metered as a usage plan meters them: each key's token bucket (``rate`` tokens a second
up to ``burst``, one per request) and its quota of requests a period (a UTC day, a week from
Sunday, a calendar month: a plan's offset 0). The counts live in the local cloud's process,
which starts them afresh; the clock is injectable, so a test never waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .config import KeyGrant

THROTTLED, EXCEEDED = "throttled", "exceeded"


def period_start(period: str, now: float) -> float:
    """When the quota period holding ``now`` (epoch seconds) began."""
    day = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "WEEK":
        day -= timedelta(days=(day.weekday() + 1) % 7)  # back to Sunday
    elif period == "MONTH":
        day = day.replace(day=1)
    return day.timestamp()


class UsageMeter:
    """Admits a key's request, or says why not: ``EXCEEDED`` (its quota) or ``THROTTLED``."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # (plan, key) -> (tokens, when)
        self._used: dict[tuple[str, str], tuple[float, int]] = {}  # (plan, key) -> (period start, requests)

    def admit(self, grant: KeyGrant) -> str | None:
        """None when the request may go on (it is counted then); a throttled request is not."""
        key = (grant.plan_id, grant.key_id)
        with self._lock:
            now = self.clock()
            used = 0
            if grant.quota is not None:
                start = period_start(grant.period or "MONTH", now)
                began, used = self._used.get(key, (start, 0))
                if began != start:
                    used = 0
                if used >= grant.quota:
                    return EXCEEDED
            if grant.rate is not None and grant.burst is not None:
                tokens, when = self._buckets.get(key, (float(grant.burst), now))
                tokens = min(float(grant.burst), tokens + max(0.0, now - when) * grant.rate)
                if tokens < 1:
                    self._buckets[key] = (tokens, now)
                    return THROTTLED
                self._buckets[key] = (tokens - 1, now)
            if grant.quota is not None:
                self._used[key] = (period_start(grant.period or "MONTH", now), used + 1)
            return None
