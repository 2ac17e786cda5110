"""Behaviours found missing by review, each pinned by a test."""

from __future__ import annotations

from coworks import Response, TechMicroService, entry
from coworks.testing import direct_event, rest_event, token_authorizer_event


class Echo(TechMicroService):
    def auth(self, token: str):  # a one-shot generator of allowed routes
        return (key for key in ["GET /a", "GET /b"])

    @entry
    def get_a(self) -> dict[str, str]:
        return {"agent": self.request.headers.get("user-agent", "")}

    @entry
    def get_b(self) -> Response:
        return Response("not json", 200, {"Content-Type": "application/json"})


def test_v1_event_with_only_multi_value_headers_keeps_single_headers() -> None:
    event = rest_event("GET", "/a")
    event["headers"] = None
    event["multiValueHeaders"] = {"User-Agent": ["alb-client"]}
    answer = Echo()(event, None)
    assert answer["statusCode"] == 200 and answer["body"] == '{"agent":"alb-client"}'


def test_direct_invocation_of_a_mislabelled_json_response_returns_its_text() -> None:
    assert Echo()(direct_event("GET", "/b"), None) == "not json"


def test_generator_of_allowed_routes_grants_every_route_it_names() -> None:
    policy = Echo()(token_authorizer_event("t", "GET", "/a"), None)["policyDocument"]
    resources = policy["Statement"][0]["Resource"]
    assert policy["Statement"][0]["Effect"] == "Allow"
    assert [r.rsplit("/", 2)[-2:] for r in resources] == [["GET", "a"], ["GET", "b"]]


def test_head_on_the_local_server_gives_the_get_length_and_no_body() -> None:
    import http.client

    class Item(TechMicroService):
        @entry
        def get_item(self, item_id: int) -> dict[str, int]:
            return {"id": item_id}

    with Item().serve(port=0) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/item/12345")
        got = connection.getresponse()
        body = got.read()
        connection.request("HEAD", "/item/12345")
        head = connection.getresponse()
        assert head.read() == b""
        assert head.status == 200 and head.getheader("Content-Length") == str(len(body)) == got.getheader(
            "Content-Length")
        connection.close()
