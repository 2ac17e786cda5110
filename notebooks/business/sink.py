"""A local SMTP sink for the runbooks: an SMTP server on 127.0.0.1 that keeps what it receives,
so a runbook on the embedded local cloud shows the mails its workflow sent (aiosmtpd, a dev
dependency). No TLS, no login: point the Mail service at it with ``MAIL_SECURITY=none``."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any


@dataclass(frozen=True)
class Received:
    """One message as the sink got it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def attachments(self) -> dict[str, bytes]:
        """Each attachment's bytes by file name."""
        return {part.get_filename() or "": bytes(part.get_payload(decode=True) or b"")
                for part in self.message.iter_attachments()}

    def html(self) -> str:
        body = self.message.get_body(("html",))
        return str(body.get_content()).replace("\r\n", "\n") if body is not None else ""

    def __str__(self) -> str:
        files = ", ".join(f"{name} ({len(data)} bytes)" for name, data in self.attachments().items())
        return (f"to {', '.join(self.rcpt_tos)}: {self.message['Subject']}"
                + (f"\n    attached: {files}" if files else ""))


class SmtpSink:
    """``SmtpSink()``: ``.port``, ``.received`` (a list of :class:`Received`), ``.stop()``."""

    def __init__(self) -> None:
        from aiosmtpd.smtp import SMTP

        self.received: list[Received] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
                sink.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
                return "250 OK kept by the runbook's sink"

        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:  # its own event loop in its own thread (a kernel's loop is busy)
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                self._loop.create_server(lambda: SMTP(Handler(), loop=self._loop), "127.0.0.1", 0))
            self.port = int(self._server.sockets[0].getsockname()[1])
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True, name="coworks-smtp-sink")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("The SMTP sink did not start within 10 s.")

    def settings(self) -> dict[str, str]:
        """The Mail service's settings that send to this sink."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.port), "MAIL_SECURITY": "none"}

    def stop(self) -> None:
        def close() -> None:
            self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(close)
        self._thread.join(10)
