"""Log events as records, and the cursor that makes ``logs(follow=True)`` exact.

``filter_log_events`` answers with dicts; a notebook wants the time as a datetime and a JSON
message already parsed, so every cloud returns :class:`LogRecord`. Following a log group means
polling ``filter_log_events(startTime=cursor.start_time)`` again and again: the start time is
inclusive, events of several streams share milliseconds, and a millisecond may gain events after
it was first read. :class:`FollowCursor` keeps the ids already returned at the latest timestamp
so each poll yields only new events, in timestamp order, none twice and none lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FollowCursor", "LogRecord"]

_SYNONYMS = {"WARN": "WARNING", "FATAL": "CRITICAL"}
# What Lambda and Python write when something failed, whatever the level word says.
_FAILURE = re.compile(r"(?m)^Traceback|\[ERROR\]|Task timed out|\bStatus: (error|timeout)\b")
_LEVEL_WORD = re.compile(r"\b(CRITICAL|FATAL|ERROR|WARNING|WARN|INFO|DEBUG)\b")


@dataclass(frozen=True)
class LogRecord:
    """One log event: when (epoch ms), which stream, what it says, and its CloudWatch event id."""

    timestamp: int
    stream: str
    message: str
    event_id: str
    ingestion_time: int | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> LogRecord:
        """A record from one event of a ``filter_log_events`` answer."""
        return cls(
            timestamp=int(event["timestamp"]),
            stream=str(event.get("logStreamName", "")),
            message=str(event.get("message", "")),
            event_id=str(event.get("eventId", "")),
            ingestion_time=None if event.get("ingestionTime") is None else int(event["ingestionTime"]),
        )

    @property
    def order(self) -> tuple[int, int, str]:
        """Sort key: time, then id as a number. AWS's ids are digits of one length; moto's count up
        from 0 ("9" before "10"), and every line of one local invocation shares its millisecond."""
        return self.timestamp, len(self.event_id), self.event_id

    @property
    def time(self) -> datetime:
        """The event's time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp / 1000, tz=UTC)

    @cached_property
    def level(self) -> str:
        """``CRITICAL``, ``ERROR``, ``WARNING``, ``INFO``, ``DEBUG`` (or another level a JSON message
        names), or ``""``: a JSON message's own level field wins over its words; otherwise a
        traceback, Lambda's timeout and error lines, then the first level word near the start.
        Every printer (``cws logs``, the notebook's viewer) reads this one."""
        data = self.json
        if data is not None:
            value = data.get("level") or data.get("levelname") or data.get("severity")
            if isinstance(value, str) and value.strip():
                word = value.strip().upper()
                return _SYNONYMS.get(word, word)
        if _FAILURE.search(self.message):
            return "ERROR"
        match = _LEVEL_WORD.search(self.message[:200])
        return _SYNONYMS.get(match.group(1), match.group(1)) if match else ""

    @cached_property
    def json(self) -> dict[str, Any] | None:
        """The message parsed when it is a JSON object (structured logs), else None."""
        text = self.message.strip()
        if not (text.startswith("{") and text.endswith("}")):
            return None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return value if isinstance(value, dict) else None


class FollowCursor:
    """Turns successive polls of one log query into the stream of events not returned before.

    Feed it every event of each poll made with ``startTime=cursor.start_time`` (all pages of the
    poll, in one call or several). Events before ``start_time`` were returned by an earlier poll;
    events at ``start_time`` are new unless their id is among those already returned at that
    millisecond. Memory stays bounded by the number of events sharing the latest millisecond.
    """

    def __init__(self, start_time: int) -> None:
        self.start_time = start_time
        self._seen: set[str] = set()  # ids already returned whose timestamp is start_time

    def feed(self, events: Iterable[LogRecord]) -> list[LogRecord]:
        """The events of this poll not returned before, oldest first, each once."""
        fresh: dict[str, LogRecord] = {}
        for record in events:
            if record.timestamp < self.start_time or record.event_id in fresh:
                continue
            if record.timestamp == self.start_time and record.event_id in self._seen:
                continue
            fresh[record.event_id] = record
        ordered = sorted(fresh.values(), key=lambda record: record.order)
        if ordered:
            latest = ordered[-1].timestamp
            if latest > self.start_time:
                self.start_time = latest
                self._seen = set()
            self._seen.update(record.event_id for record in ordered if record.timestamp == latest)
        return ordered
