"""The front door reads a request body one way, whichever service (Lambda, Step Functions,
EventBridge, the HTTP APIs) answers it."""

from __future__ import annotations

import io

import pytest

from coworks.cloud.local.http.wsgi import read_body


@pytest.mark.parametrize(("length", "body"), [
    ("5", b"hello"), ("3", b"hel"), ("", b""), ("0", b""), ("-1", b""), ("five", b""), (None, b""),
])
def test_the_body_is_content_length_bytes_of_the_input(length: str | None, body: bytes) -> None:
    environ = {"wsgi.input": io.BytesIO(b"hello, world")}
    if length is not None:
        environ["CONTENT_LENGTH"] = length  # type: ignore[assignment]
    assert read_body(environ) == body


def test_a_kept_body_is_read_again_by_the_next_application() -> None:
    environ = {"CONTENT_LENGTH": "5", "wsgi.input": io.BytesIO(b"hello")}
    assert read_body(environ, keep=True) == b"hello"
    assert environ["wsgi.input"].read(5) == b"hello"  # type: ignore[attr-defined]
    assert read_body({"CONTENT_LENGTH": "5", "wsgi.input": io.BytesIO(b"hello")}) == b"hello"


def test_the_three_services_and_the_gateway_share_it() -> None:
    import inspect

    from coworks.cloud.local import events, frontdoor, stepfunctions

    for module in (events, frontdoor, stepfunctions):
        assert module.read_body is read_body
        assert "CONTENT_LENGTH" not in inspect.getsource(module)
