"""Clocks for the local executor: simulated by default, real time on request.

A simulated clock makes Waits and Retry delays instant while keeping history timestamps as they
would be on AWS; branches of a Parallel or a Map run on forks of it so concurrent waits overlap.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


class Clock(Protocol):
    """What the executor needs from time."""

    #: True when ``sleep`` really waits (branches then run in threads).
    real: bool

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def elapsed(self) -> float:
        """Seconds since the clock started (monotonic)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        ...

    def fork(self) -> Clock:
        """A clock for a concurrent branch starting now."""
        ...

    def call_with_timeout(self, func: Callable[[], Any], timeout: float) -> Any:
        """``func()``, or TimeoutError when it runs longer than ``timeout`` seconds."""
        ...

    def join(self, forks: list[Clock]) -> None:
        """Continue after the given branches have all finished."""
        ...


class SimulatedClock:
    """Time that moves only when the workflow waits: ``SimulatedClock(start=datetime(...))``."""

    real = False

    def __init__(self, start: datetime | None = None, offset: float = 0.0) -> None:
        self.start = start or datetime.now(UTC).replace(microsecond=0)
        self.offset = offset

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.offset)

    def elapsed(self) -> float:
        return self.offset

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.offset += seconds

    def fork(self) -> SimulatedClock:
        return SimulatedClock(self.start, self.offset)

    def call_with_timeout(self, func: Callable[[], Any], timeout: float) -> Any:
        """Simulated tasks take simulated time; the executor checks it when they return."""
        return func()

    def join(self, forks: list[Clock]) -> None:
        for fork in forks:
            self.offset = max(self.offset, fork.elapsed())

    def advance_to(self, offset: float) -> None:
        """Move to a later point (used to start a Map item when a concurrency slot frees up)."""
        self.offset = max(self.offset, offset)


class RealClock:
    """Wall-clock time; Waits and Retry delays really wait (interruptible via ``cancel``)."""

    real = True

    def __init__(self) -> None:
        self._t0 = time.monotonic()
        self._start = datetime.now(UTC)
        self._cancelled = threading.Event()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.elapsed())

    def elapsed(self) -> float:
        return time.monotonic() - self._t0

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._cancelled.wait(seconds)

    def cancel(self) -> None:
        """Wake every sleeper (used when an execution is stopped)."""
        self._cancelled.set()

    def fork(self) -> RealClock:
        return self

    def call_with_timeout(self, func: Callable[[], Any], timeout: float) -> Any:
        """Run ``func`` in a daemon thread and stop waiting after ``timeout`` seconds (the thread
        cannot be killed; its late result is dropped, as AWS drops a timed-out task's)."""
        outcome: list[Any] = []
        done = threading.Event()

        def target() -> None:
            try:
                outcome.append((True, func()))
            except BaseException as exc:  # handed back to the caller's thread
                outcome.append((False, exc))
            finally:
                done.set()

        threading.Thread(target=target, daemon=True).start()
        if not done.wait(timeout):
            raise TimeoutError(f"no result after {timeout} seconds")
        ok, value = outcome[0]
        if not ok:
            raise value
        return value

    def join(self, forks: list[Clock]) -> None:
        return None
