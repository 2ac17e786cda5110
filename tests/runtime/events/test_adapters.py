"""Every kind of Lambda event through the handler ``app(event, context)``."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from coworks import DirectInvocationError, Response, ServiceError, TechMicroService, entry, schedule
from coworks.testing import (
    LambdaContext,
    direct_event,
    function_url_event,
    http_event,
    rest_event,
    scheduled_event,
)


class Orders(TechMicroService):
    """Orders."""

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[Any] = []

    @entry
    def get(self):
        return "ready"

    @entry
    def get_order(self, order_id: int, *, tags: list[str] | None = None):
        return {"id": order_id, "tags": tags, "stage": self.request.stage}

    @entry
    def post_order(self, *, item: str, qty: int = 1):
        return {"item": item, "qty": qty}, 201

    @entry
    def post_raw(self):
        return {"body": self.request.body.hex()}

    @entry
    def get_headers(self):
        headers = self.request.headers
        return {"tag": headers.get("x-tag"), "agent": headers.get("User-Agent")}

    @entry
    def get_cookies(self):
        return Response({"in": self.request.cookies}, cookies=["session=abc; HttpOnly", "theme=dark"])

    @entry
    def get_ip(self):
        return self.request.source_ip

    @entry
    def get_missing(self):
        return {"message": "gone", "detail": 1}, 404

    @entry
    def get_plain(self):
        return "text"

    @entry
    def get_empty(self):
        return None

    @entry
    def get_binary(self):
        return b"\x00\x01"

    @entry
    def get_context(self):
        return {"request_id": self.request.request_id, "fn": self.request.context.function_name}

    @schedule("rate(5 minutes)")
    def refresh(self):
        self.ran.append("refresh")
        return "refreshed"

    @schedule("cron(0 12 * * ? *)")
    def daily_report(self, event):
        self.ran.append(("daily_report", event["detail-type"]))
        return "reported"


@pytest.fixture
def app() -> Orders:
    return Orders()


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def assert_well_formed(result: dict[str, Any]) -> None:
    assert type(result["statusCode"]) is int
    assert type(result["headers"]) is dict
    assert type(result["body"]) is str
    assert type(result["isBase64Encoded"]) is bool


# -- REST API, payload 1.0 -----------------------------------------------------------------------


def test_rest_v1_event(app, lambda_context) -> None:
    event = rest_event("GET", "/order/7", query={"tags": ["a", "b"]}, resource="/order/{order_id}",
                       path_params={"order_id": "7"})
    result = app(event, lambda_context)
    assert_well_formed(result)
    assert result["statusCode"] == 200
    assert body(result) == {"id": 7, "tags": ["a", "b"], "stage": "dev"}


def test_rest_v1_without_resource_matches_the_path(app) -> None:
    event = rest_event("GET", "/order/8")
    event["resource"] = "/{proxy+}"
    event["pathParameters"] = {"proxy": "order/8"}
    assert body(app(event, None))["id"] == 8


def test_rest_v1_single_value_query_only(app) -> None:
    event = rest_event("GET", "/order/7", query={"tags": "x"})
    event["multiValueQueryStringParameters"] = None
    assert body(app(event, None))["tags"] == ["x"]


def test_rest_v1_multi_value_headers_are_joined(app) -> None:
    event = rest_event("GET", "/headers", headers={"User-Agent": "ua"})
    event["multiValueHeaders"]["X-Tag"] = ["a", "b"]
    assert body(app(event, None)) == {"tag": "a,b", "agent": "ua"}


def test_rest_v1_post_json(app) -> None:
    event = rest_event("POST", "/order", body='{"item": "pen"}', headers={"Content-Type": "application/json"})
    result = app(event, None)
    assert (result["statusCode"], body(result)) == (201, {"item": "pen", "qty": 1})


def test_rest_v1_base64_body(app) -> None:
    event = rest_event("POST", "/order", body=b'{"item": "ink", "qty": 2}', base64=True,
                       headers={"Content-Type": "application/json"})
    assert event["isBase64Encoded"] is True
    assert body(app(event, None)) == {"item": "ink", "qty": 2}


def test_binary_request_body_arrives_as_bytes(app) -> None:
    event = rest_event("POST", "/raw", body=b"\xff\x00\xfe")
    assert event["isBase64Encoded"] is True
    assert body(app(event, None))["body"] == "ff00fe"


def test_rest_v1_cookies_in_and_out(app) -> None:
    event = rest_event("GET", "/cookies", headers={"Cookie": "a=1; b=2"})
    result = app(event, None)
    assert body(result) == {"in": {"a": "1", "b": "2"}}
    assert result["multiValueHeaders"] == {"Set-Cookie": ["session=abc; HttpOnly", "theme=dark"]}


def test_rest_v1_repeated_cookie_headers(app) -> None:
    event = rest_event("GET", "/cookies", headers={"Cookie": "a=1"})
    event["multiValueHeaders"] = {"Cookie": ["a=1", "b=2"]}
    assert body(app(event, None)) == {"in": {"a": "1", "b": "2"}}


def test_source_ip_from_the_event(app) -> None:
    event = rest_event("GET", "/ip")
    event["requestContext"]["identity"]["sourceIp"] = "203.0.113.9"
    assert app(event, None)["body"] == "203.0.113.9"
    event = http_event("GET", "/ip")
    event["requestContext"]["http"]["sourceIp"] = "198.51.100.7"
    assert app(event, None)["body"] == "198.51.100.7"


def test_rest_v1_binary_response(app) -> None:
    result = app(rest_event("GET", "/binary"), None)
    assert result["isBase64Encoded"] is True and base64.b64decode(result["body"]) == b"\x00\x01"


def test_request_id_comes_from_the_event_and_context(app) -> None:
    event = rest_event("GET", "/context")
    context = LambdaContext(function_name="orders-dev")
    assert body(app(event, context)) == {"request_id": event["requestContext"]["requestId"], "fn": "orders-dev"}
    event = http_event("GET", "/context")
    del event["requestContext"]["requestId"]
    assert body(app(event, context))["request_id"] == context.aws_request_id


# -- HTTP API, payload 2.0, and function URLs --------------------------------------------------


def test_http_v2_event(app) -> None:
    event = http_event("GET", "/order/3", query="tags=x&tags=y", route_key="GET /order/{order_id}",
                       path_params={"order_id": "3"})
    result = app(event, LambdaContext())
    assert_well_formed(result)
    assert body(result) == {"id": 3, "tags": ["x", "y"], "stage": "$default"}


def test_http_v2_stage_prefix_is_removed_from_raw_path(app) -> None:
    event = http_event("GET", "/order/3", stage="prod")
    assert event["rawPath"] == "/prod/order/3"
    assert body(app(event, None)) == {"id": 3, "tags": None, "stage": "prod"}
    root = http_event("GET", "/", stage="prod")
    assert root["rawPath"] == "/prod/"
    assert app(root, None)["body"] == "ready"


def test_http_v2_stage_prefix_only_as_a_whole_segment(app) -> None:
    event = http_event("GET", "/order/3", stage="$default")
    event["rawPath"] = "/orderx/order/3"
    event["requestContext"]["stage"] = "order"
    assert app(event, None)["statusCode"] == 404


def test_http_v2_base64_body(app) -> None:
    event = http_event("POST", "/order", headers={"content-type": "application/json"})
    event["body"] = base64.b64encode(b'{"item": "b64"}').decode()
    event["isBase64Encoded"] = True
    assert body(app(event, None)) == {"item": "b64", "qty": 1}


def test_http_v2_cookies_in_and_out(app) -> None:
    result = app(http_event("GET", "/cookies", cookies=["a=1", "b=x=y"]), None)
    assert body(result) == {"in": {"a": "1", "b": "x=y"}}
    assert result["cookies"] == ["session=abc; HttpOnly", "theme=dark"]
    assert "multiValueHeaders" not in result


def test_http_v2_multi_value_headers_arrive_comma_joined(app) -> None:
    result = app(http_event("GET", "/headers", headers={"X-Tag": "a,b", "User-Agent": "ua"}), None)
    assert body(result) == {"tag": "a,b", "agent": "ua"}


def test_function_url_event(app) -> None:
    event = function_url_event("POST", "/order", body='{"item": "url"}', headers={"content-type": "application/json"})
    assert event["requestContext"]["domainName"].endswith(".lambda-url.us-east-1.on.aws")
    result = app(event, LambdaContext())
    assert_well_formed(result)
    assert (result["statusCode"], body(result)) == (201, {"item": "url", "qty": 1})


def test_route_key_from_the_gateway_is_used_when_it_matches(app) -> None:
    event = http_event("GET", "/order/5", route_key="GET /order/{order_id}", path_params={"order_id": "5"})
    assert body(app(event, None))["id"] == 5
    stale = http_event("POST", "/order", route_key="GET /order/{order_id}", body='{"item": "x"}',
                       headers={"content-type": "application/json"})
    assert app(stale, None)["statusCode"] == 201


# -- EventBridge schedules -----------------------------------------------------------------------


def test_scheduled_event_is_routed_by_rule_name(app) -> None:
    assert app(scheduled_event("orders-dev-refresh"), None) == "refreshed"
    assert app(scheduled_event("orders-dev-daily-report"), None) == "reported"
    assert app.ran == ["refresh", ("daily_report", "Scheduled Event")]


def test_scheduled_event_with_a_full_rule_arn(app) -> None:
    assert app(scheduled_event("arn:aws:events:eu-west-1:1:rule/x-daily-report"), None) == "reported"


def test_scheduled_event_for_an_unknown_rule_raises(app) -> None:
    with pytest.raises(ServiceError, match="unknown-rule"):
        app(scheduled_event("unknown-rule"), None)


def test_schedules_are_listed_with_their_expression(app) -> None:
    assert {(s.name, s.expression) for s in app.schedules} == {
        ("refresh", "rate(5 minutes)"), ("daily_report", "cron(0 12 * * ? *)")}


@pytest.mark.parametrize("expression", ["rate(0 minutes)", "rate(5 minute)", "rate(1 minutes)", "cron(0 12 * * *)",
                                        "cron(0 12 1 * 1 *)", "every day"])
def test_bad_schedule_expressions_fail_at_definition(expression: str) -> None:
    from coworks import RouteDefinitionError

    with pytest.raises(RouteDefinitionError, match="Bad schedule"):
        schedule(expression)


# -- direct invocation (workflows) -------------------------------------------------------------


def test_direct_invocation_2xx_is_the_parsed_body(app) -> None:
    assert app(direct_event("GET", "/order/4", params={"tags": ["p", "q"]}), None) == {
        "id": 4, "tags": ["p", "q"], "stage": ""}
    assert app(direct_event("POST", "/order", body={"item": "pen", "qty": 3}), None) == {"item": "pen", "qty": 3}
    assert app(direct_event("GET", "/plain"), None) == "text"
    assert app(direct_event("GET", "/empty"), None) is None
    assert app(direct_event("GET", "/binary"), None) == base64.b64encode(b"\x00\x01").decode()


def test_direct_invocation_accepts_a_path_without_slash_and_a_string_body(app) -> None:
    event = {"method": "post", "path": "order", "body": '{"item": "s"}'}
    assert app(event, None) == {"item": "s", "qty": 1}


def test_direct_invocation_non_2xx_raises_http_status(app) -> None:
    with pytest.raises(DirectInvocationError) as info:
        app(direct_event("GET", "/missing"), None)
    assert type(info.value).__name__ == "HTTP404"
    assert info.value.status_code == 404
    assert info.value.body == {"message": "gone", "detail": 1}
    with pytest.raises(DirectInvocationError) as info:
        app(direct_event("GET", "/order/x"), None)
    assert type(info.value).__name__ == "HTTP422"
    assert info.value.body["errors"][0]["field"] == "order_id"
    with pytest.raises(DirectInvocationError) as info:
        app(direct_event("POST", "/order", body={}), None)
    assert type(info.value).__name__ == "HTTP422"


def test_direct_invocation_error_classes_are_stable_per_status() -> None:
    assert DirectInvocationError.for_status(404) is DirectInvocationError.for_status(404)
    assert DirectInvocationError.for_status(500).__name__ == "HTTP500"


def test_malformed_direct_invocation_raises_http400(app) -> None:
    with pytest.raises(DirectInvocationError) as info:
        app({"method": 3, "path": "/"}, None)
    assert type(info.value).__name__ == "HTTP400"


# -- anything else -------------------------------------------------------------------------------


@pytest.mark.parametrize("event", [None, [], "GET /", {}, {"hello": "world"}])
def test_unknown_events_get_a_400(app, event) -> None:
    result = app(event, None)
    assert_well_formed(result)
    assert result["statusCode"] == 400
    assert body(result)["message"].startswith("Malformed event")
