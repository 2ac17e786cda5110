"""The service core: an HTTPError raised on purpose is a warning with its status, not a traceback;
a direct invocation can ask for the whole response instead of an ``HTTP<status>`` error."""

from __future__ import annotations

import json
import logging

import pytest

from coworks import NotFound, TechMicroService, entry


class Shop(TechMicroService):
    @entry
    def get_item(self, item_id: int):
        if item_id > 10:
            raise NotFound(f"No item {item_id}.")
        return {"id": item_id}


def test_an_http_error_in_lambda_is_a_warning_line_with_its_status(capsys: pytest.CaptureFixture[str]) -> None:
    app = Shop(log_requests=True)
    assert app.test_client().get("/item/11").status_code == 404
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    warning = next(line for line in lines if line["level"] == "WARNING")
    assert warning["status_code"] == 404 and warning["message"] == "GET /item/11 answered 404: No item 11."
    assert "traceback" not in warning and "status" not in warning  # `{ $.status = 404 }` finds the request once
    assert not any(line["level"] == "ERROR" for line in lines)


def test_elsewhere_it_goes_to_the_coworks_logger_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="coworks"):
        Shop().test_client().get("/item/12")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "GET /item/12 answered 404: No item 12.")]


def test_a_direct_invocation_asking_for_the_response_gets_every_status() -> None:
    app = Shop()
    answer = app({"method": "GET", "path": "/item/11", "response": "full"})
    assert answer["statusCode"] == 404 and json.loads(answer["body"]) == {"message": "No item 11."}
    assert app({"method": "GET", "path": "/item/3", "response": "full"})["statusCode"] == 200
    with pytest.raises(Exception, match="No item 11") as raised:  # a workflow's call still raises HTTP404
        app({"method": "GET", "path": "/item/11"})
    assert type(raised.value).__name__ == "HTTP404"
