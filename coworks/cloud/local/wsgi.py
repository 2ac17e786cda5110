"""Reading a WSGI request on the front door: one place for what ``CONTENT_LENGTH`` means."""

from __future__ import annotations

import io
from typing import Any


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
