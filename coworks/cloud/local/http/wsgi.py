"""Requests as WSGI sees them on the front door: the environ built from a whole request (its
body already read and de-chunked, so ``CONTENT_LENGTH`` is always its true length), an
application run to its end, and the one place that says what ``CONTENT_LENGTH`` means."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ....runtime.http.server import HttpRequest


def read_body(environ: dict[str, Any], *, keep: bool = False) -> bytes:
    """The request's body: ``CONTENT_LENGTH`` bytes of ``wsgi.input``, none when the length is
    absent, zero, negative or not a number. ``keep=True`` puts the bytes back as ``wsgi.input``
    for an application that reads the request after this one (moto)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    if keep:
        environ["wsgi.input"] = io.BytesIO(body)
    return body


def replace_body(environ: dict[str, Any], body: bytes) -> None:
    """Make ``body`` the request's body for the application that reads it next (moto)."""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def environ_for(request: HttpRequest) -> dict[str, Any]:
    """The WSGI environ of a whole request (PEP 3333). Header names holding an underscore are
    dropped: ``X_Amz_Target`` would otherwise pass for ``X-Amz-Target``."""
    head = request.head
    environ: dict[str, Any] = {
        "REQUEST_METHOD": head.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(head.path).decode("latin-1"),
        "QUERY_STRING": head.query,
        "REQUEST_URI": head.target,
        "RAW_URI": head.target,
        "SERVER_NAME": request.server[0],
        "SERVER_PORT": str(request.server[1]),
        "SERVER_PROTOCOL": f"HTTP/{head.version[0]}.{head.version[1]}",
        "REMOTE_ADDR": request.client[0],
        "REMOTE_PORT": str(request.client[1]),
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.input_terminated": True,
    }
    for name, value in head.headers:
        if "_" in name:
            continue
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
            continue
        if key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):  # the body is whole: its length is ours
            continue
        key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def call_wsgi(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI application to its end: its status, headers and whole body."""
    seen: list[Any] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        seen[:] = [status, list(headers)]
        return lambda data: None

    chunks = app(environ, capture)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return seen[0], seen[1], body
