"""Structured access log: one JSON line per request on stdout, as CloudWatch filters want."""

from __future__ import annotations

import json

import pytest

from coworks import TechMicroService, entry
from coworks.testing import direct_event, http_event, rest_event


class Logged(TechMicroService):
    @entry
    def get_item(self, item_id: int):
        return {"id": item_id}

    @entry
    def get_boom(self):
        raise ValueError("kaput")


def lines(capsys) -> list[dict]:
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("build", [lambda: rest_event("GET", "/item/5"), lambda: http_event("GET", "/item/5")])
def test_one_json_line_per_request(capsys, build) -> None:
    app = Logged(log_requests=True)
    event = build()
    app(event, None)
    app(event, None)
    logged = lines(capsys)
    assert len(logged) == 2
    line = logged[0]
    assert line["request_id"] == event["requestContext"]["requestId"]
    assert line["route"] == "GET /item/{item_id}"
    assert line["status"] == 200
    assert line["method"] == "GET" and line["path"] == "/item/5"
    assert isinstance(line["latency_ms"], float | int) and line["latency_ms"] >= 0
    assert line["service"] == "logged"


def test_errors_are_logged_with_their_status(capsys) -> None:
    app = Logged(log_requests=True)
    app(rest_event("GET", "/nowhere"), None)
    app(rest_event("GET", "/item/x"), None)
    logged = [line for line in lines(capsys) if line["type"] == "request"]  # the 422 also has its warning line
    assert [(line["route"], line["status"]) for line in logged] == [(None, 404), ("GET /item/{item_id}", 422)]


def test_500_logs_the_traceback_as_a_json_line(capsys) -> None:
    app = Logged(log_requests=True)
    event = rest_event("GET", "/boom")
    result = app(event, None)
    assert result["statusCode"] == 500
    logged = lines(capsys)
    error = next(line for line in logged if line["type"] == "error")
    assert error["level"] == "ERROR"
    assert error["request_id"] == event["requestContext"]["requestId"]
    assert "ValueError: kaput" in error["traceback"]
    assert [line["status"] for line in logged if line["type"] == "request"] == [500]
    assert "kaput" not in result["body"]


def test_direct_invocations_are_logged(capsys) -> None:
    Logged(log_requests=True)(direct_event("GET", "/item/2"), None)
    assert [line["route"] for line in lines(capsys)] == ["GET /item/{item_id}"]


def test_no_log_line_by_default_outside_lambda(capsys, monkeypatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    Logged()(rest_event("GET", "/item/5"), None)
    assert capsys.readouterr().out == ""


def test_logging_is_on_by_default_in_lambda(capsys, monkeypatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "logged-dev")
    Logged()(http_event("GET", "/item/5"), None)
    assert lines(capsys)[0]["status"] == 200
