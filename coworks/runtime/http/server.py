"""A small HTTP/1.1 server on 127.0.0.1: one event loop reads every connection, a bounded pool of
threads runs the application, and a request is run only once it has fully arrived.

What a client can and cannot make it do:

- A request is handed to the application only when its head and its whole body (framed by
  ``Content-Length`` or chunked, :mod:`.framing`) have arrived: headers without their closing
  empty line, or a body shorter than announced when the client leaves, are never run.
- Before the body is read the application ``admit``\\ s the head: it answers at once (a refused
  host, a missing token) or names the largest body it takes; a longer ``Content-Length`` is
  answered by ``too_large`` without reading it, a chunked body is cut off at the limit.
- Slow clients cost a coroutine, never a thread: the head must arrive within ``Timeouts.head``,
  a kept-alive connection waits ``Timeouts.idle`` for its next request, a body or an answer
  that stalls ``Timeouts.body`` is dropped. ``max_connections`` bounds how many are open.
- Connections are kept alive (HTTP/1.1, or 1.0 asking for it) and pipelined requests are
  answered one after the other, in order. After a refusal the connection is closed, and what
  the client still sends is read and dropped for ``Timeouts.linger`` so that it reads the answer.

Standard library only: ``app.serve()`` runs on it inside the runtime, and the local cloud's
front door puts its WSGI application on it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import formatdate

from .framing import (
    AnswerHeaderError,
    ChunkedBody,
    FramingError,
    Limits,
    RequestHead,
    answer_head,
    head_end,
    parse_head,
    refusal,
    skip_empty_lines,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    class HttpApp(Protocol):
        def admit(self, head: RequestHead) -> int | HttpAnswer: ...

        def too_large(self, head: RequestHead, limit: int) -> HttpAnswer: ...

        def __call__(self, request: HttpRequest) -> HttpAnswer: ...


HOST = "127.0.0.1"
_log = logging.getLogger("coworks.http")
_READ = 65536


@dataclass(frozen=True)
class Timeouts:
    """Seconds a client may take: for a request's head once it began, between two requests on a
    kept-alive connection, without progress in a body (or in reading an answer), and spent
    reading what a refused client still sends."""

    head: float = 10.0
    idle: float = 60.0
    body: float = 30.0
    linger: float = 2.0


@dataclass(frozen=True)
class HttpRequest:
    head: RequestHead
    body: bytes
    client: tuple[str, int]
    server: tuple[str, int]


@dataclass
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    close: bool = False  # close the connection after it


def json_answer(status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> HttpAnswer:
    return HttpAnswer(status, [("Content-Type", "application/json"), *(headers or [])], body)


INTERNAL = b'{"message":"Internal Server Error"}'


class HttpServer:
    """Listen on 127.0.0.1 (``port=0``: a free port, or a given listening ``sock``) and serve ``app``
    until ``stop()``: in a thread of its own (``start()``) or in this one (``serve_forever()``)."""

    def __init__(self, app: HttpApp, port: int = 0, *, sock: socket.socket | None = None, limits: Limits | None = None,
                 timeouts: Timeouts | None = None, threads: int = 64, max_connections: int = 1024,
                 backlog: int = 1024, name: str = "coworks-http") -> None:
        self.app = app
        self.limits = limits or Limits()
        self.timeouts = timeouts or Timeouts()
        self.max_connections = max_connections
        self.name = name
        self._backlog = backlog
        self._sock = sock if sock is not None else socket.create_server((HOST, port), backlog=backlog)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}"
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._connections: dict[asyncio.Task[Any], bool] = {}  # task -> running the application now
        self._date = (0, "")
        self.grace = 5.0
        #: Requests handed to the application so far, and those it is running now.
        self.served = 0
        self.running = 0

    # -- running ------------------------------------------------------------------------

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.serve_forever, name=self.name, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until ``stop()`` (or Ctrl-C)."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except KeyboardInterrupt:
            loop.run_until_complete(self._shutdown())
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)
            loop.close()
            self._ready.set()

    def stop(self, grace: float | None = None) -> None:
        """Stop listening, close idle connections, let running requests finish (``grace`` seconds)."""
        if grace is not None:
            self.grace = grace
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:  # the loop closed meanwhile
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.grace + 5)
        try:
            self._sock.close()
        except OSError:
            pass

    @property
    def connections(self) -> int:
        return len(self._connections)

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._connection, sock=self._sock, backlog=self._backlog, limit=_READ)
        self._server = server
        self._ready.set()
        await self._stopping.wait()
        await self._shutdown()

    async def _shutdown(self) -> None:
        server = getattr(self, "_server", None)
        if server is not None:
            server.close()
        for task, busy in list(self._connections.items()):
            if not busy:
                task.cancel()
        busy_tasks = [t for t, b in self._connections.items() if b]
        if busy_tasks:
            _, late = await asyncio.wait(busy_tasks, timeout=self.grace)
            for task in late:
                task.cancel()
        if server is not None:
            await server.wait_closed()

    # -- one connection -----------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self._connections) >= self.max_connections:
            writer.close()
            return
        self._connections[task] = False
        raw = writer.get_extra_info("socket")
        if raw is not None:
            try:
                raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        peer = writer.get_extra_info("peername") or ("", 0)
        local = writer.get_extra_info("sockname") or (HOST, self.port)
        buffer = bytearray()
        try:
            while await self._one(reader, writer, buffer, (str(peer[0]), int(peer[1])), (str(local[0]), int(local[1]))):
                pass
        except (ConnectionError, asyncio.CancelledError, TimeoutError, OSError):
            pass
        except Exception:  # noqa: BLE001 - a fault here must cost one connection, never the server
            _log.exception("The HTTP connection from %s failed", peer)
        finally:
            self._connections.pop(task, None)
            try:
                writer.close()
            except (OSError, RuntimeError):
                pass

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, buffer: bytearray,
                   peer: tuple[str, int], local: tuple[str, int]) -> bool:
        """Read, run and answer one request; whether the connection stays open for the next."""
        try:
            head = await self._read_head(reader, buffer)
        except FramingError as exc:
            await self._refuse(reader, writer, refusal(exc.status, exc.message))
            return False
        if head is None:
            return False
        try:
            admitted = self.app.admit(head)
        except Exception:  # noqa: BLE001
            _log.exception("Admitting %s %s failed", head.method, head.target)
            admitted = json_answer(500, INTERNAL)
        if isinstance(admitted, HttpAnswer):
            if head.has_body:
                admitted.close = True
            await self._write(writer, head, admitted)
            if head.has_body:
                await self._linger(reader, writer)
                return False
            return head.keep_alive and not admitted.close
        limit = admitted
        if head.content_length is not None and head.content_length > limit:
            await self._write(writer, head, self._too_large(head, limit))
            await self._linger(reader, writer)
            return False
        if head.expect_continue and head.has_body and not buffer:
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            body = await self._read_body(reader, buffer, head, limit)
        except FramingError as exc:
            answer = self._too_large(head, limit) if exc.status == 413 else None
            data = refusal(exc.status, exc.message) if answer is None else None
            if answer is not None:
                await self._write(writer, head, answer)
                await self._linger(reader, writer)
            else:
                await self._refuse(reader, writer, data or b"")
            return False
        if body is None:  # the client left, or stalled, before its body was whole: nothing runs
            return False
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = True
        self.running += 1
        self.served += 1
        try:
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(self._pool, self._call, HttpRequest(head, body, peer, local))
            keep = await self._write(writer, head, answer)
        finally:
            self.running -= 1
            self._connections[task] = False
        return keep and self._stopping is not None and not self._stopping.is_set()

    def _call(self, request: HttpRequest) -> HttpAnswer:
        try:
            return self.app(request)
        except Exception:  # noqa: BLE001 - the application's fault is a 500, never a dropped connection
            _log.exception("%s %s failed", request.head.method, request.head.target)
            return json_answer(500, INTERNAL, [])

    def _too_large(self, head: RequestHead, limit: int) -> HttpAnswer:
        try:
            answer = self.app.too_large(head, limit)
        except Exception:  # noqa: BLE001
            _log.exception("Refusing a large body failed")
            answer = json_answer(413, b'{"message":"Request Entity Too Large"}')
        answer.close = True
        return answer

    async def _read_head(self, reader: asyncio.StreamReader, buffer: bytearray) -> RequestHead | None:
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        while True:
            skip_empty_lines(buffer)
            found = head_end(buffer)
            if found is not None:
                if found[0] > self.limits.head:
                    raise FramingError(431, f"The request's head is over {self.limits.head} bytes.")
                data = bytes(buffer[: found[0]])
                del buffer[: found[1]]
                return parse_head(data, self.limits)
            if len(buffer) > self.limits.head:
                raise FramingError(431, f"The request's head is over {self.limits.head} bytes.")
            if buffer and deadline is None:
                deadline = loop.time() + self.timeouts.head
            wait = self.timeouts.idle if deadline is None else deadline - loop.time()
            if wait <= 0:
                raise FramingError(408, "The request's head did not arrive in time.")
            try:
                async with asyncio.timeout(wait):
                    chunk = await reader.read(_READ)
            except TimeoutError:
                if deadline is None:
                    return None  # an idle connection: closed quietly
                raise FramingError(408, "The request's head did not arrive in time.") from None
            if not chunk:
                return None  # the client left: a partial head is never run
            buffer += chunk

    async def _read_body(self, reader: asyncio.StreamReader, buffer: bytearray, head: RequestHead,
                         limit: int) -> bytes | None:
        if head.chunked:
            decoder = ChunkedBody(self.limits)
            decoder.feed(bytes(buffer))
            buffer.clear()
            while not decoder.done:
                if len(decoder.body) > limit:
                    raise FramingError(413, "The request body is too large.")
                chunk = await self._read(reader)
                if not chunk:
                    return None
                decoder.feed(chunk)
            if len(decoder.body) > limit:
                raise FramingError(413, "The request body is too large.")
            buffer += decoder.extra
            return bytes(decoder.body)
        need = head.content_length or 0
        while len(buffer) < need:
            chunk = await self._read(reader)
            if not chunk:
                return None
            buffer += chunk
        body = bytes(buffer[:need])
        del buffer[:need]
        return body

    async def _read(self, reader: asyncio.StreamReader) -> bytes:
        try:
            async with asyncio.timeout(self.timeouts.body):
                return await reader.read(_READ)
        except TimeoutError:
            return b""

    async def _write(self, writer: asyncio.StreamWriter, head: RequestHead, answer: HttpAnswer) -> bool:
        """Write the answer; whether the connection may serve another request."""
        keep = head.keep_alive and not answer.close
        no_body = head.method == "HEAD" or answer.status in (204, 304) or answer.status < 200
        try:
            data = answer_head(answer.status, answer.headers, body_length=len(answer.body),
                               head_request=head.method == "HEAD", keep_alive=keep, version=head.version,
                               date=self._http_date())
            body = b"" if no_body else answer.body
        except AnswerHeaderError as exc:
            _log.error("%s %s: %s The client got a 500 instead.", head.method, head.target, exc)
            keep = False
            data = answer_head(500, [("Content-Type", "application/json")], body_length=len(INTERNAL),
                               keep_alive=False, version=head.version, date=self._http_date())
            body = INTERNAL
        if len(body) < 65536:
            writer.write(data + body)
        else:
            writer.write(data)
            writer.write(body)
        async with asyncio.timeout(self.timeouts.body):
            await writer.drain()
        return keep

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        try:
            async with asyncio.timeout(self.timeouts.body):
                await writer.drain()
        except TimeoutError:
            return
        await self._linger(reader, writer)

    async def _linger(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Half-close, then read and drop what the client still sends, so that it reads our answer
        rather than a reset."""
        try:
            if writer.can_write_eof():
                writer.write_eof()
            loop = asyncio.get_running_loop()
            end = loop.time() + self.timeouts.linger
            while (left := end - loop.time()) > 0:
                async with asyncio.timeout(left):
                    if not await reader.read(_READ):
                        return
        except (TimeoutError, OSError):
            return

    def _http_date(self) -> str:
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, formatdate(now, usegmt=True))
        return self._date[1]
