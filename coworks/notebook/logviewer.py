"""The log viewer: a service's CloudWatch logs, a page at a time, with follow mode.

Records are fetched through ``cloud.logs`` (the cloud layer does the querying) and kept in
Python; the browser only ever receives the HTML of one page, so 50,000 events cost what 100 do.
Streams are interleaved in time order and told apart by colour, JSON messages are pretty-printed,
levels are highlighted, and secret-looking values are masked before anything is rendered.

Every action is a method (``set_range``, ``filter``, ``fetch``, ``refresh``, ``next_page``...),
so tests drive it without a browser; ``follow(True)`` only calls ``refresh`` from a thread.
"""

from __future__ import annotations

import html
import json
import threading
import zlib
from collections.abc import Sequence
from typing import Any

from ..errors import CoworksError
from .redaction import mask_mapping, mask_text
from .shown import Shown
from .theme import STREAMS, STYLE, TINTS

#: A stream's colour in the light theme (the dark theme's palette is ``theme.STREAMS``).
STREAM_COLOURS = tuple(light for light, _ in STREAMS)
# Translucent tints: the theme's text colour stays readable over them, light or dark.
LEVEL_COLOURS = {"ERROR": TINTS["error"], "CRITICAL": TINTS["error"], "FATAL": TINTS["error"],
                 "WARNING": TINTS["warning"], "WARN": TINTS["warning"], "DEBUG": TINTS["debug"]}
# One style block per page; rows carry classes, so a page of 100 events stays a few kilobytes. The
# layout is explicit (left-aligned, long words wrapped only at their end) so an exported report,
# whose stylesheet centres tables and right-aligns cells, reads like the live widget.
_STYLE = STYLE + (
    "<style>.coworks-logs{border-collapse:collapse;font-family:var(--jp-code-font-family,monospace);font-size:12px;"
    "margin:0 !important;color:var(--jp-content-font-color1,#212121)}"
    ".coworks-logs td{padding:1px 6px;vertical-align:top;border-bottom:1px solid var(--jp-border-color2,#e0e0e0);"
    "white-space:nowrap;text-align:left !important;color:inherit}"
    ".coworks-logs td:last-child{white-space:normal;width:100%}"
    ".coworks-logs pre{margin:0;white-space:pre-wrap;word-break:normal;overflow-wrap:break-word;"
    "text-align:left;color:inherit;background:transparent;padding:0}"
    ".coworks-log-viewer .coworks-log-position{text-align:left}"
    + "".join(f".coworks-logs tr.cw-{level.lower()}{{background:{colour}}}" for level, colour in LEVEL_COLOURS.items())
    + "</style>"
)


def stream_index(stream: str) -> int:
    """The same palette slot for a stream on every page and every run."""
    return zlib.crc32(stream.encode()) % len(STREAMS)


def stream_colour(stream: str) -> str:
    """The stream's colour in the light theme (its class ``cw-s<n>`` switches in the dark one)."""
    return STREAM_COLOURS[stream_index(stream)]


def render_message(record: Any) -> str:
    """The message as HTML: JSON pretty-printed, secret-looking values masked."""
    data = record.json
    if data is not None:
        text = json.dumps(mask_mapping(data), indent=2, ensure_ascii=False)
    else:
        text = mask_text(record.message.rstrip())
    return html.escape(text)


