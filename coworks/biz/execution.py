"""The result of a run: status, output or error, and the history of events as AWS records it."""

from __future__ import annotations

import threading
from functools import lru_cache
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@lru_cache(maxsize=256)
def details_key(event_type: str) -> str:
    """``TaskScheduled`` -> ``taskScheduledEventDetails``; every ``*StateEntered`` shares one key."""
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


class History:
    """Collects events with ids in emission order and passes each to a live callback."""

    def __init__(self, callback: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.callback = callback
        self._lock = threading.Lock()

    def emit(self, event_type: str, when: datetime, previous: int, details: dict[str, Any] | None = None) -> int:
        with self._lock:
            event_id = len(self.events) + 1
            event: dict[str, Any] = {"timestamp": when, "type": event_type, "id": event_id, "previousEventId": previous}
            if details is not None:
                event[details_key(event_type)] = details
            self.events.append(event)
        if self.callback is not None:
            self.callback(event)
        return event_id


@dataclass
class Execution:
    """One run of a workflow: ``status`` is SUCCEEDED, FAILED, TIMED_OUT (or RUNNING while live)."""

    name: str
    arn: str
    input: Any
    status: str = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    start: datetime | None = None
    stop: datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def states(self) -> dict[str, str]:
        """Each visited state's status from the history (see :func:`coworks.biz.graph.state_statuses`)."""
        from coworks.biz.graph import state_statuses

        return state_statuses(self.history)

    def __repr__(self) -> str:
        tail = f"output={self.output!r}" if self.status == "SUCCEEDED" else f"error={self.error!r}"
        return f"Execution({self.name!r}, {self.status}, {tail})"
