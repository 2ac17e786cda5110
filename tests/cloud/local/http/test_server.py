"""The front door's HTTP with real clients and raw sockets against a running local cloud: chunked
bodies reach the function whole, requests that never complete never run, slow clients hold no
thread, kept-alive and pipelined requests are answered in order, and an HTTP API's 10 MB are
refused before they are read."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support import SLOW, closed_by_server, deploy_by_hand, poll, raw_answers, service_zip

pytestmark = pytest.mark.localcloud


@pytest.fixture(scope="module")
def url(front_door: Any, front_door_client: Any) -> str:
    return deploy_by_hand(front_door_client, "httpslow-dev", service_zip(SLOW), url=front_door.url)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def test_a_chunked_body_reaches_the_function_whole(url: str) -> None:
    def parts() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 10_000
        yield b'"}'

    answer = requests.post(url + "/echo", data=parts(), headers={"Content-Type": "application/json"}, timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"size": 100_000})


def test_an_invocation_that_never_completes_never_runs(front_door: Any, url: str) -> None:
    served = front_door.http.served
    for wire in (b"POST /2015-03-31/functions/httpslow-dev/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Length: 100\r\n\r\n{\"method\": ",  # the body is cut short: the client leaves
                 b"GET " + path_of(url).encode() + b"/sleep/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n"):  # no empty line
        with socket.create_connection(("127.0.0.1", front_door.port)) as sock:
            sock.sendall(wire)
    poll(lambda: front_door.http.connections == 0)
    assert front_door.http.served == served


def test_kept_alive_and_pipelined_requests_are_answered_in_order(front_door: Any, url: str) -> None:
    path = path_of(url)
    wire = b"".join(f"GET {path}/sleep/{n} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for n in (0.2, 0, 0.1))
    answers = raw_answers(front_door.port, wire, count=3, timeout=30)
    assert [json.loads(body)["slept"] for _, _, body in answers] == [0.2, 0, 0.1]
    with requests.Session() as session:  # one connection for all of them
        for _ in range(3):
            assert session.get(f"{url}/sleep/0", timeout=30).status_code == 200
    assert front_door.http.connections <= 2


def test_the_http_apis_ten_megabytes_are_refused_before_they_are_read(front_door: Any, url: str) -> None:
    before = resident_mb()
    with socket.create_connection(("127.0.0.1", front_door.port), timeout=30) as sock:  # a GiB announced
        sock.sendall(f"POST {path_of(url)}/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: 1073741824\r\n\r\n".encode())
        try:
            for _ in range(100):  # 100 MB of it sent before the client looks for an answer
                sock.sendall(b"x" * 1_000_000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = closed_by_server(sock, timeout=30)
    assert data.startswith(b"HTTP/1.1 413 ") and data.endswith(b'{"message":"Request Entity Too Large"}')
    assert resident_mb() - before < 50  # read and dropped, never held
    answer = requests.post(url + "/echo", data=b"y" * (10 * 1024 * 1024 + 1), timeout=30)
    assert (answer.status_code, answer.json()) == (413, {"message": "Request Entity Too Large"})
    answer = requests.post(url + "/echo", json={"text": "z" * 5_000_000}, timeout=60)
    assert (answer.status_code, answer.json()) == (200, {"size": 5_000_000})
    # under API Gateway's 10 MB, but its event is over Lambda's 6 MB: the integration is refused
    answer = requests.post(url + "/echo", json={"text": "z" * 9_000_000}, timeout=60)
    assert (answer.status_code, answer.json()) == (413, {"message": "Request Entity Too Large"})


@pytest.fixture(scope="module")
def quick_door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from coworks.cloud.local.frontdoor import start_front_door
    from coworks.runtime.http.server import Timeouts

    server, lambdas = start_front_door(tmp_path_factory.mktemp("quick"),
                                       timeouts=Timeouts(head=0.5, idle=0.5, body=0.5, linger=0.2))
    yield server
    server.stop()
    lambdas.close()


def test_slow_clients_of_the_front_door_are_dropped_without_a_thread_each(quick_door: Any) -> None:
    threads = threading.active_count()
    slow = [socket.create_connection(("127.0.0.1", quick_door.port), timeout=10) for _ in range(50)]
    for sock in slow:
        sock.sendall(b"POST /2015-03-31/functions/x/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    poll(lambda: quick_door.http.connections >= 50)
    assert threading.active_count() - threads < 5
    assert requests.get(quick_door.url + "/_coworks/health", timeout=5).json()["service"] == "coworks-local-cloud"
    for sock in slow:
        assert closed_by_server(sock).startswith(b"HTTP/1.1 408 ")
        sock.close()
    assert quick_door.http.served == 1
