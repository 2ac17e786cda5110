"""Log records parse JSON messages; the follow cursor returns each event exactly once, in time order."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from coworks.cloud.logs.records import FollowCursor, LogRecord


def record(ts: int, event_id: str, stream: str = "s", message: str = "m") -> LogRecord:
    return LogRecord(timestamp=ts, stream=stream, message=message, event_id=event_id)


def test_record_from_filter_log_events_event() -> None:
    event = {
        "logStreamName": "2024/05/01/[$LATEST]abc",
        "timestamp": 1_714_564_800_250,
        "message": '{"level": "ERROR", "n": 1}\n',
        "ingestionTime": 1_714_564_800_300,
        "eventId": "123",
    }
    rec = LogRecord.from_event(event)
    assert rec.stream == "2024/05/01/[$LATEST]abc" and rec.event_id == "123"
    assert rec.ingestion_time == 1_714_564_800_300
    assert rec.json == {"level": "ERROR", "n": 1}
    assert rec.time == datetime(2024, 5, 1, 12, 0, 0, 250_000, tzinfo=UTC)


def test_json_is_none_unless_the_message_is_a_json_object() -> None:
    assert record(0, "1", message="START RequestId: x Version: $LATEST").json is None
    assert record(0, "1", message="[1, 2]").json is None
    assert record(0, "1", message="{not json}").json is None
    assert record(0, "1", message="{}").json == {}
    assert LogRecord.from_event({"timestamp": 1, "eventId": "e"}).ingestion_time is None


def test_cursor_keeps_ids_seen_at_the_boundary() -> None:
    cursor = FollowCursor(start_time=100)
    assert [r.event_id for r in cursor.feed([record(101, "b", "s2"), record(100, "a"), record(99, "old")])] == [
        "a",
        "b",
    ]
    assert cursor.start_time == 101
    # the next poll starts at 101 (inclusive): b again, plus c that landed in the same millisecond later
    assert [r.event_id for r in cursor.feed([record(101, "b", "s2"), record(101, "c", "s1")])] == ["c"]
    assert [r.event_id for r in cursor.feed([record(101, "b"), record(101, "c")])] == []
    assert [r.event_id for r in cursor.feed([record(102, "d")])] == ["d"]


_events = st.lists(
    st.tuples(st.integers(0, 12), st.sampled_from(["a", "b", "c"])), max_size=40
).map(lambda rows: [record(ts, f"e{i}", stream) for i, (ts, stream) in enumerate(rows)])


@settings(max_examples=150, deadline=None)
@given(_events, st.data())
def test_polling_overlapping_windows_yields_every_event_once_in_order(
    events: list[LogRecord], data: st.DataObject
) -> None:
    arrival = sorted(events, key=lambda r: r.timestamp)  # stable: ties arrive in an arbitrary order
    cuts = sorted(data.draw(st.lists(st.integers(0, len(arrival)), max_size=8)))
    cursor = FollowCursor(start_time=0)
    out: list[LogRecord] = []
    for cut in [*cuts, len(arrival), len(arrival)]:
        page = [r for r in arrival[:cut] if r.timestamp >= cursor.start_time]
        extra = data.draw(st.lists(st.sampled_from(arrival[:cut]), max_size=3)) if cut else []
        page = data.draw(st.permutations(page + extra))  # streams interleave in any order, old events reappear
        out.extend(cursor.feed(page))
    assert sorted(r.event_id for r in out) == sorted(r.event_id for r in events)
    assert [r.timestamp for r in out] == sorted(r.timestamp for r in events)


def test_events_of_one_millisecond_keep_the_order_of_their_numeric_ids() -> None:
    # moto numbers events 0, 1, 2... and a local invocation stamps all its lines with one time
    cursor = FollowCursor(0)
    events = [record(5, "10", message="END"), record(5, "9", message="START"), record(4, "11", message="before")]
    assert [r.message for r in cursor.feed(events)] == ["before", "START", "END"]
    assert sorted(events, key=lambda r: r.order)[1].event_id == "9"


def test_one_level_for_every_printer_from_json_fields_then_words() -> None:
    def level(message: str) -> str:
        return LogRecord(1, "s", message, "1").level

    assert level('{"level": "error"}') == "ERROR"
    assert level('{"levelname": "WARN"}') == "WARNING"
    assert level('{"severity": "fatal"}') == "CRITICAL"
    assert level('{"level": "notice"}') == "NOTICE"  # a level the message names is kept, uppercased
    assert level('{"level": "INFO", "msg": "ERROR in the text does not count"}') == "INFO"
    assert level("Traceback (most recent call last):") == "ERROR"
    assert level("Exception on GET /\nTraceback (most recent call last):") == "ERROR"
    assert level("[ERROR] 2026-11-30 boom") == "ERROR"
    assert level("REPORT RequestId: 1\tDuration: 3.00 ms\tStatus: timeout") == "ERROR"
    assert level("2026-11-30T10:53:20Z 1 Task timed out after 3.00 seconds") == "ERROR"
    assert level("WARN disk almost full") == "WARNING"
    assert level("INFO all good, no ERROR here") == "INFO"
    assert level("TERRORS is a word") == ""
    assert level("START RequestId: 1 Version: 1") == ""
