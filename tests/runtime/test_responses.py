"""What entries return, and the errors the runtime answers with."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from coworks import (
    BadRequest,
    Conflict,
    HTTPError,
    NotFound,
    Response,
    TechMicroService,
    current_request,
    entry,
)
from coworks.testing import http_event, rest_event


class TeapotError(HTTPError):
    status_code = 418
    default_message = "I'm a teapot"


def lookup(key: str) -> str:
    """A helper deep in user code that answers with an HTTP error."""
    if key == "whoami":
        return current_request().path
    if key == "missing":
        raise NotFound(f"No item {key!r}.")
    if key == "taken":
        raise Conflict("Already taken.", headers={"Retry-After": "5"}, item=key)
    if key == "teapot":
        raise TeapotError()
    return key


class Returns(TechMicroService):
    @entry
    def get_text(self):
        return "hello"

    @entry
    def get_dict(self):
        return {"a": 1, "é": "ü"}

    @entry
    def get_list(self):
        return [1, "two", None]

    @entry
    def get_bytes(self):
        return b"\x89PNG\r\n\x1a\n\x00\xff"

    @entry
    def get_none(self):
        return None

    @entry
    def get_created(self):
        return {"id": 1}, 201

    @entry
    def get_headers(self):
        return "moved", 302, {"Location": "/elsewhere", "X-Trace": "t"}

    @entry
    def get_response(self):
        return Response(b"<svg/>", 202, {"Content-Type": "image/svg+xml"}, cookies=["a=1; Path=/"])

    @entry
    def get_tuple_response(self):
        return Response("x"), 203, {"X-Extra": "1"}

    @entry
    def get_lookup(self, key: str):
        return {"found": lookup(key)}

    @entry
    def get_bad(self):
        raise BadRequest("Say please.")

    @entry
    def get_boom(self):
        raise RuntimeError("secret internals")

    @entry
    def get_bad_tuple(self):
        return "x", "200"

    @entry
    def post_json(self, *, value: int = 0):
        return {"value": value}


@pytest.fixture(params=["2.0", "1.0"])
def client(request):
    return Returns().test_client(payload=request.param)


def test_str_is_text_plain(client) -> None:
    response = client.get("/text")
    assert response.status_code == 200
    assert response.text == "hello"
    assert response.headers["content-type"].startswith("text/plain")


def test_dict_and_list_are_json(client) -> None:
    response = client.get("/dict")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"a": 1, "é": "ü"}
    assert client.get("/list").json() == [1, "two", None]


def test_bytes_are_binary(client) -> None:
    response = client.get("/bytes")
    assert response.content == b"\x89PNG\r\n\x1a\n\x00\xff"
    assert response.headers["content-type"] == "application/octet-stream"


@pytest.mark.parametrize("build", [lambda: rest_event("GET", "/bytes"), lambda: http_event("GET", "/bytes")])
def test_bytes_are_base64_in_lambda_responses(build) -> None:
    result = Returns()(build(), None)
    assert result["isBase64Encoded"] is True
    assert base64.b64decode(result["body"]) == b"\x89PNG\r\n\x1a\n\x00\xff"


def test_text_is_not_base64_in_lambda_responses() -> None:
    result = Returns()(rest_event("GET", "/text"), None)
    assert result == {"statusCode": 200, "headers": {"Content-Type": "text/plain; charset=utf-8"},
                      "body": "hello", "isBase64Encoded": False}


def test_none_is_204(client) -> None:
    response = client.get("/none")
    assert response.status_code == 204
    assert response.content == b""


def test_body_and_status(client) -> None:
    response = client.get("/created")
    assert (response.status_code, response.json()) == (201, {"id": 1})


def test_body_status_and_headers(client) -> None:
    response = client.get("/headers")
    assert response.status_code == 302
    assert response.headers["location"] == "/elsewhere"
    assert response.headers["x-trace"] == "t"
    assert response.text == "moved"


def test_response_object_as_is(client) -> None:
    response = client.get("/response")
    assert response.status_code == 202
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content == b"<svg/>"
    assert response.cookies == {"a": "1"}


def test_response_in_a_tuple_takes_the_status_and_headers(client) -> None:
    response = client.get("/tuple/response")
    assert (response.status_code, response.text, response.headers["x-extra"]) == (203, "x", "1")


def test_http_errors_raised_from_helpers(client) -> None:
    response = client.get("/lookup/missing")
    assert response.status_code == 404
    assert response.json() == {"message": "No item 'missing'."}
    response = client.get("/lookup/taken")
    assert response.status_code == 409
    assert response.headers["retry-after"] == "5"
    assert response.json() == {"message": "Already taken.", "item": "taken"}
    response = client.get("/lookup/teapot")
    assert (response.status_code, response.json()) == (418, {"message": "I'm a teapot"})
    assert client.get("/lookup/fine").json() == {"found": "fine"}
    assert client.get("/lookup/whoami").json() == {"found": "/lookup/whoami"}


def test_http_error_in_the_entry(client) -> None:
    response = client.get("/bad")
    assert (response.status_code, response.json()) == (400, {"message": "Say please."})


# -- errors --------------------------------------------------------------------------------------


def test_unknown_path_is_404(client) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_other_verb_is_405_with_allow(client) -> None:
    response = client.delete("/text")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert "DELETE" in response.json()["message"]
    response = client.get("/json")
    assert (response.status_code, response.headers["allow"]) == (405, "POST")


def test_head_answers_like_get_without_a_body(client) -> None:
    response = client.head("/dict")
    assert response.status_code == 200
    assert response.content == b""


def test_malformed_json_is_400(client) -> None:
    response = client.post("/json", data='{"value": 1', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]


def test_json_body_that_is_not_an_object_is_400(client) -> None:
    response = client.post("/json", json=[1, 2])
    assert response.status_code == 400


def test_unsupported_content_type_is_415(client) -> None:
    response = client.post("/json", data="value=1", headers={"Content-Type": "text/csv"})
    assert response.status_code == 415


def test_exception_in_user_code_is_500_without_traceback(client, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="coworks"):
        response = client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"message", "request_id"}
    assert body["request_id"]
    assert "secret internals" not in response.text and "Traceback" not in response.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError: secret internals" in logged
    assert "Traceback" in logged
    assert body["request_id"] in logged


def test_500_names_the_lambda_request_id(caplog) -> None:
    event = rest_event("GET", "/boom")
    with caplog.at_level(logging.ERROR, logger="coworks"):
        result = Returns()(event, None)
    assert result["statusCode"] == 500
    assert json.loads(result["body"])["request_id"] == event["requestContext"]["requestId"]


def test_a_bad_return_value_is_500_not_an_exception(client, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="coworks"):
        assert client.get("/bad/tuple").status_code == 500
    assert "status" in caplog.text


def test_a_header_with_a_line_break_is_a_500_naming_it_in_lambda() -> None:
    """Response splitting: API Gateway would get the value raw; the runtime refuses it first, in
    the Lambda answer of every payload version, and the log says which header."""
    from coworks import Response as Answer

    class Splitter(TechMicroService):
        @entry
        def get(self, *, to: str = "/"):
            return "moved", 302, {"Location": to}

        @entry
        def get_cookie(self):
            return Answer("x", cookies=["a=1\nSet-Cookie: b=2"])

    for payload in ("2.0", "1.0"):
        client = Splitter().test_client(payload=payload)
        answer = client.get("/", params={"to": "/a\r\nSet-Cookie: evil=1"})
        assert answer.status_code == 500 and "Location holds a CR, LF or NUL" in answer.json()["message"]
        assert "evil" not in str(answer.headers)
        assert client.get("/cookie").status_code == 500
        assert client.get("/", params={"to": "/fine"}).headers["Location"] == "/fine"
