"""HTTP/1.1 message framing (RFC 9112), without I/O: where a request starts and ends, and how an
answer is written. The one set of rules ``app.serve()`` and the local cloud's front door share.

- A request's head is its request line and header fields up to the first empty line; leading
  empty lines are skipped, lines may end in CRLF or LF, a bare CR is refused. The head is
  bounded (``Limits.head``, 431 past it), so is the number of fields.
- HTTP/1.0 and HTTP/1.1 only: an HTTP/0.9 line (no version) is refused, another major version
  is 505. An HTTP/1.1 request names exactly one ``Host``.
- The body is framed by ``Transfer-Encoding: chunked`` (decoded here, trailers dropped) or by
  ``Content-Length`` (digits only; repeated values must agree); a request with both, a coding
  other than chunked, or a chunked HTTP/1.0 request is refused: each is how requests are
  smuggled past a proxy, and none is needed here.
- An answer's header names are tokens and its values hold no CR, LF or NUL: a value that would
  split the answer never reaches the wire (:class:`AnswerHeaderError` names it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class Limits:
    """Sizes a request may not pass: its head (request line and fields), its fields' count, and a
    chunk-size line with its extensions."""

    head: int = 65536
    fields: int = 200
    chunk_line: int = 4096


class FramingError(Exception):
    """A request that cannot be read as HTTP/1.1: answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AnswerHeaderError(ValueError):
    """An answer's header that cannot be written as it is: ``name`` says which."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN_TEXT = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TARGET = re.compile(rb"[\x21-\x7e]+")  # visible ASCII: anything else must be percent-encoded
_VERSION = re.compile(rb"HTTP/(\d)\.(\d)")
_FIELD_VALUE_BAD = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # controls but HTAB
_ANSWER_VALUE_BAD = re.compile(r"[\r\n\x00]")
_EMPTY_LINE = re.compile(rb"\r?\n\r?\n")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_HOP_BY_HOP = frozenset(("connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te"))


@dataclass(frozen=True)
class RequestHead:
    """A request's line and fields, read and checked: how long its body is and whether the
    connection stays open after its answer."""

    method: str
    target: str  # as sent: origin-form path and query, or what an absolute-form URI carried
    version: tuple[int, int]
    headers: tuple[tuple[str, str], ...]  # names as sent, values latin-1 decoded, in order
    content_length: int | None  # None with chunked or no body
    chunked: bool
    keep_alive: bool
    expect_continue: bool
    host: str

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]

    @property
    def has_body(self) -> bool:
        return self.chunked or bool(self.content_length)

    def header(self, name: str) -> str | None:
        """The first value of ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def header_values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]


def skip_empty_lines(buffer: bytearray) -> None:
    """RFC 9112 §2.2: empty lines before a request line are ignored (clients send a CRLF after a POST)."""
    start = 0
    while True:
        if buffer.startswith(b"\r\n", start):
            start += 2
        elif buffer.startswith(b"\n", start):
            start += 1
        else:
            break
    if start:
        del buffer[:start]


def head_end(buffer: bytes | bytearray) -> tuple[int, int] | None:
    """Where the head in ``buffer`` ends: (end of its last field line, start of the body), or None yet."""
    found = _EMPTY_LINE.search(buffer)
    if found is None:
        return None
    return found.start(), found.end()


def parse_head(data: bytes, limits: Limits = Limits()) -> RequestHead:
    """The request line and fields of ``data`` (the head without its closing empty line)."""
    if b"\r" in data.replace(b"\r\n", b""):
        raise FramingError(400, "A line of the request ends in a bare CR.")
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    method, target, version = _request_line(lines[0])
    if len(lines) - 1 > limits.fields:
        raise FramingError(431, f"The request has more than {limits.fields} header fields.")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            raise FramingError(400, "A header field is folded over two lines (obs-fold): send it on one line.")
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise FramingError(400, "A header field has no valid name before its colon.")
        value = value.strip(b" \t")
        if _FIELD_VALUE_BAD.search(value):
            raise FramingError(400, f"The header {name.decode('ascii')} holds a control character.")
        headers.append((name.decode("ascii"), value.decode("latin-1")))
    return _framed(method, target, version, tuple(headers))


