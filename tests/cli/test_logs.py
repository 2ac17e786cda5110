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


def test_a_traceback_inside_a_json_line_prints_as_its_lines() -> None:
    trace = ('Traceback (most recent call last):\n  File "shop.py", line 9, in get_boom\n    1 / 0\n'
             "ZeroDivisionError: x\n")
    text = LogPrinter().format(record(json.dumps({"level": "ERROR", "type": "error", "traceback": trace})))
    pad = " " * len("10:53:20.123 [3]0f3c5a ")
    lines = text.splitlines()
    assert "\\n" not in text and '"traceback"' not in text
    assert lines[-4:] == [pad + "Traceback (most recent call last):", pad + '  File "shop.py", line 9, in get_boom',
                          pad + "    1 / 0", pad + "ZeroDivisionError: x"]
    lambda_error = {"errorMessage": "x", "errorType": "ZeroDivisionError",
                    "stackTrace": ['  File "shop.py", line 9, in get_boom\n    1 / 0\n']}
    shown = LogPrinter().format(record(json.dumps(lambda_error))).splitlines()
    assert shown[-3:] == [pad + "Traceback (most recent call last):", pad + '  File "shop.py", line 9, in get_boom',
                          pad + "    1 / 0"]
