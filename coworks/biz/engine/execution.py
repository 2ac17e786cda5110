"""The result of a run: status, output or error, and the history of events as AWS records it.

The engine writes the history (:class:`History`); reading it back (each state's status, the
event table) and drawing it are the views of :mod:`coworks.biz.history` and
:mod:`coworks.biz.graph`, which an execution calls only when it is displayed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from coworks.biz.errors import StatesError


def aws_timestamp(when: datetime) -> str:
    """A time as AWS writes it in the context object: UTC, milliseconds, ``Z``
    (``2024-03-01T12:00:00.123Z``)."""
    utc = when.astimezone(UTC) if when.tzinfo is not None else when
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


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

    def __init__(self, callback: Callable[[dict[str, Any]], None] | None = None, limit: int = 25_000) -> None:
        self.events: list[dict[str, Any]] = []
        self.callback = callback
        #: Step Functions (Standard) fails an execution past 25,000 events; this also stops
        #: a workflow that loops forever.
        self.limit = limit
        self._lock = threading.Lock()

    def emit(self, event_type: str, when: datetime, previous: int, details: dict[str, Any] | None = None) -> int:
        with self._lock:
            event_id = len(self.events) + 1
            if event_id >= self.limit and not event_type.startswith("Execution"):
                raise StatesError("States.Runtime", f"The execution reached the limit of {self.limit} history events.")
            # AWS records events to the millisecond.
            stamp = when.replace(microsecond=when.microsecond // 1000 * 1000)
            event: dict[str, Any] = {"timestamp": stamp, "type": event_type, "id": event_id,
                                     "previousEventId": previous}
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
    #: The ASL definition that ran, so the execution can draw itself.
    definition: dict[str, Any] | None = field(default=None, repr=False)
    #: The outputs of the Parallel branches and Map iterations that succeeded, by place: what a
    #: redrive reuses (``Executor.run(..., reuse=execution.kept)``).
    kept: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def states(self) -> dict[str, str]:
        """Each visited state's status from the history (see :func:`coworks.biz.history.state_statuses`)."""
        from coworks.biz.history import state_statuses

        return state_statuses(self.history)

    def graph(self) -> Any:
        """The workflow's graph with each state coloured by its status in this execution."""
        from coworks.biz.graph import draw

        return draw(self.definition or {}, name=self.name, history=self.history)

    def _repr_svg_(self) -> str:
        """Inline SVG for Jupyter: the graph of this execution (no network needed)."""
        return str(self.graph().pipe(format="svg").decode())

    def events(self) -> Any:
        """The history as a table (id, time since the start, event, state, detail)."""
        from coworks.biz.history import history_table

        return history_table(self.history, title=f"{self.name}: {self.status}")

    def _repr_html_(self) -> str:
        """In a notebook: the coloured graph above the event table."""
        return f"<div>{self._repr_svg_()}</div>{self.events()._repr_html_()}"

    def __str__(self) -> str:
        tail = f"output: {json.dumps(self.output)}" if self.succeeded else f"error: {self.error}: {self.cause}"
        return f"{self.status} {tail}\n{self.events()}"

    def __repr__(self) -> str:
        tail = f"output={self.output!r}" if self.status == "SUCCEEDED" else f"error={self.error!r}"
        return f"Execution({self.name!r}, {self.status}, {tail})"
