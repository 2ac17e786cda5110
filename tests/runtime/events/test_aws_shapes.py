"""Events as AWS sends them and answers as it expects them.

- ALB: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
  ("Receive events from the load balancer", "Respond to the load balancer", "Multi-value headers")
- REST REQUEST authorizers: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
  (identity sources: method.request.header/querystring, stageVariables, context) and the input format
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
- Scheduled events: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coworks import Response, TechMicroService, entry, schedule
from coworks.runtime.errors import ServiceError

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop/6d0ecf831eec9f09"


class Shop(TechMicroService):
    """A shop behind a load balancer."""

    identity_sources = ("method.request.querystring.key", "method.request.header.X-Tenant")
    beats: list[str] = []

    def auth(self, token: str) -> bool:
        return token == "sesame"

    @entry
    def get_item(self, item_id: int, *, q: str = ""):
        return {"id": item_id, "q": q}

    @entry
    def post_login(self, *, user: str):
        response = Response({"user": user}, 201)
        response.cookies = ["session=abc; Path=/", "theme=dark; Path=/"]
        return response

    @schedule("rate(1 hour)")
    def beat(self):
        self.beats.append("beat")
        return "beat"


def alb_event(method: str, path: str, *, multi: bool, query: dict[str, str] | None = None,
              headers: dict[str, str] | None = None, body: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"requestContext": {"elb": {"targetGroupArn": TG}}, "httpMethod": method, "path": path,
                             "body": body or "", "isBase64Encoded": False}
    if multi:
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()}
        event["multiValueHeaders"] = {k: [v] for k, v in (headers or {}).items()}
    else:
        event["queryStringParameters"] = query or {}
        event["headers"] = headers or {}
    return event


@pytest.mark.parametrize("multi", [False, True])
def test_an_alb_event_is_answered_with_a_status_description(multi: bool) -> None:
    answer = Shop()(alb_event("GET", "/item/3", multi=multi, query={"q": "red%20pen"}), None)
    assert answer["statusCode"] == 200 and answer["statusDescription"] == "200 OK"
    assert json.loads(answer["body"]) == {"id": 3, "q": "red pen"}  # the load balancer decodes nothing: we do
    assert ("multiValueHeaders" in answer) is multi and ("headers" in answer) is not multi
    missing = Shop()(alb_event("GET", "/nowhere", multi=multi), None)
    assert missing["statusCode"] == 404 and missing["statusDescription"] == "404 Not Found"


def test_alb_cookies_follow_the_target_groups_header_mode() -> None:
    body = json.dumps({"user": "ann"})
    headers = {"content-type": "application/json"}
    multi = Shop()(alb_event("POST", "/login", multi=True, headers=headers, body=body), None)
    assert multi["multiValueHeaders"]["Set-Cookie"] == ["session=abc; Path=/", "theme=dark; Path=/"]
    assert all(isinstance(v, list) for v in multi["multiValueHeaders"].values())
    single = Shop()(alb_event("POST", "/login", multi=False, headers=headers, body=body), None)
    assert single["headers"]["Set-Cookie"] == "theme=dark; Path=/" and "multiValueHeaders" not in single
    assert single["statusDescription"] == "201 Created"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20))
def test_alb_query_values_arrive_as_the_client_encoded_them(value: str) -> None:
    from urllib.parse import quote

    answer = Shop()(alb_event("GET", "/item/1", multi=False, query={"q": quote(value, safe="")}), None)
    assert json.loads(answer["body"])["q"] == value


def rest_request_authorizer(**parts: Any) -> dict[str, Any]:
    return {"type": "REQUEST", "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/item/1",
            "resource": "/item/{item_id}", "path": "/item/1", "httpMethod": "GET",
            "headers": parts.get("headers", {}), "queryStringParameters": parts.get("query", {}),
            "stageVariables": parts.get("stage", {}), "requestContext": parts.get("context", {})}


def effect(answer: dict[str, Any]) -> str:
    return str(answer["policyDocument"]["Statement"][0]["Effect"])


def test_a_rest_request_authorizer_reads_its_configured_identity_sources() -> None:
    allowed = rest_request_authorizer(query={"key": "sesame"}, headers={"x-tenant": "t1"})
    assert effect(Shop()(allowed, None)) == "Allow"
    assert effect(Shop()(rest_request_authorizer(query={"key": "sesame"}), None)) == "Deny"  # a source missing
    wrong = rest_request_authorizer(query={"key": "nope"}, headers={"X-Tenant": "t1", "Authorization": "sesame"})
    assert effect(Shop()(wrong, None)) == "Deny"  # Authorization is not one of this service's sources


@pytest.mark.parametrize(("sources", "parts"), [
    (("stageVariables.secret",), {"stage": {"secret": "sesame"}}),
    (("context.identity.apiKey",), {"context": {"identity": {"apiKey": "sesame"}}}),
    (("$request.header.X-Key",), {"headers": {"x-key": "sesame"}}),
    (("$request.querystring.token",), {"query": {"token": "sesame"}}),
])
def test_stage_variables_and_context_values_are_identity_sources_too(sources: tuple[str, ...],
                                                                     parts: dict[str, Any]) -> None:
    class Keyed(Shop):
        identity_sources = sources

    assert effect(Keyed()(rest_request_authorizer(**parts), None)) == "Allow"
    assert effect(Keyed()(rest_request_authorizer(), None)) == "Deny"


def test_the_default_identity_source_is_the_authorization_header_with_bearer_handled() -> None:
    class Default(TechMicroService):
        def auth(self, token: str) -> bool:
            return token == "sesame"

        @entry
        def get(self):
            return "ok"

    assert effect(Default()(rest_request_authorizer(headers={"Authorization": "Bearer sesame"}), None)) == "Allow"
    assert effect(Default()(rest_request_authorizer(headers={"authorization": "sesame"}), None)) == "Allow"
    assert effect(Default()(rest_request_authorizer(headers={"X-Other": "sesame"}), None)) == "Deny"


def scheduled(rule: str, detail_type: str = "Scheduled Event", source: str = "aws.events") -> dict[str, Any]:
    return {"version": "0", "id": "e1", "detail-type": detail_type, "source": source, "account": "123456789012",
            "time": "2024-01-01T00:00:00Z", "region": "us-east-1", "detail": {},
            "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{rule}"]}


def test_the_only_schedule_runs_for_its_schedules_fire_and_not_for_any_other_event() -> None:
    shop = Shop()
    Shop.beats = []
    assert shop(scheduled("shop-dev-beat"), None) == "beat"
    assert shop(scheduled("renamed-by-hand"), None) == "beat"  # a scheduled fire of a rule named otherwise
    with pytest.raises(ServiceError, match="not a schedule's fire"):
        shop(scheduled("orders-placed", detail_type="Order Placed", source="shop.orders"), None)
    assert Shop.beats == ["beat", "beat"]
