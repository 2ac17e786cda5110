"""``cloud.logs(...)``: a service's or function's CloudWatch logs, the same on every cloud.

The target is a service (object, class or name, with a stage), a function name or a log group.
Times are relative (``15m``, ``2h30m``, ``1d``) or absolute (ISO 8601). Filter patterns use
CloudWatch's syntax and are evaluated by the server: CloudWatch on AWS, the front door on the local
cloud (moto ignores them), so every client (this reader, the AWS CLI) sees the same events. The
pattern is checked here first, so a malformed one is one sentence before any call. Follow mode polls
and yields each event once, interleaving streams, exact at timestamp boundaries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ...tables import Table
from ..errors import CloudError
from .patterns import compile_pattern
from .records import FollowCursor, LogRecord
from .timespec import Now, time_range


@dataclass(frozen=True)
class LogQuery:
    """What to read: one log group, a time range and a pattern; built by ``resolve``."""

    group: str
    start: int
    end: int | None
    pattern: str | None
    streams: tuple[str, ...] = field(default=())

    def pages(self, clients: Any, start: int | None = None) -> Iterator[list[LogRecord]]:
        """Every page of ``filter_log_events`` from ``start``, as records matching the pattern."""
        params: dict[str, Any] = {"logGroupName": self.group, "startTime": self.start if start is None else start}
        if self.end is not None:
            params["endTime"] = self.end
        if self.pattern:
            params["filterPattern"] = self.pattern
        if self.streams:
            params["logStreamNames"] = list(self.streams)
        while True:
            answer = clients.call("logs", "filter_log_events", self.group, **params)
            yield [LogRecord.from_event(e) for e in answer.get("events", [])]
            token = answer.get("nextToken")
            if not token or token == params.get("nextToken"):
                return
            params["nextToken"] = token


def log_group_for(clients: Any, target: Any, stage: str) -> str:
    """The log group of a target: ``/group`` as is, a function's, or a service's at ``stage``."""
    from ..deploy.names import function_name

    if isinstance(target, str) and target.startswith("/"):
        return target
    if isinstance(target, str) and ":" not in target:
        candidates = [f"/aws/lambda/{target}", f"/aws/lambda/{function_name(target, stage)}"]
    else:
        from ..targets import service_name

        candidates = [f"/aws/lambda/{function_name(service_name(target), stage)}"]
    for group in candidates:
        found = clients.call("logs", "describe_log_groups", group, logGroupNamePrefix=group).get("logGroups", [])
        if any(g.get("logGroupName") == group for g in found):
            return group
    raise CloudError(
        f"No logs for {target!r} at stage {stage!r}: deploy it first, or name a function or a log group "
        f"(looked for {' and '.join(candidates)}).",
        resource=candidates[-1],
    )


class LogRecords(list[LogRecord]):
    """The records of one read, oldest first; shown as a table in notebooks and terminals."""

    def table(self) -> Table:
        rows = [(r.time.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], short_stream(r.stream), r.message.rstrip())
                for r in self]
        colours = ["#fdecea" if ("ERROR" in r.message or "Traceback" in r.message) else None for r in self]
        return Table(("time (UTC)", "stream", "message"), rows, title=f"{len(self)} log events", colours=colours)

    def __str__(self) -> str:
        return str(self.table())

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()


def short_stream(stream: str) -> str:
    """``2026/11/30/[1]0f3c...`` -> ``[1]0f3c5a``: enough to tell workers apart in a table."""
    tail = stream.rsplit("/", 1)[-1]
    return tail[: tail.find("]") + 7] if "]" in tail else tail[:12]


def read_logs(
    clients: Any,
    target: Any,
    *,
    stage: str = "dev",
    since: Any = "15m",
    until: Any = None,
    pattern: str | None = None,
    now: Now | None = None,
) -> LogRecords:
    """Every matching event of the range, oldest first."""
    compile_pattern(pattern)  # a malformed pattern is the user's mistake: say so before any call
    start, end = time_range(since, until, now)
    query = LogQuery(log_group_for(clients, target, stage), start, end, pattern)
    records = [r for page in query.pages(clients) for r in page]
    records.sort(key=lambda r: r.order)
    return LogRecords(records)


def follow_logs(
    clients: Any,
    target: Any,
    *,
    stage: str = "dev",
    since: Any = "15m",
    pattern: str | None = None,
    now: Now | None = None,
    interval: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    polls: int | None = None,
) -> Iterator[LogRecord]:
    """Yield events as they arrive, forever (or ``polls`` times): each once, in time order."""
    compile_pattern(pattern)
    start, _ = time_range(since, None, now)
    query = LogQuery(log_group_for(clients, target, stage), start, None, pattern)
    cursor = FollowCursor(start)
    done = 0
    while polls is None or done < polls:
        for page in query.pages(clients, cursor.start_time):
            yield from cursor.feed(page)
        done += 1
        if polls is None or done < polls:
            sleep(interval)
