"""The local gateway picks routes and reads answers as API Gateway's HTTP APIs do."""

from __future__ import annotations

import base64
import json

import pytest

from coworks.cloud.local.controlplane import HttpApiConfig, RouteConfig, function_from_uri
from coworks.cloud.local.gateway import GatewayRequest, LocalGateway, match_route, to_http


def api(*keys: str) -> HttpApiConfig:
    routes = tuple(RouteConfig(k, f"arn:aws:lambda:us-east-1:123456789012:function:{i}", "2.0", None, ())
                   for i, k in enumerate(keys))
    return HttpApiConfig("abc123", "us-east-1", routes, ("dev",))


@pytest.mark.parametrize(
    ("method", "path", "expected_key", "params"),
    [
        ("GET", "/item/price", "GET /item/price", {}),
        ("GET", "/item/3", "GET /item/{item_id}", {"item_id": "3"}),
        ("GET", "/item/a%20b", "GET /item/{item_id}", {"item_id": "a b"}),
        ("POST", "/item/3", "ANY /item/{item_id}", {"item_id": "3"}),
        ("GET", "/files/a/b/c", "GET /files/{proxy+}", {"proxy": "a/b/c"}),
        ("DELETE", "/nothing/here", "$default", {}),
        ("GET", "/", "GET /", {}),
    ],
)
def test_most_specific_route_wins(method: str, path: str, expected_key: str, params: dict[str, str]) -> None:
    table = api("GET /item/{item_id}", "GET /item/price", "ANY /item/{item_id}", "GET /files/{proxy+}",
                "$default", "GET /")
    found = match_route(table, method, path)
    assert found is not None
    assert found[0].route_key == expected_key
    assert found[1] == params


def test_no_route_and_no_default_is_not_found() -> None:
    table = api("GET /item/{item_id}")
    assert match_route(table, "GET", "/item") is None
    assert match_route(table, "GET", "/item/1/extra") is None
    assert match_route(table, "POST", "/item/1") is None


def test_function_arn_is_read_from_both_uri_forms() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:inventory-dev:dev"
    assert function_from_uri(arn) == arn
    invocation = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
    assert function_from_uri(invocation) == arn
    assert function_from_uri(None) is None


def test_answer_with_status_code_is_taken_as_is() -> None:
    payload = json.dumps({"statusCode": 201, "headers": {"X-A": "1"}, "cookies": ["a=1; Path=/"],
                          "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}).encode()
    response = to_http(payload)
    assert (response.status, response.headers, response.body, response.cookies) == (
        201, {"X-A": "1"}, b"\x00\x01", ["a=1; Path=/"])


def test_answer_without_status_code_is_inferred_as_json_200() -> None:
    response = to_http(json.dumps({"id": 3}).encode())
    assert (response.status, response.headers["content-type"], json.loads(response.body)) == (
        200, "application/json", {"id": 3})


def test_unreadable_answer_is_a_500_like_api_gateway() -> None:
    assert to_http(b"not json").status == 500
    assert to_http(json.dumps({"statusCode": "abc"}).encode()).status == 500


def test_event_is_payload_2_0_with_stage_in_raw_path() -> None:
    table = api("GET /item/{item_id}")
    route, params = match_route(table, "GET", "/item/3")  # type: ignore[misc]
    request = GatewayRequest("GET", "/item/3", "a=1&a=2", [("Cookie", "x=1; y=2"), ("X-Key", "v")], b"")
    event = LocalGateway(None).event(table, "dev", route, params, request)  # type: ignore[arg-type]
    assert event["version"] == "2.0"
    assert event["rawPath"] == "/dev/item/3"
    assert event["routeKey"] == "GET /item/{item_id}"
    assert event["pathParameters"] == {"item_id": "3"}
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["cookies"] == ["x=1", "y=2"]
    assert event["headers"] == {"x-key": "v"}
    assert event["requestContext"]["stage"] == "dev"
    assert event["requestContext"]["apiId"] == "abc123"
    assert event["requestContext"]["domainName"] == "abc123.execute-api.localhost"


def test_the_authorizer_event_is_the_runtime_s_built_from_the_request_event() -> None:
    from coworks.runtime.events.apigateway import authorizer_event

    table = api("POST /item")
    route, params = match_route(table, "POST", "/item")  # type: ignore[misc]
    request = GatewayRequest("POST", "/item", "", [("Authorization", "t0k"), ("Content-Type", "image/png")],
                             b"\x89PNG")
    gateway = LocalGateway(None)  # type: ignore[arg-type]
    event = gateway.event(table, "dev", route, params, request)
    assert (event["body"], event["isBase64Encoded"]) == (base64.b64encode(b"\x89PNG").decode(), True)
    auth = authorizer_event(event, ["t0k"], region="us-east-1")
    assert auth["routeArn"] == "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/item"
    assert auth["requestContext"] == event["requestContext"] and auth["identitySource"] == ["t0k"]


KEYED = '''
from coworks import TechMicroService, entry, tokens_equal


class Keyed(TechMicroService):
    """Its token comes in the query string."""

    identity_sources = ("method.request.querystring.key",)

    def auth(self, token):
        return tokens_equal(token, "sesame")

    @entry
    def get(self):
        return "in"


app = Keyed("keyed")
'''


@pytest.mark.localcloud
def test_a_services_identity_sources_are_deployed_and_read_by_the_gateway(cloud: object, tmp_path: object) -> None:
    """https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html: the
    identity sources must all be present, or API Gateway answers 401 without calling the authorizer."""
    from pathlib import Path

    import requests

    from tests.support import write_module

    deployment = cloud.deploy(write_module(Path(str(tmp_path)), KEYED), stage="dev")  # type: ignore[attr-defined]
    authorizer = next(a for a in deployment.plan().actions if a.kind == "authorizer")
    assert authorizer.resource.settings()["IdentitySource"] == ["$request.querystring.key"]
    deployment.apply()
    assert requests.get(deployment.url + "/", params={"key": "sesame"}, timeout=60).text == "in"
    assert requests.get(deployment.url + "/", params={"key": "nope"}, timeout=60).status_code == 403
    assert requests.get(deployment.url + "/", headers={"Authorization": "sesame"}, timeout=60).status_code == 401