def _request_line(line: bytes) -> tuple[str, str, tuple[int, int]]:
    parts = line.split(b" ")
    if len(parts) == 2 and _TOKEN.fullmatch(parts[0]):
        raise FramingError(400, "HTTP/0.9 requests are not served: send HTTP/1.1.")
    if len(parts) != 3:
        raise FramingError(400, "The request line is not 'METHOD target HTTP/1.1'.")
    method, target, version = parts
    if not _TOKEN.fullmatch(method):
        raise FramingError(400, "The request method is not a token.")
    found = _VERSION.fullmatch(version)
    if found is None:
        raise FramingError(400, "The request line does not end in an HTTP version.")
    major, minor = int(found.group(1)), int(found.group(2))
    if major != 1:
        raise FramingError(505, f"HTTP/{major}.{minor} is not served: send HTTP/1.1.")
    if not _TARGET.fullmatch(target):
        raise FramingError(400, "The request target holds characters that must be percent-encoded.")
    return method.decode("ascii"), target.decode("ascii"), (major, minor)


def _framed(method: str, target: str, version: tuple[int, int], headers: tuple[tuple[str, str], ...]) -> RequestHead:
    lowered = [(k.lower(), v) for k, v in headers]
    hosts = [v for k, v in lowered if k == "host"]
    if target.startswith(("http://", "https://")):  # absolute-form: its authority is the host (RFC 9112 §3.2.2)
        authority, _, rest = target.split("://", 1)[1].partition("/")
        hosts, target = [authority], "/" + rest
    elif target == "*":
        if method != "OPTIONS":
            raise FramingError(400, "Only OPTIONS may have the request target '*'.")
    elif not target.startswith("/"):
        raise FramingError(400, "The request target is not a path starting with '/'.")
    if version >= (1, 1) and len(hosts) != 1:
        raise FramingError(400, "An HTTP/1.1 request names exactly one Host.")
    codings = [c.strip().lower() for k, v in lowered if k == "transfer-encoding" for c in v.split(",") if c.strip()]
    lengths = [c.strip() for k, v in lowered if k == "content-length" for c in v.split(",")]
    chunked = False
    length: int | None = None
    if codings:
        if lengths:
            raise FramingError(400, "The request has both Transfer-Encoding and Content-Length: send one.")
        if version < (1, 1):
            raise FramingError(400, "An HTTP/1.0 request cannot be chunked.")
        if codings[-1] != "chunked":
            raise FramingError(400, "The request's last transfer coding is not chunked: its end cannot be found.")
        if len(codings) > 1:
            raise FramingError(501, f"The transfer coding {codings[0]} is not supported: send the body chunked only.")
        chunked = True
    elif lengths:
        if any(not v.isdigit() or not v.isascii() or len(v) > 19 for v in lengths):
            raise FramingError(400, "The Content-Length header is not a number of bytes.")
        if len(set(map(int, lengths))) > 1:
            raise FramingError(400, "The request has Content-Length headers that disagree.")
        length = int(lengths[0])
    connection = {t.strip().lower() for k, v in lowered if k == "connection" for t in v.split(",")}
    keep_alive = "close" not in connection and (version >= (1, 1) or "keep-alive" in connection)
    expect = [v.strip().lower() for k, v in lowered if k == "expect"]
    if expect and (version < (1, 1) or expect != ["100-continue"]):
        if version >= (1, 1):
            raise FramingError(417, "Only 'Expect: 100-continue' is understood.")
        expect = []
    return RequestHead(method, target, version, headers, length, chunked, keep_alive, bool(expect),
                       hosts[0] if hosts else "")


