"""``app.serve()``: the service over real HTTP on 127.0.0.1, for notebooks and local clients.

A threaded standard-library server with keep-alive; requests go to the same ``dispatch`` as
Lambda events, after the same route matching and authorizer that API Gateway applies.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .events.gateway import check_auth, matched_route
from .requests import MAX_BODY_BYTES, Headers, Request
from .responses import Response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .service import TechMicroService

HOST = "127.0.0.1"  # never beyond the loopback interface


class ServerHandle:
    """A running server: ``url``, ``port``, ``stop()``; usable as a context manager."""

    def __init__(self, server: ThreadingHTTPServer, thread: threading.Thread | None) -> None:
        self._server = server
        self._thread = thread
        self.port: int = server.server_address[1]
        self.url = f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ServerHandle {self.url}>"


def _handler_for(service: TechMicroService, log: Any = None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "coworks"
        # Headers and body leave in two writes: with Nagle on, a keep-alive client's delayed ACK
        # holds the body back 40 ms per request.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet: notebooks show results
            pass

        def _handle(self) -> None:
            if log is None:
                self._answer()
                return
            from time import perf_counter

            started = perf_counter()
            self._status = 0
            try:
                self._answer()
            finally:
                log(f"{self.command} {self.path} {self._status} {(perf_counter() - started) * 1000:.1f} ms")

        def _answer(self) -> None:
            method = self.command.upper()
            path, _, raw_query = self.path.partition("?")
            headers = Headers({k: v for k, v in self.headers.items()})
            try:
                length = int(headers.get("content-length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                self._send(Response({"message": "The Content-Length header is not a number."}, 400), method, close=True)
                return
            if length > MAX_BODY_BYTES:
                message = f"The request body exceeds {MAX_BODY_BYTES} bytes."
                self._send(Response({"message": message}, 413), method, close=True)
                return
            body = self.rfile.read(length) if length else b""
            route, path_params = matched_route(service, method, path)
            denied = check_auth(service, route, method, path, headers.get("authorization"), "2.0")
            if denied is not None:
                self._send(denied, method)
                return
            request = Request(
                method,
                path,
                raw_query=raw_query,
                headers=headers,
                body=body,
                path_params=path_params,
                request_id=_request_id(),
                source_ip=self.client_address[0],
            )
            response = service.dispatch(request, route.path if route else None)
            self._send(response, method)

        def _send(self, response: Response, method: str, close: bool = False) -> None:
            data = response.body_bytes()
            self._status = response.status_code
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                self.send_header(key, value)
            for cookie in response.cookies:
                self.send_header("Set-Cookie", cookie)
            if not any(key.lower() == "content-length" for key in response.headers):
                self.send_header("Content-Length", str(len(data)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    return Handler


def _request_id() -> str:
    import os

    return os.urandom(16).hex()


def serve(service: TechMicroService, port: int = 0, background: bool = True, *, log: Any = None,
          sock: Any = None) -> ServerHandle:
    """Start serving; in the background (a daemon thread) unless ``background=False``.

    ``log(line)`` hears one line per request (``GET /item/3 200 1.2 ms``); ``sock`` is a socket
    already bound and listening on 127.0.0.1 (what ``cws run --reload`` hands each restart).
    """
    handler = _handler_for(service, log)
    if sock is not None:
        server = ThreadingHTTPServer(sock.getsockname()[:2], handler, bind_and_activate=False)
        server.socket.close()
        server.socket = sock
        server.server_address = sock.getsockname()[:2]
    else:
        server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    if not background:
        handle = ServerHandle(server, None)
        print(f"Serving {service.name} on {handle.url} (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return handle
    thread = threading.Thread(target=server.serve_forever, name=f"coworks-{service.name}", daemon=True)
    thread.start()
    return ServerHandle(server, thread)
