"""HTTP/1.1 framing without sockets: what a request head says about its body and its connection,
how chunked bodies decode however they are cut, and that an answer never carries a line break
inside a header."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coworks.runtime.http.framing import (
    AnswerHeaderError,
    ChunkedBody,
    FramingError,
    Limits,
    answer_head,
    check_answer_headers,
    head_end,
    parse_head,
)


def head(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("latin-1")


def test_a_plain_request_is_read_with_its_length_host_and_keep_alive() -> None:
    parsed = parse_head(head("POST /item?a=1 HTTP/1.1\nHost: localhost:8000\nContent-Length: 12\nX-A: 1\nX-A: 2"))
    assert (parsed.method, parsed.path, parsed.query, parsed.host) == ("POST", "/item", "a=1", "localhost:8000")
    assert (parsed.content_length, parsed.chunked, parsed.keep_alive) == (12, False, True)
    assert parsed.header_values("x-a") == ["1", "2"]


@pytest.mark.parametrize(("text", "status", "words"), [
    ("GET /", 400, "HTTP/0.9"),
    ("GET / HTTP/2.0\nHost: x", 505, "HTTP/2.0"),
    ("GET /a b HTTP/1.1\nHost: x", 400, "request line"),
    ("GET / HTTP/1.1", 400, "exactly one Host"),
    ("GET / HTTP/1.1\nHost: a\nHost: b", 400, "exactly one Host"),
    ("POST / HTTP/1.1\nHost: x\nContent-Length: -1", 400, "not a number"),
    ("POST / HTTP/1.1\nHost: x\nContent-Length: five", 400, "not a number"),
    ("POST / HTTP/1.1\nHost: x\nContent-Length: +5", 400, "not a number"),
    ("POST / HTTP/1.1\nHost: x\nContent-Length: 0x10", 400, "not a number"),
    ("POST / HTTP/1.1\nHost: x\nContent-Length: 5\nContent-Length: 6", 400, "disagree"),
    ("POST / HTTP/1.1\nHost: x\nContent-Length: 5\nTransfer-Encoding: chunked", 400, "both"),
    ("POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip", 400, "last transfer coding"),
    ("POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip, chunked", 501, "gzip"),
    ("POST / HTTP/1.0\nTransfer-Encoding: chunked", 400, "HTTP/1.0"),
    ("GET / HTTP/1.1\nHost: x\n folded", 400, "folded"),
    ("GET / HTTP/1.1\nHost: x\nBad Name: v", 400, "valid name"),
    ("GET / HTTP/1.1\nHost: x\nX: a\x01b", 400, "control character"),
    ("GET / HTTP/1.1\nHost: x\nExpect: magic", 417, "100-continue"),
    ("GET nowhere HTTP/1.1\nHost: x", 400, "starting with '/'"),
    ("GET /\xe9 HTTP/1.1\nHost: x", 400, "percent-encoded"),
])
def test_requests_that_cannot_be_framed_are_refused_with_a_sentence(text: str, status: int, words: str) -> None:
    with pytest.raises(FramingError) as caught:
        parse_head(head(text))
    assert caught.value.status == status and words in caught.value.message


def test_repeated_equal_lengths_are_one_length_and_absolute_targets_name_the_host() -> None:
    assert parse_head(head("POST / HTTP/1.1\nHost: x\nContent-Length: 4, 4")).content_length == 4
    parsed = parse_head(head("GET http://127.0.0.1:9/a?b HTTP/1.1\nHost: evil.example"))
    assert (parsed.host, parsed.target) == ("127.0.0.1:9", "/a?b")


def test_http_1_0_closes_unless_it_asks_to_keep_alive() -> None:
    assert parse_head(head("GET / HTTP/1.0")).keep_alive is False
    assert parse_head(head("GET / HTTP/1.0\nConnection: keep-alive")).keep_alive is True
    assert parse_head(head("GET / HTTP/1.1\nHost: x\nConnection: close")).keep_alive is False


def test_a_bare_cr_and_too_many_fields_are_refused() -> None:
    with pytest.raises(FramingError, match="bare CR"):
        parse_head(b"GET / HTTP/1.1\rHost: x")
    many = "GET / HTTP/1.1\nHost: x\n" + "\n".join(f"X-{i}: v" for i in range(10))
    with pytest.raises(FramingError) as caught:
        parse_head(head(many), Limits(fields=5))
    assert caught.value.status == 431


def test_the_head_ends_at_the_first_empty_line_whatever_the_line_ends() -> None:
    assert head_end(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nbody") == (23, 27)
    assert head_end(b"GET / HTTP/1.1\nHost: x\n\nbody") == (22, 24)
    assert head_end(b"GET / HTTP/1.1\r\nHost: x\r\n") is None


def chunked(body: bytes, sizes: list[int], extension: bool) -> bytes:
    out, start = b"", 0
    for size in sizes + [len(body)]:
        piece = body[start:start + size]
        if not piece:
            continue
        out += f"{len(piece):x}{';ext=1' if extension else ''}\r\n".encode() + piece + b"\r\n"
        start += len(piece)
    return out + b"0\r\nTrailer-Field: t\r\n\r\n"


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(body=st.binary(max_size=600), sizes=st.lists(st.integers(1, 90), max_size=8), extension=st.booleans(),
       cuts=st.lists(st.integers(1, 50), max_size=30), following=st.binary(max_size=20))
def test_a_chunked_body_decodes_whole_however_its_bytes_arrive(body: bytes, sizes: list[int], extension: bool,
                                                                cuts: list[int], following: bytes) -> None:
    wire = chunked(body, sizes, extension) + following
    decoder = ChunkedBody()
    start = 0
    for cut in cuts + [len(wire)]:
        decoder.feed(wire[start:start + cut])
        start += cut
        if decoder.done:
            break
    assert decoder.done and bytes(decoder.body) == body
    assert decoder.extra + wire[start:] == following  # what follows is the next request's, untouched


def test_a_chunked_body_cut_short_is_not_done() -> None:
    decoder = ChunkedBody()
    decoder.feed(b"5\r\nhel")
    assert not decoder.done


@pytest.mark.parametrize("wire", [b"zz\r\n", b"5\r\nhelloXX", b"1" * 40 + b"\r\n", b"5;\x01\r\nhello\r\n"])
def test_a_malformed_chunked_body_is_refused(wire: bytes) -> None:
    with pytest.raises(FramingError):
        ChunkedBody().feed(wire)


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(name=st.text(min_size=1, max_size=12), value=st.text(max_size=20))
def test_an_answer_header_with_a_line_break_never_reaches_the_wire(name: str, value: str) -> None:
    try:
        data = answer_head(200, [(name, value)], body_length=0, keep_alive=True)
    except AnswerHeaderError as exc:
        assert exc.name == name and check_answer_headers([(name, value)]) == name
        return
    except UnicodeEncodeError:  # a value beyond latin-1 cannot be written either
        return
    lines = data.split(b"\r\n")
    assert lines[-2:] == [b"", b""] and all(b"\n" not in line and b"\r" not in line for line in lines)
    assert sum(1 for line in lines if line.lower().startswith(b"content-length")) == 1


def test_answers_are_framed_by_length_and_say_when_they_close() -> None:
    data = answer_head(200, [("Content-Length", "999"), ("Transfer-Encoding", "chunked"), ("X", "1")],
                       body_length=3, keep_alive=False)
    assert b"Content-Length: 3\r\n" in data and b"chunked" not in data and b"Connection: close" in data
    assert b"Content-Length: 999" in answer_head(200, [("Content-Length", "999")], body_length=0,
                                                 head_request=True, keep_alive=True)
    assert b"Content-Length" not in answer_head(204, [], body_length=0, keep_alive=True)
    assert b"Connection: keep-alive" in answer_head(200, [], body_length=0, keep_alive=True, version=(1, 0))
