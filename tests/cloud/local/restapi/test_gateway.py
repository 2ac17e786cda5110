"""A service deployed with ``api="rest"`` answers on the local cloud as API Gateway's REST APIs do.

What the gateway sends the function follows the Lambda proxy integration's input format (payload
1.0), and what it answers by itself follows API Gateway's default gateway responses:
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support import cell

pytestmark = pytest.mark.localcloud

SHOP = '''
from coworks import Lambda, Response, TechMicroService, entry

class Shop(TechMicroService):
    """A shop behind a REST API."""

    settings = Lambda(api="rest")

    @entry
    def get(self):
        return "ready"

    @entry
    def get_item(self, item_id: int, color: str = "red"):
        return {"id": item_id, "color": color}

    @entry
    def post_item(self, *, name: str, qty: int = 0):
        return {"name": name, "qty": qty}, 201

    @entry
    def get_event(self):
        return self.request.event

    @entry
    def get_tag(self, label: str):
        event = self.request.event
        return {"params": event["pathParameters"], "resource": event["resource"], "label": label}

    @entry
    def post_echo(self):
        return Response(self.request.body, 200, {"Content-Type": "application/octet-stream"})

    @entry
    def get_sleep(self, seconds: float):
        import time

        time.sleep(seconds)
        return {"slept": seconds}
'''


@pytest.fixture(scope="module")
def shop(cloud: Any) -> Iterator[Any]:
    deployment = cloud.deploy(cell(SHOP, "restshop"), stage="dev")
    deployment.apply()
    yield deployment
    cloud.destroy("restshop")


def test_the_url_is_the_rest_api_stage_on_the_local_gateway(cloud: Any, shop: Any) -> None:
    apis = cloud.session.client("apigateway", endpoint_url=cloud.endpoint_url).get_rest_apis()["items"]
    api_id = next(a["id"] for a in apis if a["name"] == "restshop-dev")
    assert shop.url == f"{cloud.endpoint_url}/_aws/execute-api/{api_id}/dev"
    answer = requests.get(shop.url + "/", timeout=30)
    assert (answer.status_code, answer.text) == (200, "ready")


def test_path_parameters_query_strings_and_json_bodies_reach_the_function(shop: Any) -> None:
    got = requests.get(shop.url + "/item/3", params={"color": "blue"}, timeout=30)
    assert (got.status_code, got.json()) == (200, {"id": 3, "color": "blue"})
    made = requests.post(shop.url + "/item", json={"name": "pen", "qty": 2}, timeout=30)
    assert (made.status_code, made.json()) == (201, {"name": "pen", "qty": 2})


def test_an_unknown_resource_or_method_is_missing_authentication_token(shop: Any) -> None:
    """REST APIs answer 403 ``Missing Authentication Token`` for a path or verb no method has
    (the MISSING_AUTHENTICATION_TOKEN gateway response), never a 404."""
    for method, path in (("GET", "/nothing/here"), ("DELETE", "/item/3"), ("GET", "/item/3/more")):
        answer = requests.request(method, shop.url + path, timeout=30)
        assert (answer.status_code, answer.json()) == (403, {"message": "Missing Authentication Token"}), path
        assert answer.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
        assert answer.headers["x-amzn-RequestId"]


def test_a_stage_never_deployed_is_forbidden(shop: Any) -> None:
    answer = requests.get(shop.url.rsplit("/", 1)[0] + "/prod/", timeout=30)
    assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})


def test_the_function_gets_a_payload_1_0_event_as_api_gateway_sends_it(shop: Any) -> None:
    api_id = shop.url.rstrip("/").split("/")[-2]
    answer = requests.get(shop.url + "/event?tag=a&tag=b&one=1", headers={"X-Trace": "t1", "User-Agent": "probe/1"},
                          timeout=30)
    event = answer.json()
    assert set(event) >= {"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
                          "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext",
                          "body", "isBase64Encoded"}
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/event", "/event", "GET")
    assert event["queryStringParameters"] == {"tag": "b", "one": "1"}  # the last value of each name
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "one": ["1"]}
    assert event["headers"]["X-Trace"] == "t1"
    assert event["multiValueHeaders"]["X-Trace"] == ["t1"]
    assert (event["pathParameters"], event["stageVariables"], event["body"], event["isBase64Encoded"]) == (
        None, None, None, False)
    context = event["requestContext"]
    assert (context["apiId"], context["stage"], context["path"], context["resourcePath"], context["httpMethod"]) == (
        api_id, "dev", "/dev/event", "/event", "GET")
    assert context["resourceId"] and context["resourceId"] != "abc123"  # the resource's own id
    assert context["requestId"] == answer.headers["x-amzn-RequestId"]
    assert context["extendedRequestId"] and context["requestTimeEpoch"] > 0
    identity = context["identity"]
    assert (identity["sourceIp"], identity["userAgent"], identity["apiKey"], identity["user"]) == (
        "127.0.0.1", "probe/1", None, None)
    assert {"accessKey", "accountId", "caller", "cognitoIdentityId", "userArn"} <= set(identity)


def test_a_path_parameter_is_named_after_its_resource_in_the_event(shop: Any) -> None:
    got = requests.get(shop.url + "/tag/blue", timeout=30).json()
    assert got == {"params": {"label": "blue"}, "resource": "/tag/{label}", "label": "blue"}


def test_a_binary_body_travels_base64_and_comes_back_as_bytes(shop: Any) -> None:
    """The deployed REST API lists ``*/*`` as binary media type: the body reaches the function
    base64-encoded and the function's base64 answer is decoded for the client."""
    data = bytes(range(256)) * 4
    answer = requests.post(shop.url + "/echo", data=data, headers={"Content-Type": "application/octet-stream"},
                           timeout=30)
    assert (answer.status_code, answer.content) == (200, data)
    assert answer.headers["Content-Type"] == "application/octet-stream"


def test_past_the_integration_timeout_api_gateway_answers_504(cloud: Any, shop: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """INTEGRATION_TIMEOUT (REST APIs' 29 s by default; half a second here)."""
    monkeypatch.setattr(cloud._server.app.rest, "integration_timeout", 0.5)
    answer = requests.get(shop.url + "/sleep/5", timeout=30)
    assert (answer.status_code, answer.json()) == (504, {"message": "Endpoint request timed out"})


def test_a_method_whose_function_is_gone_is_an_internal_server_error(cloud: Any) -> None:
    deployment = cloud.deploy(cell(SHOP, "restnofn"), stage="dev")
    deployment.apply()
    try:
        cloud.clients.client("lambda").delete_function(FunctionName="restnofn-dev")
        answer = requests.get(deployment.url + "/", timeout=30)
        assert (answer.status_code, answer.json()) == (500, {"message": "Internal server error"})
    finally:
        cloud.destroy("restnofn")


def test_a_second_apply_with_no_changes_plans_nothing(cloud: Any, shop: Any) -> None:
    again = cloud.deploy(cell(SHOP, "restshop"), stage="dev")
    plan = again.plan()
    assert plan.is_empty, str(plan)
    again.apply()
    assert again.url == shop.url  # the same REST API, still serving
    assert requests.get(again.url + "/", timeout=30).text == "ready"


# -- API keys and usage plans -----------------------------------------------------------

KEYED = '''
from coworks import Lambda, TechMicroService, entry

class Partners(TechMicroService):
    """Open to the partners holding a key."""

    settings = Lambda(api="rest", api_keys=["acme", "zenith"],
                      usage_plan={{"rate": 1, "burst": 2, "quota": {quota}, "period": "DAY"}})

    @entry
    def get_stock(self):
        identity = self.request.event["requestContext"]["identity"]
        return {{"key": identity["apiKey"], "key_id": identity["apiKeyId"]}}

    @entry(no_auth=True)
    def get(self):
        return "open"
'''


class Clock:
    """A clock the test moves by hand: the usage plan meter's."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def partners(cloud: Any) -> Iterator[Any]:
    deployment = cloud.deploy(cell(KEYED.format(quota=5), "restkeys"), stage="dev")
    deployment.apply()
    yield deployment
    cloud.destroy("restkeys")


@pytest.fixture
def clock(cloud: Any, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The local REST gateway's usage meter on a hand-moved clock, counting afresh."""
    from coworks.cloud.local.restapi.usage import UsageMeter

    now = Clock(1_800_000_000.0)  # 2027-01-15T08:00:00Z
    monkeypatch.setattr(cloud._server.app.rest, "meter", UsageMeter(clock=now))
    return now


def test_a_method_needing_a_key_is_forbidden_without_a_valid_one(cloud: Any, partners: Any, clock: Clock) -> None:
    missing = requests.get(partners.url + "/stock", timeout=30)
    assert (missing.status_code, missing.json()) == (403, {"message": "Forbidden"})
    assert missing.headers["x-amzn-ErrorType"] == "ForbiddenException"
    wrong = requests.get(partners.url + "/stock", headers={"x-api-key": "not-a-key-of-ours"}, timeout=30)
    assert (wrong.status_code, wrong.json()) == (403, {"message": "Forbidden"})
    value = cloud.api_key("restkeys", "acme")
    good = requests.get(partners.url + "/stock", headers={"x-api-key": value}, timeout=30)
    assert good.status_code == 200
    assert good.json()["key"] == value and good.json()["key_id"]
    assert requests.get(partners.url + "/", timeout=30).text == "open"  # no_auth: no key needed


def test_a_disabled_key_is_forbidden(cloud: Any, partners: Any, clock: Clock) -> None:
    gateway = cloud.session.client("apigateway", endpoint_url=cloud.endpoint_url)
    value = cloud.api_key("restkeys", "zenith")
    key = next(k for k in gateway.get_api_keys(includeValues=True)["items"] if k["value"] == value)
    gateway.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled",
                                                               "value": "false"}])
    try:
        answer = requests.get(partners.url + "/stock", headers={"x-api-key": value}, timeout=30)
        assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})
    finally:
        gateway.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled",
                                                                   "value": "true"}])


def test_past_the_burst_a_key_is_throttled_until_its_bucket_refills(cloud: Any, partners: Any, clock: Clock) -> None:
    """A usage plan's throttle is a token bucket (``rate`` a second, ``burst`` deep): past it, 429
    ``Too Many Requests`` (THROTTLED); the quota's 429 is ``Limit Exceeded`` (QUOTA_EXCEEDED).
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html"""
    key = {"x-api-key": cloud.api_key("restkeys", "acme")}
    assert [requests.get(partners.url + "/stock", headers=key, timeout=30).status_code for _ in range(2)] == [200, 200]
    throttled = requests.get(partners.url + "/stock", headers=key, timeout=30)
    assert (throttled.status_code, throttled.json()) == (429, {"message": "Too Many Requests"})
    assert throttled.headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    other = requests.get(partners.url + "/stock", headers={"x-api-key": cloud.api_key("restkeys", "zenith")},
                         timeout=30)
    assert other.status_code == 200  # each key has its own bucket
    clock.now += 1.0  # one token a second
    assert requests.get(partners.url + "/stock", headers=key, timeout=30).status_code == 200


def test_past_the_quota_a_key_is_refused_until_the_next_period(cloud: Any, partners: Any, clock: Clock) -> None:
    key = {"x-api-key": cloud.api_key("restkeys", "acme")}
    codes = []
    for _ in range(5):
        codes.append(requests.get(partners.url + "/stock", headers=key, timeout=30).status_code)
        clock.now += 5.0  # never throttled
    assert codes == [200] * 5
    exceeded = requests.get(partners.url + "/stock", headers=key, timeout=30)
    assert (exceeded.status_code, exceeded.json()) == (429, {"message": "Limit Exceeded"})
    assert exceeded.headers["x-amzn-ErrorType"] == "LimitExceededException"
    clock.now += 24 * 3600  # the next UTC day
    assert requests.get(partners.url + "/stock", headers=key, timeout=30).status_code == 200


def test_destroy_removes_the_rest_api_its_usage_plan_and_keys(cloud: Any) -> None:
    deployment = cloud.deploy(cell(KEYED.format(quota=100), "restgone"), stage="dev")
    deployment.apply()
    gateway = cloud.session.client("apigateway", endpoint_url=cloud.endpoint_url)

    def held() -> tuple[list[str], list[str], list[str]]:
        return ([a["name"] for a in gateway.get_rest_apis()["items"] if a["name"].startswith("restgone")],
                [p["name"] for p in gateway.get_usage_plans()["items"] if p["name"].startswith("restgone")],
                [k["name"] for k in gateway.get_api_keys()["items"] if k["name"].startswith("restgone")])

    assert held() == (["restgone-dev"], ["restgone-dev"], ["restgone-dev-acme", "restgone-dev-zenith"])
    url = deployment.url
    cloud.destroy("restgone")
    assert held() == ([], [], [])
    assert requests.get(url + "/", timeout=30).status_code == 404  # no API of that id any more


# -- Lambda authorizers -------------------------------------------------------------------

AUTHORIZED = '''
from coworks import Lambda, TechMicroService, entry, tokens_equal

class Vault(TechMicroService):
    """Behind a Lambda authorizer."""

    settings = Lambda(api="rest")
{sources}
    def auth(self, token):
        if tokens_equal(token, "admin"):
            return True
        if tokens_equal(token, "reader"):
            return ["get_secret"]
        return False

    @entry
    def get_secret(self):
        return self.request.event["requestContext"]["authorizer"]

    @entry
    def post_secret(self):
        return "written"
'''


@pytest.fixture(scope="module")
def token_vault(cloud: Any) -> Iterator[Any]:
    deployment = cloud.deploy(cell(AUTHORIZED.format(sources=""), "resttoken"), stage="dev")
    deployment.apply()
    yield deployment
    cloud.destroy("resttoken")


@pytest.fixture(scope="module")
def request_vault(cloud: Any) -> Iterator[Any]:
    sources = '    identity_sources = ("method.request.header.X-Token", "method.request.querystring.tenant")\n'
    deployment = cloud.deploy(cell(AUTHORIZED.format(sources=sources), "restrequest"), stage="dev")
    deployment.apply()
    yield deployment
    cloud.destroy("restrequest")


def test_the_deployed_authorizers_are_token_and_request(cloud: Any, token_vault: Any, request_vault: Any) -> None:
    gateway = cloud.session.client("apigateway", endpoint_url=cloud.endpoint_url)
    kinds = {}
    for deployment in (token_vault, request_vault):
        api_id = deployment.url.rstrip("/").split("/")[-2]
        found = gateway.get_authorizers(restApiId=api_id)["items"]
        kinds[deployment.service] = [(a["type"], a["identitySource"]) for a in found]
    assert kinds == {"resttoken": [("TOKEN", "method.request.header.Authorization")],
                     "restrequest": [("REQUEST", "method.request.header.X-Token, method.request.querystring.tenant")]}


def test_a_token_authorizer_decides_and_its_context_reaches_the_function(token_vault: Any) -> None:
    """TOKEN: no token is 401 ``Unauthorized`` (the authorizer is not called), a Deny is 403 with
    API Gateway's explicit-deny message, an Allow passes its principal and context on.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html"""
    url = token_vault.url + "/secret"
    missing = requests.get(url, timeout=30)
    assert (missing.status_code, missing.json()) == (401, {"message": "Unauthorized"})
    denied = requests.get(url, headers={"Authorization": "Bearer intruder"}, timeout=30)
    assert (denied.status_code, denied.json()) == (
        403, {"message": "User is not authorized to access this resource with an explicit deny"})
    assert (missing.headers["x-amzn-ErrorType"], denied.headers["x-amzn-ErrorType"]) == (
        "UnauthorizedException", "AccessDeniedException")
    allowed = requests.get(url, headers={"Authorization": "Bearer admin"}, timeout=30)
    assert allowed.status_code == 200
    assert allowed.json() == {"principalId": "resttoken", "service": "resttoken"}


def test_a_policy_allowing_other_methods_only_is_forbidden(token_vault: Any) -> None:
    headers = {"Authorization": "Bearer reader"}
    assert requests.get(token_vault.url + "/secret", headers=headers, timeout=30).status_code == 200
    refused = requests.post(token_vault.url + "/secret", headers=headers, timeout=30)
    assert (refused.status_code, refused.json()) == (403, {"message": "User is not authorized to access this resource"})


def test_a_request_authorizer_needs_every_identity_source(request_vault: Any) -> None:
    url = request_vault.url + "/secret"
    for headers, query in (({}, {}), ({"X-Token": "admin"}, {}), ({}, {"tenant": "t1"})):
        answer = requests.get(url, headers=headers, params=query, timeout=30)
        assert (answer.status_code, answer.json()) == (401, {"message": "Unauthorized"}), (headers, query)
    denied = requests.get(url, headers={"X-Token": "intruder"}, params={"tenant": "t1"}, timeout=30)
    assert (denied.status_code, denied.json()) == (
        403, {"message": "User is not authorized to access this resource with an explicit deny"})
    allowed = requests.get(url, headers={"X-Token": "admin"}, params={"tenant": "t1"}, timeout=30)
    assert (allowed.status_code, allowed.json()) == (200, {"principalId": "restrequest", "service": "restrequest"})


# -- http -> rest ---------------------------------------------------------------------------

SWITCH = '''
from coworks import Lambda, TechMicroService, entry

class Switch(TechMicroService):
    """Moves from an HTTP API to a REST API."""

    settings = Lambda(api={api!r})

    @entry
    def get_kind(self):
        return {{"version": self.request.event.get("version", "1.0")}}
'''


def test_switching_from_http_to_rest_replaces_the_api_and_the_new_url_answers(cloud: Any) -> None:
    first = cloud.deploy(cell(SWITCH.format(api="http"), "restswitch"), stage="dev")
    first.apply()
    try:
        old = first.url
        assert requests.get(old + "/kind", timeout=30).json() == {"version": "2.0"}
        second = cloud.deploy(cell(SWITCH.format(api="rest"), "restswitch"), stage="dev")
        plan = second.plan()
        assert ("replace", "rest api") in {(a.verb, a.kind) for a in plan.actions}, str(plan)
        second.apply()
        assert second.url != old
        assert requests.get(second.url + "/kind", timeout=30).json() == {"version": "1.0"}
        assert requests.get(old + "/kind", timeout=30).status_code == 404  # the HTTP API is gone
        assert cloud.deploy(cell(SWITCH.format(api="rest"), "restswitch"), stage="dev").plan().is_empty
    finally:
        cloud.destroy("restswitch")