class LogViewer(Shown):
    """``LogViewer(cloud, target)``: target is a service (object, class, ``"module:app"`` or name),
    a function name or a log group; ``since``/``until`` are relative (``15m``) or absolute (ISO)."""

    def __init__(self, cloud: Any, target: Any, *, stage: str = "dev", since: str = "15m", until: str | None = None,
                 pattern: str = "", page_size: int = 100, interval: float = 2.0) -> None:
        self.cloud = cloud
        self.target = target
        self.stage = stage
        self.since: Any = since
        self.until: Any = until
        self.pattern = pattern
        self.page_size = page_size
        self.interval = interval
        self.records: list[Any] = []
        self.page = 0
        self.following = False
        self.error: str | None = None
        self._cursor: Any = None
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fetched = False
        self._view: Any = None

    # -- actions ---------------------------------------------------------------------------

    def set_target(self, target: Any) -> None:
        """Another service, function name or ``/log/group``, read at once."""
        self.target = target
        self.fetch()

    def set_range(self, since: Any, until: Any = None) -> None:
        """A new time range, read at once: ``since="1h"``, or ISO timestamps for both ends."""
        self.since, self.until = since, (until or None)
        self.fetch()

    def filter(self, pattern: str) -> None:
        """A CloudWatch filter pattern (``ERROR``, ``{ $.status = 500 }``); empty for every event."""
        self.pattern = pattern
        self.fetch()

    def fetch(self) -> None:
        """Read the whole range again and show its first page (its last when following)."""
        def work() -> None:
            self._fetched = True
            records = self.cloud.logs(self.target, since=self.since, until=self.until,
                                      pattern=self.pattern or None, stage=self.stage)
            self.load(records)
            self._cursor = self._new_cursor() if self.following else None

        self._guard(work)

    def refresh(self) -> None:
        """Follow mode's poll (also a button): add the events that arrived since the last read."""
        if not self.following or self._cursor is None:
            self.fetch()
            return

        def work() -> None:
            cursor = self._cursor
            fresh = cursor.feed(self.cloud.logs(self.target, since=cursor.start_time, pattern=self.pattern or None,
                                                stage=self.stage))
            if fresh:
                with self._lock:
                    self.records.extend(fresh)
                    self.page = self.pages - 1
                self._refresh()

        self._guard(work)

    def follow(self, on: bool = True) -> None:
        """Start (or stop) polling every ``interval`` seconds in a thread, showing the newest page."""
        if on == self.following:
            return
        self.following = on
        if on:
            self.until = None
            self.refresh()
            self._stop.clear()
            self._thread = threading.Thread(target=self._poll, name="coworks-log-follow", daemon=True)
            self._thread.start()
        else:
            self._stop.set()
            thread, self._thread = self._thread, None
            if thread is not None and thread is not threading.current_thread():
                thread.join()
            self._cursor = None
        self._refresh()

    def load(self, records: Sequence[Any]) -> None:
        """Show records already fetched (oldest first), from the first page."""
        with self._lock:
            self.records = list(records)
            self.page = self.pages - 1 if self.following else 0
        self._refresh()

    def go(self, page: int) -> None:
        """Page ``page`` (0-based; negative counts from the end), clamped to the pages there are."""
        if page < 0:
            page += self.pages
        self.page = min(max(page, 0), self.pages - 1)
        self._refresh()

    def next_page(self) -> None:
        self.go(self.page + 1)

    def previous_page(self) -> None:
        self.go(self.page - 1)

    def close(self) -> None:
        self.follow(False)

    # -- state -----------------------------------------------------------------------------

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.records) // self.page_size))

    def page_records(self) -> list[Any]:
        start = self.page * self.page_size
        return self.records[start:start + self.page_size]

    def _new_cursor(self) -> Any:
        """A follow cursor past the records shown: the next poll yields only newer events."""
        from ..cloud.logs.records import FollowCursor
        from ..cloud.logs.timespec import parse_time

        start = self.records[-1].timestamp if self.records else parse_time(self.since)
        cursor = FollowCursor(start)
        cursor.feed([r for r in self.records if r.timestamp == start])
        return cursor

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            self.refresh()

    def _guard(self, work: Any) -> None:
        self.error = None
        try:
            work()
        except CoworksError as exc:
            self.error = mask_text(str(exc))
        except Exception as exc:  # noqa: BLE001 - shown to the user as one sentence
            self.error = mask_text(f"{type(exc).__name__}: {exc}")
        if self.error:
            self._refresh()

    # -- display ---------------------------------------------------------------------------

    @property
    def position(self) -> str:
        """``events 101-200 of 50,000 (page 2 of 500)``."""
        total = len(self.records)
        if not total:
            return "no events"
        first = self.page * self.page_size + 1
        last = min(first + self.page_size - 1, total)
        return f"events {first:,}-{last:,} of {total:,} (page {self.page + 1:,} of {self.pages:,})"

    def page_html(self) -> str:
        """The current page as one HTML table: all the browser ever receives of the records."""
        rows = []
        for record in self.page_records():
            level = record.level
            css = f"coworks-log-row cw-{level.lower()}" if level in LEVEL_COLOURS else "coworks-log-row"
            rows.append(
                f'<tr class="{css}"><td>{record.time.strftime("%H:%M:%S.%f")[:-3]}</td>'
                f'<td class="cw-s{stream_index(record.stream)}" title="{html.escape(record.stream)}">'
                f"{html.escape(_short(record.stream))}</td><td><b>{html.escape(level)}</b></td>"
                f"<td><pre>{render_message(record)}</pre></td></tr>"
            )
        error = f'<div class="coworks-error">{html.escape(self.error)}</div>' if self.error else ""
        return (
            f'{_STYLE}{error}<div class="coworks-log-position">{html.escape(self.position)}</div>'
            f'<table class="coworks-logs">{"".join(rows)}</table>'
        )

    def __str__(self) -> str:
        lines = [f"{self.target_name} logs since {self.since}: {self.position}"]
        if self.error:
            lines.append(f"Error: {self.error}")
        for record in self.page_records():
            lines.append(f"{record.time:%H:%M:%S} {_short(record.stream)} {mask_text(record.message.rstrip())}")
        return "\n".join(lines)

    @property
    def target_name(self) -> str:
        return self.target if isinstance(self.target, str) else str(getattr(self.target, "name", self.target))

    def _repr_html_(self) -> str:
        return f'<div class="coworks-log-viewer coworks-themed">{self.page_html()}</div>'

    def _make_view(self) -> Any:
        view = _ViewerView(self)
        if not self.records and self.error is None and not self._fetched:
            self._view = view
            self.fetch()  # displayed: show the events at once, not an empty table until Refresh
        return view


