"""The log viewer, driven by its methods over a fake cloud: pages, follow, filter, colours,
levels, JSON, masked secrets, and errors as one sentence."""

from __future__ import annotations

import json
from typing import Any

from coworks.cloud.logs.patterns import compile_pattern
from coworks.cloud.logs.records import LogRecord
from coworks.cloud.logs.timespec import time_range
from coworks.notebook import LogViewer
from coworks.notebook.logviewer import stream_colour, stream_index

T0 = 1_796_000_000_000
A, B = "2026/11/30/[1]aaaaaaaaaaaa", "2026/11/30/[1]bbbbbbbbbbbb"


def record(index: int, message: str, stream: str = A, at: int | None = None) -> LogRecord:
    return LogRecord(T0 + index if at is None else at, stream, message, f"{index:08d}")


class FakeCloud:
    """``logs()`` as the cloud layer answers it: the range, the pattern, oldest first."""

    def __init__(self, records: list[LogRecord]) -> None:
        self.records = records
        self.calls: list[dict[str, Any]] = []

    def logs(self, target: Any, since: Any = "15m", until: Any = None, pattern: str | None = None,
             follow: bool = False, *, stage: str = "dev") -> list[LogRecord]:
        start, end = time_range(since, until, now=lambda: _at(T0 + 60_000))
        self.calls.append({"target": target, "since": since, "pattern": pattern, "stage": stage})
        matcher = compile_pattern(pattern) if pattern else None
        return [r for r in self.records if r.timestamp >= start and (end is None or r.timestamp <= end)
                and (matcher is None or matcher.matches(r.message))]


def _at(ms: int) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def test_fifty_thousand_events_are_paged_not_rendered() -> None:
    viewer = LogViewer(FakeCloud([]), "inventory", page_size=100)
    viewer.load([record(i, f"line {i}", A if i % 2 else B) for i in range(50_000)])
    assert viewer.position == "events 1-100 of 50,000 (page 1 of 500)"
    first = viewer.page_html()
    assert first.count('class="coworks-log-row"') == 100 and "line 99<" in first and "line 100<" not in first
    viewer.next_page()
    assert viewer.page_records()[0].message == "line 100"
    viewer.go(-1)
    assert viewer.position == "events 49,901-50,000 of 50,000 (page 500 of 500)"
    viewer.go(10_000)
    assert viewer.page == 499
    viewer.widget  # noqa: B018
    assert len(viewer._view.page.value.encode()) < 20_000  # the browser gets one page


def test_streams_interleave_in_colour_levels_highlight_json_is_pretty_and_secrets_masked() -> None:
    lines = [
        record(0, "START RequestId: 1 Version: 1", A),
        record(1, json.dumps({"level": "ERROR", "msg": "boom", "password": "hunter2", "user": {"api_key": "k-9"}}), B),
        record(2, "WARNING low stock", A),
        record(3, "calling with Authorization: Bearer abc.def and token=xyz", B),
    ]
    viewer = LogViewer(FakeCloud(lines), "inventory")
    viewer.fetch()
    page = viewer.page_html()
    assert [r.level for r in lines] == ["", "ERROR", "WARNING", ""]
    assert page.index("START") < page.index("boom") < page.index("low stock")  # time order, both streams
    assert stream_colour(A) != stream_colour(B) and f'class="cw-s{stream_index(B)}"' in page
    assert f".cw-s{stream_index(B)}{{color:{stream_colour(B)}}}" in page  # the light palette; the dark one beside
    assert 'class="coworks-log-row cw-error"' in page and 'class="coworks-log-row cw-warning"' in page
    assert "&quot;msg&quot;: &quot;boom&quot;,\n" in page  # indented JSON
    for secret in ("hunter2", "k-9", "abc.def", "xyz"):
        assert secret not in page and secret not in str(viewer)
    assert page.count("••••") == 4


def test_range_and_filter_go_to_the_cloud_and_a_bad_time_is_one_sentence() -> None:
    cloud = FakeCloud([record(i, "ERROR x" if i % 10 == 0 else "ok") for i in range(100)])
    viewer = LogViewer(cloud, "inventory", stage="prod", page_size=5)
    viewer.filter("ERROR")
    assert len(viewer.records) == 10 and cloud.calls[-1] == {"target": "inventory", "since": "15m",
                                                              "pattern": "ERROR", "stage": "prod"}
    viewer.set_range("2026-11-29T00:00:00Z", "2026-11-29T01:00:00Z")
    assert viewer.records == [] and viewer.position == "no events"
    viewer.set_range("yesterday")
    assert viewer.error is not None and viewer.error.startswith("Cannot read 'yesterday' as a time: use a relative")
    viewer.widget  # noqa: B018
    assert "coworks-error" in viewer._view.page.value and "Traceback" not in viewer._view.page.value


