"""``app.serve(port=0)``: the service over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from coworks import Response, TechMicroService, entry


class Live(TechMicroService):
    def auth(self, token):
        return token == "good" or (["GET /item/{item_id}"] if token == "reader" else False)

    @entry
    def get_item(self, item_id: int, *, tags: list[str] | None = None):
        return {"id": item_id, "tags": tags, "ip": self.request.source_ip}

    @entry
    def post_item(self, *, name: str, qty: int = 0):
        return {"name": name, "qty": qty}, 201

    @entry
    def post_upload(self, *, title: str, doc: bytes):
        return {"title": title, "size": len(doc)}

    @entry(no_auth=True)
    def get_health(self):
        return Response("ok", cookies=["seen=1; Path=/"])

    @entry(no_auth=True)
    def get_bytes(self):
        return b"\x00\xff"

    @entry(no_auth=True)
    def get_next(self, *, to: str = "/"):
        return "moved", 302, {"Location": to}

    @entry(no_auth=True)
    def post_echo(self, *, text: str):
        return {"text": text, "size": len(text)}


@pytest.fixture(scope="module")
def server():
    handle = Live().serve(port=0)
    yield handle
    handle.stop()


@pytest.fixture
def http():
    with requests.Session() as session:
        session.headers["Authorization"] = "good"
        yield session


def test_binds_to_loopback_on_a_free_port(server) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server.port > 0


def test_get_with_path_and_query(server, http) -> None:
    response = http.get(f"{server.url}/item/3", params={"tags": ["a", "b"]})
    assert response.status_code == 200
    assert response.json() == {"id": 3, "tags": ["a", "b"], "ip": "127.0.0.1"}


def test_post_json_form_and_multipart(server, http) -> None:
    assert http.post(f"{server.url}/item", json={"name": "pen"}).json() == {"name": "pen", "qty": 0}
    assert http.post(f"{server.url}/item", data={"name": "pen", "qty": "2"}).status_code == 201
    response = http.post(f"{server.url}/upload", data={"title": "t"}, files={"doc": ("d.bin", b"12345")})
    assert response.json() == {"title": "t", "size": 5}


def test_errors_over_http(server, http) -> None:
    assert http.get(f"{server.url}/nowhere").status_code == 404
    assert http.get(f"{server.url}/nowhere").json() == {"message": "Not Found"}
    response = http.delete(f"{server.url}/item/3")
    assert (response.status_code, response.headers["Allow"]) == (405, "GET, HEAD")
    assert http.get(f"{server.url}/item/x").status_code == 422
    bad = http.post(f"{server.url}/item", data="{", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400


def test_auth_401_and_403(server) -> None:
    assert requests.get(f"{server.url}/item/1").status_code == 401
    assert requests.get(f"{server.url}/item/1", headers={"Authorization": "bad"}).status_code == 403
    assert requests.get(f"{server.url}/item/1", headers={"Authorization": "reader"}).status_code == 200
    denied = requests.post(f"{server.url}/item", json={"name": "x"}, headers={"Authorization": "reader"})
    assert denied.status_code == 403
    assert requests.get(f"{server.url}/health").text == "ok"


def test_cookies_binary_and_head(server, http) -> None:
    response = http.get(f"{server.url}/health")
    assert response.cookies["seen"] == "1"
    assert http.get(f"{server.url}/bytes").content == b"\x00\xff"
    head = http.head(f"{server.url}/health")
    assert head.status_code == 200 and head.content == b""


def test_keep_alive_reuses_one_connection(server, monkeypatch) -> None:
    import urllib3.util.connection

    opened = []
    real = urllib3.util.connection.create_connection

    def counting(address, *args, **kwargs):
        opened.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting)
    with requests.Session() as session:
        session.headers["Authorization"] = "good"
        for index in range(5):
            assert session.get(f"{server.url}/item/{index}").json()["id"] == index
        assert session.post(f"{server.url}/item", json={"name": "k"}).status_code == 201
        assert session.get(f"{server.url}/nowhere").status_code == 404
    assert opened == [("127.0.0.1", server.port)]


def test_stop_closes_the_port() -> None:
    handle = Live().serve(port=0)
    assert requests.get(f"{handle.url}/health").text == "ok"
    handle.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{handle.url}/health", timeout=2)


def test_context_manager_stops() -> None:
    with Live().serve(port=0) as handle:
        assert requests.get(f"{handle.url}/health").status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{handle.url}/health", timeout=2)


def raw_exchange(server, request: bytes) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request)
        return sock.recv(65536)


def test_bad_content_length_is_400_and_oversized_is_413(server) -> None:
    for value in (b"abc", b"-5"):
        answer = raw_exchange(server, b"POST /item HTTP/1.1\r\nHost: x\r\nContent-Length: " + value + b"\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 400 ")
    answer = raw_exchange(server, b"POST /item HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_garbage_does_not_stop_the_server(server, http) -> None:
    assert raw_exchange(server, b"GARBAGE\r\n\r\n")
    assert http.get(f"{server.url}/item/1").status_code == 200


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(
    path=st.sampled_from(["/item", "/item/1", "/upload", "/nowhere", "/item/%2e%2e", "/item/..%2F..", "//item"]),
    body=st.binary(max_size=300),
    ctype=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "multipart/form-data",
                           "multipart/form-data; boundary=x", "text/plain", ""]),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
)
def test_no_request_makes_the_server_answer_500(server, path: str, body: bytes, ctype: str, method: str) -> None:
    headers = {"Authorization": "good", "Content-Type": ctype} if ctype else {"Authorization": "good"}
    response = requests.request(method, f"{server.url}{path}", data=body, headers=headers, timeout=5)
    assert response.status_code < 500, response.text


def test_a_chunked_body_reaches_the_service_whole(server) -> None:
    def parts():
        yield b'{"text": "'
        yield b"x" * 70_000
        yield b'"}'

    response = requests.post(f"{server.url}/echo", data=parts(), headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["size"]) == (200, 70_000)


def test_a_header_the_service_returns_with_a_line_break_is_a_500_naming_it(server) -> None:
    from tests.support import raw_answers

    [(status, headers, body)] = raw_answers(server.port, b"GET /next?to=/a%0d%0aSet-Cookie:%20evil=1 HTTP/1.1\r\n"
                                                         b"Host: 127.0.0.1\r\n\r\n")
    assert status == 500 and "set-cookie" not in headers and "location" not in headers
    assert b"The response header Location holds a CR, LF or NUL" in body
    [(status, headers, _)] = raw_answers(server.port, b"GET /next?to=/b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert (status, headers["location"]) == (302, "/b")


def test_api_gateways_ten_megabytes_are_refused_before_the_body_is_read(server) -> None:
    from tests.support import raw_answers

    [(status, _, body)] = raw_answers(server.port, b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                   b"Content-Length: 1073741824\r\n\r\n")
    assert (status, body) == (413, b'{"message":"Request Entity Too Large"}')


def test_pipelined_requests_to_the_service_are_answered_in_order(server) -> None:
    from tests.support import raw_answers

    wire = b"".join(f"GET /item/{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: good\r\n\r\n".encode()
                    for i in range(5))
    answers = raw_answers(server.port, wire, count=5)
    assert [json.loads(body)["id"] for _, _, body in answers] == [0, 1, 2, 3, 4]