def _short(stream: str) -> str:
    from ..cloud.logs.reader import short_stream

    return short_stream(stream)


class _ViewerView:
    """The ipywidgets front of a LogViewer: the controls call its methods, nothing more."""

    def __init__(self, viewer: LogViewer) -> None:
        import ipywidgets as w

        self.viewer = viewer
        self.target = w.Text(value=viewer.target_name, description="target",
                             placeholder="service, function or /log/group")
        self.since = w.Text(value=str(viewer.since), description="since", layout=w.Layout(width="200px"))
        self.until = w.Text(value=str(viewer.until or ""), description="until", placeholder="now",
                            layout=w.Layout(width="200px"))
        # continuous_update=False: the value reaches Python on Enter (or leaving the box), not per key
        self.pattern = w.Text(value=viewer.pattern, description="filter", placeholder="CloudWatch pattern, Enter",
                              continuous_update=False)
        self.follow = w.ToggleButton(value=viewer.following, description="Follow", icon="play")
        self.fetch = w.Button(description="Refresh", icon="refresh")
        self.first = w.Button(description="«", layout=w.Layout(width="40px"))
        self.previous = w.Button(description="‹", layout=w.Layout(width="40px"))
        self.next = w.Button(description="›", layout=w.Layout(width="40px"))
        self.last = w.Button(description="»", layout=w.Layout(width="40px"))
        self.page = w.HTML()
        self.box = w.VBox([
            w.HBox([self.target, self.since, self.until]),
            w.HBox([self.pattern, self.fetch, self.follow]),
            w.HBox([self.first, self.previous, self.next, self.last]),
            self.page,
        ])
        self.box.add_class("coworks-log-viewer")
        self.box.add_class("coworks-themed")
        self.fetch.on_click(lambda _: self._read())
        self.pattern.observe(lambda change: self._read(), names="value")  # Enter applies the filter
        for box in (self.target, self.since, self.until):
            box.continuous_update = False
        self.follow.observe(lambda change: self._follow(change["new"]), names="value")
        self.first.on_click(lambda _: viewer.go(0))
        self.previous.on_click(lambda _: viewer.previous_page())
        self.next.on_click(lambda _: viewer.next_page())
        self.last.on_click(lambda _: viewer.go(-1))
        self.refresh()

    def _take_inputs(self) -> None:
        viewer = self.viewer
        if self.target.value != viewer.target_name:  # a service object shows as its name: keep it unless edited
            viewer.target = self.target.value
        viewer.since, viewer.until, viewer.pattern = self.since.value, self.until.value or None, self.pattern.value

    def _read(self) -> None:
        self._take_inputs()
        self.viewer.fetch()

    def _follow(self, on: bool) -> None:
        if on == self.viewer.following:
            return
        if on:  # follow what the boxes show, not what was last applied
            self._take_inputs()
            self.viewer._cursor = None
        self.viewer.follow(on)

    def refresh(self) -> None:
        self.page.value = self.viewer.page_html()
        if self.follow.value != self.viewer.following:
            self.follow.value = self.viewer.following