def test_follow_adds_only_new_events_and_shows_the_newest_page() -> None:
    cloud = FakeCloud([record(i, f"old {i}") for i in range(12)])
    viewer = LogViewer(cloud, "inventory", page_size=5, interval=3600)
    viewer.following = True  # follow mode without its thread: the test polls by calling refresh()
    viewer.refresh()
    assert len(viewer.records) == 12 and viewer.page == 2
    cloud.records += [record(11, "same ms, new id", at=T0 + 11), record(20, "new 20"), record(21, "new 21")]
    cloud.records[-3] = LogRecord(T0 + 11, A, "same ms, new id", "x-new")
    viewer.refresh()
    assert [r.message for r in viewer.records[12:]] == ["same ms, new id", "new 20", "new 21"]
    viewer.refresh()
    assert len(viewer.records) == 15 and viewer.page == viewer.pages - 1


def test_the_follow_toggle_starts_and_stops_its_thread() -> None:
    viewer = LogViewer(FakeCloud([record(0, "a")]), "inventory", interval=3600)
    viewer.widget  # noqa: B018
    viewer._view.follow.value = True
    assert viewer.following and viewer._thread is not None and viewer._thread.is_alive()
    thread = viewer._thread
    viewer.close()
    assert not viewer.following and not thread.is_alive() and viewer._view.follow.value is False


def test_the_refresh_button_reads_what_the_controls_say() -> None:
    cloud = FakeCloud([record(i, "ERROR x" if i % 2 else "ok") for i in range(10)])
    viewer = LogViewer(cloud, "inventory")
    viewer.widget  # noqa: B018
    view = viewer._view
    view.target.value, view.pattern.value, view.since.value = "/aws/lambda/other-dev", "ERROR", "1m"
    view.fetch.click()
    assert cloud.calls[-1] == {"target": "/aws/lambda/other-dev", "since": "1m", "pattern": "ERROR", "stage": "dev"}
    assert len(viewer.records) == 5 and "events 1-5 of 5" in view.page.value
    viewer.set_target("inventory")
    assert cloud.calls[-1]["target"] == "inventory" and len(viewer.records) == 5


def test_displayed_it_loads_at_once_and_enter_applies_the_filter() -> None:
    cloud = FakeCloud([record(0, "ERROR boom"), record(1, "all fine")])
    viewer = LogViewer(cloud, "inventory")
    view = viewer.widget  # noqa: F841 - displaying it reads the events
    assert len(cloud.calls) == 1 and len(viewer.records) == 2 and "all fine" in viewer._view.page.value
    viewer._view.pattern.value = "ERROR"  # what Enter (or leaving the box) sends
    assert cloud.calls[-1]["pattern"] == "ERROR" and [r.message for r in viewer.records] == ["ERROR boom"]
    assert viewer._view.pattern.continuous_update is False  # not one query per key


def test_follow_uses_the_filter_shown() -> None:
    cloud = FakeCloud([record(0, "ERROR boom"), record(1, "all fine")])
    viewer = LogViewer(cloud, "inventory", interval=3600)
    viewer.widget  # noqa: B018
    viewer._view.pattern.unobserve_all("value")  # typed, not yet sent on its own
    viewer._view.pattern.value = "fine"
    viewer._view.follow.value = True
    try:
        assert viewer.pattern == "fine" and cloud.calls[-1]["pattern"] == "fine"
        assert [r.message for r in viewer.records] == ["all fine"]
    finally:
        viewer.close()


def test_the_static_form_is_laid_out_like_the_live_one_in_both_themes() -> None:
    viewer = LogViewer(FakeCloud([record(0, "ERROR boom " + "x" * 300)]), "inventory")
    viewer.fetch()
    shown = viewer._repr_html_()
    assert "text-align:left !important" in shown and "margin:0 !important" in shown  # reports centre tables
    assert "word-break:normal" in shown and "overflow-wrap:break-word" in shown  # no mid-word breaks
    assert "#fdecea" not in shown and 'body[data-jp-theme-light="false"]' in shown
