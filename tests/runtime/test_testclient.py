"""The test client (both payload versions) and the pytest plugin's fixtures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coworks import TechMicroService, entry
from coworks.testing import LambdaContext, TestClient


class Echo(TechMicroService):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict] = []

    def __call__(self, event, context=None):
        self.events.append(event)
        return super().__call__(event, context)

    @entry
    def get_echo(self, *, q: str = ""):
        return {"q": q, "version": self.request.event.get("version", "1.0"),
                "cookies": self.request.cookies, "header": self.request.headers.get("x-h")}

    @entry
    def post_echo(self, **fields):
        return fields


@pytest.mark.parametrize("payload,key", [("2.0", "rawPath"), ("1.0", "httpMethod")])
def test_client_goes_through_the_lambda_event_adapter(payload: str, key: str) -> None:
    app = Echo()
    response = app.test_client(payload=payload).get("/echo", params={"q": "x"}, headers={"X-H": "h"},
                                                   cookies={"c": "1"})
    assert response.json() == {"q": "x", "version": "2.0" if payload == "2.0" else "1.0",
                               "cookies": {"c": "1"}, "header": "h"}
    assert len(app.events) == 1 and key in app.events[0]
    if payload == "2.0":
        assert app.events[0]["cookies"] == ["c=1"]


def test_client_response_api() -> None:
    response = Echo().test_client().post("/echo", json={"a": 1})
    assert response.status_code == 200 and response.ok
    assert response.json() == {"a": 1}
    assert response.text == '{"a":1}'
    assert response.content == b'{"a":1}'
    assert response.headers["Content-Type"] == "application/json"
    response.raise_for_status()
    missing = Echo().test_client().get("/nope")
    assert not missing.ok
    with pytest.raises(AssertionError, match="404"):
        missing.raise_for_status()


def test_client_refuses_an_unknown_payload_version() -> None:
    with pytest.raises(ValueError, match="payload"):
        TestClient(Echo(), payload="3.0")


def test_client_with_a_stage() -> None:
    app = Echo()
    TestClient(app, stage="prod").get("/echo")
    assert app.events[0]["rawPath"] == "/prod/echo"


def test_lambda_context_clock_is_injectable() -> None:
    now = [100.0]
    context = LambdaContext(timeout=3, clock=lambda: now[0])
    assert context.get_remaining_time_in_millis() == 3000
    now[0] += 1.5
    assert context.get_remaining_time_in_millis() == 1500
    now[0] += 10
    assert context.get_remaining_time_in_millis() == 0
    assert context.invoked_function_arn.endswith(":function:coworks-test")


PLUGIN_TEST = '''
import pytest
from coworks import TechMicroService, entry


class Hello(TechMicroService):
    @entry
    def get(self):
        return "hello"


@pytest.fixture
def app():
    return Hello()


def test_client_fixture(client):
    assert client.get("/").text == "hello"


def test_lambda_context_fixture(lambda_context):
    assert lambda_context.function_name == "coworks-test"
    assert lambda_context.get_remaining_time_in_millis() > 0
    assert lambda_context.aws_request_id
'''


def test_pytest_plugin_fixtures(tmp_path: Path) -> None:
    """One fresh pytest run: the plugin must come from the ``pytest11`` entry point."""
    (tmp_path / "test_with_app.py").write_text(PLUGIN_TEST)
    (tmp_path / "test_without_app.py").write_text("def test_no_app(client):\n    pass\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"]
    result = subprocess.run([*command, str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    assert "2 passed, 1 error" in result.stdout, result.stdout
    assert "test_without_app.py::test_no_app" in result.stdout
    assert "needs an `app` fixture" in result.stdout
    assert "During handling of the above exception" not in result.stdout  # one sentence, no chain
