"""CORS: per service or per entry; preflights answered like API Gateway's HTTP API."""

from __future__ import annotations

import pytest

from coworks import CORSConfig, ServiceError, TechMicroService, entry
from coworks.testing import rest_event

ORIGIN = "https://app.example.com"


class Public(TechMicroService):
    cors = ORIGIN

    @entry
    def get_item(self, item_id: int):
        return {"id": item_id}

    @entry
    def put_item(self, item_id: int, *, name: str = ""):
        return {"id": item_id}


class PerEntry(TechMicroService):
    @entry(cors=True)
    def get_open(self):
        return "open"

    @entry
    def get_closed(self):
        return "closed"


def preflight(client, path: str, origin: str = ORIGIN, method: str = "PUT", headers: str = "Content-Type"):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": headers})


@pytest.fixture(params=["2.0", "1.0"])
def payload(request) -> str:
    return request.param


def test_service_cors_adds_headers_for_an_allowed_origin(payload) -> None:
    response = Public().test_client(payload).get("/item/1", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["vary"] == "Origin"


def test_disallowed_origin_gets_no_cors_headers(payload) -> None:
    client = Public().test_client(payload)
    response = client.get("/item/1", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert not any(k.startswith("access-control-") for k in response.headers)
    answer = preflight(client, "/item/1", origin="https://evil.example")
    assert not any(k.startswith("access-control-") for k in answer.headers)


def test_no_origin_no_cors_headers(payload) -> None:
    response = Public().test_client(payload).get("/item/1")
    assert "access-control-allow-origin" not in response.headers


def test_preflight_is_answered(payload) -> None:
    response = preflight(Public().test_client(payload), "/item/1")
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS, PUT"
    assert response.headers["access-control-allow-headers"] == "Content-Type"
    assert response.headers["access-control-max-age"] == "600"


def test_preflight_with_unlisted_request_headers_does_not_allow_them(payload) -> None:
    response = preflight(Public().test_client(payload), "/item/1", headers="X-Custom")
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-headers" not in response.headers


def test_preflight_on_an_unknown_path_is_404(payload) -> None:
    assert preflight(Public().test_client(payload), "/nowhere").status_code == 404


def test_cors_on_errors_too(payload) -> None:
    response = Public().test_client(payload).get("/item/x", headers={"Origin": ORIGIN})
    assert response.status_code == 422
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_per_entry_cors(payload) -> None:
    client = PerEntry().test_client(payload)
    assert client.get("/open", headers={"Origin": ORIGIN}).headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in client.get("/closed", headers={"Origin": ORIGIN}).headers
    answer = preflight(client, "/open", method="GET")
    assert answer.status_code == 204 and answer.headers["access-control-allow-origin"] == "*"
    assert preflight(client, "/closed", method="GET").status_code == 405


def test_service_cors_given_to_the_constructor(payload) -> None:
    class Plain(TechMicroService):
        @entry
        def get(self):
            return "x"

    plain = Plain().test_client(payload).get("/", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in plain.headers
    client = Plain(cors=[ORIGIN, "https://b.example"]).test_client(payload)
    assert client.get("/", headers={"Origin": "https://b.example"}).headers["access-control-allow-origin"] == (
        "https://b.example")


def test_credentials_and_exposed_headers() -> None:
    config = CORSConfig([ORIGIN], expose_headers=["X-Total"], allow_credentials=True, max_age=None)
    client = Public(cors=config).test_client()
    response = client.get("/item/1", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-expose-headers"] == "X-Total"
    answer = preflight(client, "/item/1")
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "access-control-max-age" not in answer.headers


def test_credentials_with_any_origin_is_refused() -> None:
    with pytest.raises(ServiceError, match="explicit origins"):
        CORSConfig(["*"], allow_credentials=True)


def test_bad_cors_value_is_refused() -> None:
    with pytest.raises(ServiceError, match="cors="):
        Public(cors=3)


def test_preflight_through_a_lambda_event() -> None:
    event = rest_event("OPTIONS", "/item/1", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    result = Public()(event, None)
    assert result["statusCode"] == 204
    assert result["headers"]["Access-Control-Allow-Origin"] == ORIGIN


def test_preflight_needs_no_token_on_a_guarded_service(payload) -> None:
    class Guarded(Public):
        def auth(self, token):
            return False

    client = Guarded().test_client(payload)
    assert client.get("/item/1", headers={"Origin": ORIGIN}).status_code == 401
    answer = preflight(client, "/item/1")
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == ORIGIN
