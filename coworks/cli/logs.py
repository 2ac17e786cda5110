"""``cws logs``: log records printed one line per event, prefixed by time and stream.

A terminal reader follows several workers at once, so each stream gets its own colour and a
short id (``[1]0f3c5a``); errors stand out in red and warnings in yellow; a JSON message
(structured logging) is pretty-printed under its prefix. Without a terminal (a pipe, a file, a
test) the same text comes out without colour.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import click

from ..cloud.logs.reader import short_stream
from ..cloud.logs.records import LogRecord
from .options import cloud_options

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..cloud.aws import AwsCloud


#: Stream colours, assigned in order of first appearance and cycled.
STREAM_COLOURS = ("cyan", "magenta", "blue", "green", "bright_cyan", "bright_magenta", "bright_blue", "bright_green")

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
        if data is not None:
            message = _readable(data)
        else:
            message = record.message.rstrip("\n")
        pad = " " * (len(prefix) + 1)
        message = message.replace("\n", "\n" + pad)
        if not self.colour:
            return f"{prefix} {message}"
        prefix = click.style(stamp, dim=True) + " " + click.style(short_stream(record.stream),
                                                                   fg=self.stream_colour(record.stream))
        level = record.level
        if level in ("ERROR", "CRITICAL"):
            message = click.style(message, fg="red", bold=True)
        elif level == "WARNING":
            message = click.style(message, fg="yellow")
        elif record.message.startswith(("START ", "END ", "REPORT ")):
            message = click.style(message, dim=True)
        return f"{prefix} {message}"

    def __call__(self, record: LogRecord) -> None:
        self.echo(self.format(record))


def _readable(data: object) -> str:
    """A JSON message pretty-printed; a traceback it carries (``traceback``, Lambda's ``stackTrace``)
    comes out below as the lines Python printed, not as one string full of ``\\n``."""
    trace = ""
    if isinstance(data, dict):
        found = data.get("traceback")
        frames = data.get("stackTrace")
        if isinstance(found, str) and "\n" in found.strip():
            data = {k: v for k, v in data.items() if k != "traceback"}
            trace = found.rstrip("\n")
        elif isinstance(frames, list) and frames and all(isinstance(f, str) for f in frames):
            data = {k: v for k, v in data.items() if k != "stackTrace"}
            trace = "Traceback (most recent call last):\n" + "".join(frames).rstrip("\n")
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return f"{text}\n{trace}" if trace else text


@click.command()
@click.argument("target")
@click.option("--since", default="15m", show_default=True, help="Start: 5m, 2h30m, 1d or an ISO timestamp.")
@click.option("--until", default=None, help="End (default: now): same forms as --since.")
@click.option("--pattern", default=None, help="CloudWatch filter pattern: ERROR, '{ $.level = \"ERROR\" }'...")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new events until Ctrl-C.")
@click.option("--color/--no-color", "colour", default=None, help="Colour (default: when stdout is a terminal).")
@cloud_options
def logs(cloud: AwsCloud, target: str, stage: str, since: str, until: str | None, pattern: str | None,
         follow: bool, colour: bool | None) -> None:
    """Print the CloudWatch logs of TARGET: a service (at --stage), a function or a /log/group."""
    if follow and until is not None:
        raise click.BadParameter("--until cannot be used with --follow.", param_hint="--until")
    printer = LogPrinter(colour=sys.stdout.isatty() if colour is None else colour)
    records = cloud.logs(target, since=since, until=until, pattern=pattern, follow=follow, stage=stage)
    try:
        for record in records:
            printer(record)
    except KeyboardInterrupt:
        return
