"""The runtime's HTTP/1.1 server with raw sockets: what runs (only whole requests), what is
refused (and how), and what slow or greedy clients cost (a coroutine, never a thread)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from coworks.runtime.http.server import HttpAnswer, HttpRequest, HttpServer, Timeouts, json_answer
from tests.support import closed_by_server, poll, raw_answers, read_answers


class Recorder:
    """An application that says what it got, and remembers every request it ran."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self.ran: list[tuple[str, str, bytes]] = []
        self.gate = threading.Event()
        self.gate.set()

    def admit(self, head: object) -> int | HttpAnswer:
        if getattr(head, "path", "") == "/refused":
            return json_answer(403, b'{"message":"Forbidden"}')
        return self.limit

    def too_large(self, head: object, limit: int) -> HttpAnswer:
        return json_answer(413, b'{"message":"Request Entity Too Large"}')

    def __call__(self, request: HttpRequest) -> HttpAnswer:
        head = request.head
        self.ran.append((head.method, head.target, request.body))
        if head.path == "/wait":
            self.gate.wait(10)
        if head.path == "/split":
            return HttpAnswer(200, [("X-Next", "a\r\nSet-Cookie: evil=1")], b"x")
        if head.path == "/fail":
            raise RuntimeError("boom")
        said = f"{head.method} {head.target} ".encode()
        return HttpAnswer(200, [("Content-Type", "text/plain")], said + request.body)


@pytest.fixture
def app() -> Recorder:
    return Recorder()


@pytest.fixture
def server(app: Recorder) -> Iterator[HttpServer]:
    running = HttpServer(app, timeouts=Timeouts(head=0.5, idle=0.5, body=0.5, linger=0.5)).start()
    yield running
    running.stop(grace=1)