@dataclass
class ChunkedBody:
    """Decodes a chunked body as its bytes arrive: ``feed()`` what was read, then ``done`` tells
    whether the last chunk and the trailers came; ``extra`` is what followed (the next request)."""

    limits: Limits = field(default_factory=Limits)
    body: bytearray = field(default_factory=bytearray)
    done: bool = False
    extra: bytes = b""
    _pending: bytearray = field(default_factory=bytearray)
    _left: int = -1  # bytes of the current chunk still to come; -1: a size line is next
    _trailers: bool = False
    _trailer_bytes: int = 0

    def feed(self, data: bytes) -> None:
        self._pending += data
        while not self.done:
            if self._trailers:
                if not self._trailer_line():
                    return
            elif self._left < 0:
                if not self._size_line():
                    return
            elif self._left > 0:
                if not self._pending:
                    return
                taken = self._pending[: self._left]
                self.body += taken
                del self._pending[: len(taken)]
                self._left -= len(taken)
            else:  # the CRLF after a chunk's data
                if self._pending.startswith(b"\r\n"):
                    del self._pending[:2]
                elif self._pending.startswith(b"\n"):
                    del self._pending[:1]
                elif len(self._pending) >= 2 or (self._pending and self._pending[:1] != b"\r"):
                    raise FramingError(400, "A chunk's data is not followed by CRLF: its size is wrong.")
                else:
                    return
                self._left = -1
        self.extra = bytes(self._pending)
        self._pending.clear()

    def _line(self) -> bytes | None:
        end = self._pending.find(b"\n")
        if end < 0:
            if len(self._pending) > self.limits.chunk_line:
                raise FramingError(400, "A chunk-size line is too long.")
            return None
        line = bytes(self._pending[:end])
        del self._pending[: end + 1]
        if line.endswith(b"\r"):
            line = line[:-1]
        if b"\r" in line:
            raise FramingError(400, "A chunk-size line holds a bare CR.")
        if len(line) > self.limits.chunk_line:
            raise FramingError(400, "A chunk-size line is too long.")
        return line

    def _size_line(self) -> bool:
        line = self._line()
        if line is None:
            return False
        size, _, extension = line.partition(b";")
        size = size.rstrip(b" \t")
        if not _HEX.fullmatch(size):
            raise FramingError(400, "A chunk size is not a hexadecimal number.")
        if extension and _FIELD_VALUE_BAD.search(extension):
            raise FramingError(400, "A chunk extension holds a control character.")
        self._left = int(size, 16)
        if self._left == 0:
            self._trailers = True
        return True

    def _trailer_line(self) -> bool:
        line = self._line()
        if line is None:
            return False
        if not line:
            self.done = True
            return True
        self._trailer_bytes += len(line) + 2
        if self._trailer_bytes > self.limits.head:
            raise FramingError(431, "The chunked body's trailer section is too large.")
        name, colon, _ = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise FramingError(400, "A trailer field has no valid name before its colon.")
        return True


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def check_answer_headers(headers: Iterable[tuple[str, str]]) -> str | None:
    """The name of the first header that cannot be written as it is (CR, LF or NUL in its value,
    or a name that is no token), or None when all can."""
    for name, value in headers:
        if not _TOKEN_TEXT.fullmatch(name) or _ANSWER_VALUE_BAD.search(value):
            return name
    return None


def answer_head(status: int, headers: Iterable[tuple[str, str]], *, body_length: int, head_request: bool = False,
                keep_alive: bool, version: tuple[int, int] = (1, 1), date: str = "") -> bytes:
    """The status line and fields of an answer, framed by ``Content-Length`` (the server writes
    bodies whole). A HEAD's answer keeps the length its GET would have, when the application gave
    it; hop-by-hop fields of the application are dropped (framing is the server's).
    Raises :class:`AnswerHeaderError` for a header that would split the answer."""
    if not 100 <= status <= 599:
        raise AnswerHeaderError(":status", f"The status {status} is not an HTTP status code.")
    lines = [f"HTTP/1.1 {status} {reason(status)}"]
    given_length = None
    for name, value in headers:
        if not _TOKEN_TEXT.fullmatch(name):
            raise AnswerHeaderError(name, f"The answer's header name {name!r} is not a token.")
        if _ANSWER_VALUE_BAD.search(value):
            raise AnswerHeaderError(name, f"The answer's header {name} holds a CR, LF or NUL.")
        lowered = name.lower()
        if lowered == "content-length":
            given_length = value
            continue
        if lowered in _HOP_BY_HOP:
            continue
        lines.append(f"{name}: {value}")
    if date:
        lines.append(f"Date: {date}")
    if status >= 200 and status not in (204, 304):
        length = given_length if head_request and given_length is not None and given_length.isdigit() else \
            str(body_length)
        lines.append(f"Content-Length: {length}")
    if not keep_alive:
        lines.append("Connection: close")
    elif version < (1, 1):
        lines.append("Connection: keep-alive")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def refusal(status: int, message: str) -> bytes:
    """A whole answer for a request refused before it was read: JSON ``{"message"}``, connection closed."""
    import json

    body = json.dumps({"message": message}).encode()
    return answer_head(status, [("Content-Type", "application/json")], body_length=len(body),
                       keep_alive=False) + body
