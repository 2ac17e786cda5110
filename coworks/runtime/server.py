"""``app.serve()``: the service over real HTTP on 127.0.0.1, for notebooks and local clients.

It runs on the runtime's own HTTP/1.1 server (:mod:`.http.server`): keep-alive and pipelining,
chunked bodies, a request run only once it has fully arrived, slow clients dropped without a
thread each, and API Gateway's 10 MB body limit (413 ``{"message":"Request Entity Too Large"}``
before the body is read). Requests go to the same ``dispatch`` as Lambda events, after the same
route matching and authorizer that API Gateway applies.
"""

from __future__ import annotations

from .events.gateway import check_auth, matched_route
from .requests import MAX_BODY_BYTES, Headers, Request
from .responses import Response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .http.framing import RequestHead
    from .http.server import HttpAnswer, HttpRequest, HttpServer, Timeouts
    from .service import TechMicroService

HOST = "127.0.0.1"  # never beyond the loopback interface
TOO_LARGE = b'{"message":"Request Entity Too Large"}'  # API Gateway's answer, byte for byte


class ServerHandle:
    """A running server: ``url``, ``port``, ``stop()``; usable as a context manager."""

    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self.port: int = server.port
        self.url = f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ServerHandle {self.url}>"


class ServiceApp:
    """The service as the HTTP server's application: what API Gateway would do, then ``dispatch``."""

    def __init__(self, service: TechMicroService, log: Any = None) -> None:
        self.service = service
        self.log = log

    def admit(self, head: RequestHead) -> int:
        return MAX_BODY_BYTES

    def too_large(self, head: RequestHead, limit: int) -> HttpAnswer:
        from .http.server import json_answer

        return json_answer(413, TOO_LARGE)

    def __call__(self, request: HttpRequest) -> HttpAnswer:
        if self.log is None:
            return self._answer(request)[0]
        from time import perf_counter

        started = perf_counter()
        answer, status = self._answer(request)
        head = request.head
        self.log(f"{head.method} {head.target} {status} {(perf_counter() - started) * 1000:.1f} ms")
        return answer

    def _answer(self, http: HttpRequest) -> tuple[HttpAnswer, int]:
        head = http.head
        method = head.method.upper()
        path, raw_query = head.path, head.query
        headers = Headers(joined_headers(head.headers))
        route, path_params = matched_route(self.service, method, path)
        denied = check_auth(self.service, route, method, path, headers.get("authorization"), "2.0")
        if denied is not None:
            return to_answer(denied), denied.status_code
        request = Request(method, path, raw_query=raw_query, headers=headers, body=http.body,
                          path_params=path_params, request_id=_request_id(), source_ip=http.client[0])
        response = self.service.dispatch(request, route.path if route else None)
        return to_answer(response), response.status_code


def joined_headers(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Repeated fields as one value, as API Gateway passes them: values joined by commas (cookies by ``; ``)."""
    joined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key in joined:
            joined[key] += ("; " if key == "cookie" else ",") + value
        else:
            joined[key] = value
    return joined


def to_answer(response: Response) -> HttpAnswer:
    from .http.server import HttpAnswer

    headers = list(response.headers.items()) + [("Set-Cookie", c) for c in response.cookies]
    return HttpAnswer(response.status_code, headers, response.body_bytes())


def _request_id() -> str:
    import os

    return os.urandom(16).hex()


def serve(service: TechMicroService, port: int = 0, background: bool = True, *, log: Any = None,
          sock: Any = None, timeouts: Timeouts | None = None) -> ServerHandle:
    """Start serving; in the background (a thread) unless ``background=False``.

    ``log(line)`` hears one line per request (``GET /item/3 200 1.2 ms``); ``sock`` is a socket
    already bound and listening on 127.0.0.1 (what ``cws run --reload`` hands each restart);
    ``timeouts`` the clients' (:class:`coworks.runtime.http.server.Timeouts`).
    """
    from .http.server import HttpServer, Timeouts

    server = HttpServer(ServiceApp(service, log), port, sock=sock, timeouts=timeouts or Timeouts(),
                        threads=32, name=f"coworks-{service.name}")
    handle = ServerHandle(server)
    if not background:
        print(f"Serving {service.name} on {handle.url} (Ctrl-C to stop)")
        server.serve_forever()
        return handle
    server.start()
    return handle