def connect(server: HttpServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_a_chunked_body_arrives_whole(server: HttpServer, app: Recorder) -> None:
    wire = (b"POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n1;ext=a\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n")
    [(status, _, body)] = raw_answers(server.port, wire)
    assert (status, body) == (200, b"POST /up hello world")

    def parts() -> Iterator[bytes]:
        yield b"from "
        yield b"a generator"

    answer = requests.post(server.url + "/gen", data=parts(), timeout=10)  # what requests sends chunked
    assert answer.text == "POST /gen from a generator"


def test_a_head_without_its_empty_line_is_never_run(server: HttpServer, app: Recorder) -> None:
    with connect(server) as sock:
        sock.sendall(b"POST /half HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n")
    poll(lambda: server.connections == 0)
    assert app.ran == []


def test_a_body_shorter_than_its_length_is_never_run(server: HttpServer, app: Recorder) -> None:
    with connect(server) as sock:
        sock.sendall(b"POST /short HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly this")
    poll(lambda: server.connections == 0)
    with connect(server) as sock:  # nor a chunked body without its last chunk
        sock.sendall(b"POST /short HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
    poll(lambda: server.connections == 0)
    assert app.ran == []


@pytest.mark.parametrize("length", [b"-1", b"five", b"1e3", b" "])
def test_an_invalid_content_length_is_a_400_and_is_not_run(server: HttpServer, app: Recorder, length: bytes) -> None:
    with connect(server) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\nhello")
        data = closed_by_server(sock)
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"Content-Length header" in data
    assert app.ran == []


def test_http_0_9_is_refused_and_the_connection_closed(server: HttpServer, app: Recorder) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /\r\n\r\n")
        data = closed_by_server(sock)
    assert data.startswith(b"HTTP/1.1 400 ") and b"HTTP/0.9" in data and app.ran == []


def test_keep_alive_and_pipelined_requests_are_answered_in_order(server: HttpServer, app: Recorder) -> None:
    wire = (b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            b"POST /3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
            b"GET /4 HTTP/1.1\r\nHost: x\r\n\r\n")
    answers = raw_answers(server.port, wire, count=4)
    assert [body for _, _, body in answers] == [b"GET /1 ", b"POST /2 abc", b"POST /3 de", b"GET /4 "]
    assert all(headers.get("connection") != "close" for _, headers, _ in answers)
    with connect(server) as sock:  # one connection, one request after the other
        stream = sock.makefile("rb")
        for index in range(3):
            sock.sendall(f"GET /again/{index} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert read_answers(stream, 1)[0][2] == f"GET /again/{index} ".encode()


def test_http_1_0_and_connection_close_are_answered_then_closed(server: HttpServer) -> None:
    for wire in (b"GET /a HTTP/1.0\r\n\r\n", b"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"):
        with connect(server) as sock:
            sock.sendall(wire)
            data = closed_by_server(sock)
        assert data.startswith(b"HTTP/1.1 200 OK") and b"Connection: close" in data


def test_slow_clients_are_dropped_and_hold_no_thread(server: HttpServer, app: Recorder) -> None:
    threads = threading.active_count()
    slow = [connect(server) for _ in range(60)]
    for sock in slow:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n")  # slowloris: the head never ends
    poll(lambda: server.connections == 60)
    assert threading.active_count() - threads < 5  # sixty slow clients, no thread each
    assert requests.get(server.url + "/fast", timeout=5).text == "GET /fast "  # others are served meanwhile
    for sock in slow:
        assert closed_by_server(sock).startswith(b"HTTP/1.1 408 ")  # the head timeout
        sock.close()
    idle = connect(server)  # a kept-alive connection with nothing more to say is closed too
    idle.sendall(b"GET /once HTTP/1.1\r\nHost: x\r\n\r\n")
    assert closed_by_server(idle).startswith(b"HTTP/1.1 200 ")
    idle.close()
    assert [target for _, target, _ in app.ran] == ["/fast", "/once"]


def test_a_stalled_body_is_dropped_unrun(server: HttpServer, app: Recorder) -> None:
    with connect(server) as sock:
        sock.sendall(b"POST /stall HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        assert closed_by_server(sock) == b""
    assert app.ran == []


def test_a_body_over_the_limit_is_refused_before_it_is_read(server: HttpServer, app: Recorder) -> None:
    with connect(server) as sock:  # a gigabyte announced, none sent: answered at once
        sock.sendall(b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n")
        data = closed_by_server(sock)
    assert data.startswith(b"HTTP/1.1 413 ") and data.endswith(b'{"message":"Request Entity Too Large"}')
    chunks = b"".join(b"100\r\n" + b"x" * 256 + b"\r\n" for _ in range(8))  # 2 KB chunked, over 1,000 bytes
    [(status, _, _)] = raw_answers(server.port, b"POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   + chunks)
    assert status == 413 and app.ran == []
    answer = requests.post(server.url + "/big", data=b"y" * 5_000_000, timeout=10)  # the client sends it all
    assert answer.status_code == 413 and app.ran == []  # and reads the answer, not a reset


def test_expect_100_continue_is_answered_only_when_the_body_is_wanted(server: HttpServer, app: Recorder) -> None:
    with connect(server) as sock:
        sock.sendall(b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"data")
        assert read_answers(sock.makefile("rb"), 1)[0][2] == b"POST /e data"
    with connect(server) as sock:
        sock.sendall(b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\nExpect: 100-continue\r\n\r\n")
        assert closed_by_server(sock).startswith(b"HTTP/1.1 413 ")


def test_a_header_value_with_a_line_break_never_reaches_the_wire(server: HttpServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /split HTTP/1.1\r\nHost: x\r\n\r\n")
        data = closed_by_server(sock)
    assert data.startswith(b"HTTP/1.1 500 ") and b"evil" not in data and b"X-Next" not in data


def test_a_refusal_before_the_body_and_a_failing_application_keep_the_server_up(server: HttpServer) -> None:
    [(status, _, _)] = raw_answers(server.port, b"POST /refused HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
    assert status == 403
    assert requests.get(server.url + "/fail", timeout=5).status_code == 500
    assert raw_answers(server.port, b"GARBAGE\r\n\r\n")[0][0] == 400
    assert requests.get(server.url + "/ok", timeout=5).status_code == 200


def test_stop_lets_a_running_request_finish_and_closes_the_port(app: Recorder) -> None:
    server = HttpServer(app).start()
    app.gate.clear()
    answers: list[int] = []
    caller = threading.Thread(target=lambda: answers.append(requests.get(server.url + "/wait", timeout=10)
                                                            .status_code))
    caller.start()
    poll(lambda: server.running == 1)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    time.sleep(0.1)  # stop() waits for the running request, whose answer is still to come
    app.gate.set()
    caller.join(10)
    stopper.join(10)
    assert answers == [200]
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/after", timeout=2)
