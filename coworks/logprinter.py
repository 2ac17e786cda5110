"""Log records as ``cws logs`` prints them: one line per event, prefixed by time and stream.

A terminal reader follows several workers at once, so each stream gets its own colour and a
short id (``[1]0f3c5a``); errors stand out in red and warnings in yellow; a JSON message
(structured logging) is pretty-printed under its prefix. Without a terminal (a pipe, a file, a
test) the same text comes out without colour.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import click

from .cloud.logrecords import LogRecord
from .cloud.logs import short_stream

#: Stream colours, assigned in order of first appearance and cycled.
STREAM_COLOURS = ("cyan", "magenta", "blue", "green", "bright_cyan", "bright_magenta", "bright_blue", "bright_green")
_ERROR = re.compile(r"\b(ERROR|CRITICAL|FATAL|Traceback)\b|Task timed out|Status: (error|timeout)")
_WARNING = re.compile(r"\bWARN(ING)?\b")


def level_of(record: LogRecord) -> str | None:
    """``"error"``, ``"warning"`` or None: from a JSON message's level field, else from its words."""
    data = record.json
    if data is not None:
        level = str(data.get("level") or data.get("levelname") or data.get("severity") or "").upper()
        if level in ("ERROR", "CRITICAL", "FATAL"):
            return "error"
        if level in ("WARN", "WARNING"):
            return "warning"
        if level:
            return None
    if _ERROR.search(record.message):
        return "error"
    if _WARNING.search(record.message):
        return "warning"
    return None


class LogPrinter:
    """Formats records for a terminal (``colour=True``) or for plain text, and writes them."""

    def __init__(self, echo: Callable[[str], None] | None = None, colour: bool = False) -> None:
        # click.echo drops styles when stdout is not a terminal: pass the decision on explicitly.
        self.echo = echo if echo is not None else lambda text: click.echo(text, color=colour)
        self.colour = colour
        self._streams: dict[str, str] = {}

    def stream_colour(self, stream: str) -> str:
        if stream not in self._streams:
            self._streams[stream] = STREAM_COLOURS[len(self._streams) % len(STREAM_COLOURS)]
        return self._streams[stream]

    def format(self, record: LogRecord) -> str:
        """``HH:MM:SS.mmm [1]0f3c5a message``, the message pretty-printed when it is JSON."""
        stamp = record.time.strftime("%H:%M:%S.%f")[:-3]
        prefix = f"{stamp} {short_stream(record.stream)}"
        data = record.json
        message = json.dumps(data, indent=2, ensure_ascii=False) if data is not None else record.message.rstrip("\n")
        pad = " " * (len(prefix) + 1)
        message = message.replace("\n", "\n" + pad)
        if not self.colour:
            return f"{prefix} {message}"
        prefix = click.style(stamp, dim=True) + " " + click.style(short_stream(record.stream),
                                                                   fg=self.stream_colour(record.stream))
        level = level_of(record)
        if level == "error":
            message = click.style(message, fg="red", bold=True)
        elif level == "warning":
            message = click.style(message, fg="yellow")
        elif record.message.startswith(("START ", "END ", "REPORT ")):
            message = click.style(message, dim=True)
        return f"{prefix} {message}"

    def __call__(self, record: LogRecord) -> None:
        self.echo(self.format(record))
