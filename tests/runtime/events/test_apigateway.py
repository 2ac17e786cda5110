"""The API Gateway events, defined once in the runtime: payload 2.0 as the HTTP API page describes it
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html),
re-exported unchanged by ``coworks.testing``."""

from __future__ import annotations

import base64

import coworks.testing
from coworks import TechMicroService, entry
from coworks.runtime.events import apigateway
from coworks.runtime.events.apigateway import authorizer_event, event_body, http_event, request_authorizer_event


def test_testing_re_exports_the_runtime_builders_themselves() -> None:
    for name in ("http_event", "rest_event", "function_url_event", "token_authorizer_event",
                 "request_authorizer_event"):
        assert getattr(coworks.testing, name) is getattr(apigateway, name)
    from coworks.runtime.testing.builders import http_event as old_path

    assert old_path is http_event


def test_duplicate_headers_and_query_parameters_are_joined_with_commas_and_cookies_move() -> None:
    event = http_event("get", "/item/3", query="a=1&a=2&b=", route_key="GET /item/{item_id}", stage="dev",
                       headers=[("X-Key", "v"), ("x-key", "w"), ("Cookie", "x=1; y=2"), ("cookie", "z=3")],
                       path_params={"item_id": "3"})
    assert event["headers"] == {"x-key": "v,w"}  # "All header names are lowercase"
    assert event["cookies"] == ["x=1", "y=2", "z=3"]
    assert (event["rawQueryString"], event["queryStringParameters"]) == ("a=1&a=2&b=", {"a": "1,2", "b": ""})
    assert (event["rawPath"], event["requestContext"]["http"]["path"]) == ("/dev/item/3", "/dev/item/3")
    assert (event["routeKey"], event["requestContext"]["http"]["method"]) == ("GET /item/{item_id}", "GET")
    assert event["pathParameters"] == {"item_id": "3"} and "body" not in event


def test_a_body_is_text_for_textual_types_and_base64_otherwise() -> None:
    assert event_body(b'{"a": 1}', "application/json; charset=utf-8") == ('{"a": 1}', False)
    assert event_body(b"a=1", "application/x-www-form-urlencoded") == ("a=1", False)
    assert event_body(b"\x89PNG", "image/png") == (base64.b64encode(b"\x89PNG").decode(), True)
    assert event_body(b"\xff", "text/plain") == ("/w==", True)  # not UTF-8
    assert event_body("as given", "image/png") == ("as given", False)
    assert event_body(b"", "text/plain") == (None, False)


def test_the_clock_and_the_api_can_be_given() -> None:
    event = http_event("GET", "/", api_id="abc123", region="eu-west-3", source_ip="10.0.0.1", now=1_800_000_000.5)
    context = event["requestContext"]
    assert (context["apiId"], context["domainName"]) == ("abc123", "abc123.execute-api.eu-west-3.amazonaws.com")
    assert (context["timeEpoch"], context["time"]) == (1_800_000_000_500, "15/Jan/2027:08:00:00 +0000")
    assert context["http"]["sourceIp"] == "10.0.0.1"


def test_the_authorizer_event_carries_the_request_and_names_the_route_once() -> None:
    request = http_event("POST", "/item", headers={"Authorization": "t0k"}, route_key="POST /item", stage="dev",
                         region="eu-west-3", query="x=1")
    auth = authorizer_event(request, ["t0k"], region="eu-west-3")
    assert auth["routeArn"] == f"arn:aws:execute-api:eu-west-3:123456789012:{apigateway.API_ID}/dev/POST/item"
    assert (auth["type"], auth["identitySource"], auth["routeKey"]) == ("REQUEST", ["t0k"], "POST /item")
    assert (auth["rawPath"], auth["headers"], auth["queryStringParameters"]) == ("/dev/item", {"authorization": "t0k"},
                                                                                {"x": "1"})
    assert auth["requestContext"] is request["requestContext"]
    built = request_authorizer_event("t0k", "GET", "/health", "GET /health")
    assert (built["identitySource"], built["headers"], built["rawPath"]) == (["t0k"], {"authorization": "t0k"},
                                                                             "/health")


class Jar(TechMicroService):
    @entry
    def get(self) -> str:
        return self.request.cookies.get("flavour", "none")


def test_the_test_client_sends_cookies_as_the_gateway_does() -> None:
    assert Jar().test_client().get("/", cookies={"flavour": "lemon"}).text == "lemon"
