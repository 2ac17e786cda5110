"""A real SMTP server on 127.0.0.1 for the mail tests: aiosmtpd with STARTTLS (or implicit TLS)
and AUTH, recording each message as received, and refusing the recipients it is told to.

Also ``StallingServer``: accepts connections and never says a word, like a relay that hangs.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes  # as the server got it after DATA (dot-unstuffed), CRLF line ends
    mail_options: list[str]
    login: str | None


@dataclass
class Handler:
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        content = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content,
                                      list(envelope.mail_options), login))
        return "250 2.0.0 OK queued as TEST1"


class SmtpServer:
    """``SmtpServer(cert, security="starttls", users={"shop": "s3cret"})``; ``.port``, ``.received``."""

    def __init__(self, context: ssl.SSLContext | None, *, security: str = "starttls",
                 users: dict[str, str] | None = None, refuse: dict[str, str] | None = None,
                 smtputf8: bool = False) -> None:
        self.handler = Handler(refuse=dict(refuse or {}))
        self.users = dict(users or {})
        self.logins: list[tuple[str, bool]] = []  # (login, accepted)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._security = security
        self._context = context
        self._smtputf8 = smtputf8
        self._server: Any = None
        self._thread.start()
        self._ready.wait(10)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        accepted = self.users.get(login) == password
        self.logins.append((login, accepted))
        return AuthResult(success=accepted, handled=False, auth_data=auth_data)

    def _factory(self) -> SMTP:
        starttls = self._security == "starttls"
        return SMTP(self.handler, loop=self._loop, hostname="mail.test", enable_SMTPUTF8=self._smtputf8,
                    tls_context=self._context if starttls else None, require_starttls=starttls,
                    authenticator=self._authenticate if self.users else None,
                    auth_require_tls=self._security == "starttls", data_size_limit=2_000_000)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        implicit = self._context if self._security == "ssl" else None
        self._server = self._loop.run_until_complete(
            self._loop.create_server(self._factory, "127.0.0.1", 0, ssl=implicit))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        def close() -> None:
            self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(close)
        self._thread.join(10)


class StallingServer:
    """Accepts TCP connections on 127.0.0.1 and never answers; closes them all on stop()."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self._conns:
            conn.close()
        self._listener.close()


class TricklingServer(StallingServer):
    """Sends its SMTP greeting one byte at a time, each well within a socket timeout: only a
    deadline on the whole conversation stops a client from waiting for ever."""

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        for byte in b"220 mail.test ESMTP" * 100:
            if self._stop.wait(0.05):
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
