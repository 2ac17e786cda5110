"""How ``cws logs`` prints a record: prefix, pretty JSON, colours by level and by stream."""

from __future__ import annotations

import json

from coworks.cli.logs import STREAM_COLOURS, LogPrinter
from coworks.cloud.logs.records import LogRecord

STAMP = 1_764_500_000_123  # 2025-11-30T10:53:20.123Z


def record(message: str, stream: str = "2026/11/30/[3]0f3c5a9b8e7d") -> LogRecord:
    return LogRecord(STAMP, stream, message, "1")


def test_plain_lines_carry_time_and_short_stream() -> None:
    assert LogPrinter().format(record("hello\n")) == "10:53:20.123 [3]0f3c5a hello"


def test_json_is_pretty_printed_under_its_prefix() -> None:
    text = LogPrinter().format(record(json.dumps({"level": "INFO", "n": 1})))
    pad = " " * len("10:53:20.123 [3]0f3c5a ")
    assert text.splitlines() == ["10:53:20.123 [3]0f3c5a {", pad + '  "level": "INFO",', pad + '  "n": 1', pad + "}"]


def test_colours_cycle_over_streams_and_mark_levels() -> None:
    printer = LogPrinter(colour=True)
    streams = [f"2026/11/30/[1]{i:032x}" for i in range(len(STREAM_COLOURS) + 1)]
    assert [printer.stream_colour(s) for s in streams] == [*STREAM_COLOURS, STREAM_COLOURS[0]]
    assert "\x1b[31m" in printer.format(record("ERROR broke"))
    assert "\x1b[33m" in printer.format(record("WARNING slow"))
    assert "\x1b[31m" not in printer.format(record("fine"))
