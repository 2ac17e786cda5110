"""Authorizers: ``auth(self, token)`` answers TOKEN and REQUEST authorizer events."""

from __future__ import annotations

import logging
from fnmatch import fnmatchcase

import pytest

from coworks import TechMicroService, entry, tokens_equal
from coworks.runtime.auth import policy_allows
from coworks.testing import request_authorizer_event, token_authorizer_event

ARN = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev"


class Guarded(TechMicroService):
    def auth(self, token: str):
        if tokens_equal(token, "admin-secret"):
            return True
        if token == "reader":
            return ["GET /item/{item_id}", "get_items"]
        if token == "by-path":
            return ["/item/{item_id}"]
        if token == "boom":
            raise RuntimeError("auth crashed")
        return False

    @entry
    def get_item(self, item_id: int):
        return {"id": item_id}

    @entry
    def put_item(self, item_id: int, *, name: str = ""):
        return {"id": item_id, "name": name}

    @entry
    def get_items(self):
        return ["all"]

    @entry
    def get_secret(self):
        return "secret"

    @entry(no_auth=True)
    def get_health(self):
        return "ok"


@pytest.fixture(scope="module")
def app() -> Guarded:
    return Guarded()


def statements(result):
    return result["policyDocument"]["Statement"]


def allowed(result, method: str, path: str) -> bool:
    return policy_allows(result["policyDocument"], f"{ARN}/{method}{path}")


def test_tokens_equal() -> None:
    assert tokens_equal("abc", "abc")
    assert tokens_equal(b"abc", "abc")
    assert not tokens_equal("abd", "abc")
    assert not tokens_equal(None, "abc")
    assert not tokens_equal("", "abc")


def test_tokens_equal_is_constant_time(monkeypatch) -> None:
    import hmac

    calls = []
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or a == b)
    assert tokens_equal("x", "x")
    assert calls == [(b"x", b"x")]


def test_token_authorizer_true_allows_every_route(app) -> None:
    result = app(token_authorizer_event("admin-secret", "GET", "/item/1"), None)
    assert result["principalId"] == "guarded"
    assert statements(result) == [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{ARN}/*"}]
    assert allowed(result, "PUT", "/item/1") and allowed(result, "GET", "/secret")


def test_token_authorizer_false_denies(app) -> None:
    event = token_authorizer_event("wrong", "GET", "/item/1")
    result = app(event, None)
    assert statements(result) == [{"Action": "execute-api:Invoke", "Effect": "Deny",
                                   "Resource": event["methodArn"]}]
    assert not allowed(result, "GET", "/item/1")


def test_token_authorizer_list_allows_only_those_routes(app) -> None:
    result = app(token_authorizer_event("reader", "GET", "/item/1"), None)
    assert allowed(result, "GET", "/item/1")
    assert not allowed(result, "PUT", "/item/1")
    assert not allowed(result, "GET", "/secret")
    assert allowed(result, "GET", "/items")  # named by its method
    assert all(s["Effect"] == "Allow" for s in statements(result))
    assert f"{ARN}/GET/item/*" in statements(result)[0]["Resource"]


def test_token_authorizer_list_of_paths_allows_every_verb(app) -> None:
    result = app(token_authorizer_event("by-path", "PUT", "/item/1"), None)
    assert allowed(result, "PUT", "/item/1") and allowed(result, "GET", "/item/1")
    assert not allowed(result, "GET", "/items")
    assert not allowed(result, "GET", "/secret")


def test_auth_error_denies_and_is_logged(app, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="coworks"):
        result = app(token_authorizer_event("boom", "GET", "/item/1"), None)
    assert statements(result)[0]["Effect"] == "Deny"
    assert "auth crashed" in caplog.text


@pytest.mark.parametrize("token", ["", None, 3, ["admin-secret"]])
def test_missing_or_odd_tokens_are_denied(app, token) -> None:
    event = token_authorizer_event("x", "GET", "/item/1")
    event["authorizationToken"] = token
    assert statements(app(event, None))[0]["Effect"] == "Deny"


def test_rest_request_authorizer_reads_the_authorization_header(app) -> None:
    event = {"type": "REQUEST", "methodArn": f"{ARN}/GET/item/1", "httpMethod": "GET",
             "headers": {"Authorization": "admin-secret"}}
    assert statements(app(event, None))[0]["Effect"] == "Allow"


def test_http_api_request_authorizer_simple_responses(app) -> None:
    def decide(token, method, path, key):
        return app(request_authorizer_event(token, method, path, key), None)["isAuthorized"]

    assert decide("admin-secret", "PUT", "/item/1", "PUT /item/{item_id}") is True
    assert decide("reader", "GET", "/item/1", "GET /item/{item_id}") is True
    assert decide("reader", "PUT", "/item/1", "PUT /item/{item_id}") is False
    assert decide("wrong", "GET", "/item/1", "GET /item/{item_id}") is False
    assert decide("admin-secret", "GET", "/nope", "GET /nope") is False


def test_no_auth_route_is_open_to_the_authorizer(app) -> None:
    assert app(request_authorizer_event(None, "GET", "/health", "GET /health"), None)["isAuthorized"] is True


@pytest.fixture(params=["2.0", "1.0"])
def client(request, app):
    return app.test_client(payload=request.param)


def test_client_without_token_is_401(client) -> None:
    response = client.get("/item/1")
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


def test_client_with_a_refused_token_is_403(client) -> None:
    response = client.get("/item/1", headers={"Authorization": "wrong"})
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


def test_client_with_a_route_list(client) -> None:
    assert client.get("/item/1", headers={"Authorization": "reader"}).json() == {"id": 1}
    assert client.get("/items", headers={"Authorization": "reader"}).json() == ["all"]
    assert client.put("/item/1", headers={"Authorization": "reader"}).status_code == 403
    assert client.get("/secret", headers={"Authorization": "reader"}).status_code == 403


def test_client_with_the_admin_token(client) -> None:
    assert client.get("/secret", headers={"Authorization": "admin-secret"}).text == "secret"


def test_client_no_auth_route_needs_no_token(client) -> None:
    assert client.get("/health").text == "ok"


def test_service_without_auth_is_open() -> None:
    class Open(TechMicroService):
        @entry
        def get(self):
            return "open"

    assert Open().test_client().get("/").text == "open"


def test_policy_resources_use_wildcards_for_path_parameters(app) -> None:
    result = app(token_authorizer_event("reader", "GET", "/item/1"), None)
    resources = statements(result)[0]["Resource"]
    assert any(fnmatchcase(f"{ARN}/GET/item/99", r) for r in resources)


def test_a_bearer_header_reaches_auth_as_its_token_and_the_raw_value_on_request() -> None:
    from coworks import TechMicroService, entry, tokens_equal

    seen: list[tuple[str, ...]] = []

    class Bare(TechMicroService):
        def auth(self, token):
            seen.append((token,))
            return tokens_equal(token, "s3cret")

        @entry
        def get(self):
            return "in"

    class Raw(Bare):
        def auth(self, token, header):
            seen.append((token, header))
            return header.startswith("Bearer ")

    for payload in ("2.0", "1.0"):
        client = Bare().test_client(payload=payload)
        assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/", headers={"Authorization": "bearer  s3cret"}).status_code == 200
        assert client.get("/", headers={"Authorization": "s3cret"}).status_code == 200  # no scheme: as it is
        assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert ("s3cret",) in seen and ("Bearer s3cret",) not in seen
    seen.clear()
    assert Raw().test_client().get("/", headers={"Authorization": "Bearer abc"}).status_code == 200
    assert seen == [("abc", "Bearer abc")]
