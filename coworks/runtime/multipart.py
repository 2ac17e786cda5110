"""multipart/form-data bodies (RFC 7578 over RFC 2046's framing), parsed in one pass.

The body is already whole in memory (a Lambda event holds it; API Gateway caps it at 10 MB), so
the parser walks it with ``bytes.find`` from a moving offset: each byte is looked at a bounded
number of times and each part is copied once, so the time grows with the body's size. Before any
part is read, the delimiters are counted (one C-speed ``bytes.count``): a body with more parts
than the service's ``max_form_parts`` (1,000 by default: werkzeug's ``max_form_parts``, and
Starlette's ``max_fields`` and ``max_files`` count the same) is refused with 413, as werkzeug answers
(Starlette answers 400; RFC 9110's 413 Content Too Large says what it is), without parsing it.

Names and filenames are read as browsers write them (the HTML standard's form encoding: the
value is quoted, ``"``, CR and LF are sent as ``%22``, ``%0D`` and ``%0A``, nothing else is
escaped); ``filename*`` (RFC 5987) is honoured when a client sends it. A malformed body is a 400
with a sentence naming what is wrong: no boundary, no closing delimiter, a part without headers
or a name, the boundary inside a part. Imported only when such a body arrives.

- https://www.rfc-editor.org/rfc/rfc7578 (multipart/form-data)
- https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1 (the delimiters)
- https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart-form-data
- https://www.rfc-editor.org/rfc/rfc9110#status.413 (Content Too Large)
"""

from __future__ import annotations

import binascii
import re
from urllib.parse import unquote

from .errors import BadRequest, PayloadTooLarge
from .uploads import MAX_FORM_PARTS, UploadedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: A part's headers end within this many bytes (werkzeug and Starlette allow 8 KB per header line).
MAX_HEADER_BYTES = 16 * 1024
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*(?:"([^"]*)"|([^;]*))')
_HTML_ESCAPES = re.compile(r"%(22|0D|0A)", re.IGNORECASE)
_UNESCAPE = {"22": '"', "0d": "\r", "0a": "\n"}


def parse_multipart(body: bytes, content_type: str, *, max_parts: int = MAX_FORM_PARTS) -> dict[str, list[Any]]:
    """Fields by name; text parts become str, parts with a filename become ``UploadedFile``.

    More than ``max_parts`` parts is a ``PayloadTooLarge`` (413); a malformed body a
    ``BadRequest`` (400). Both carry one sentence.
    """
    boundary = params(content_type).get("boundary", "")
    if not boundary:
        raise BadRequest("The multipart body's Content-Type has no boundary: send "
                         "'multipart/form-data; boundary=...'.")
    if len(boundary) > 70:
        raise BadRequest("The multipart boundary is longer than the 70 characters RFC 2046 allows.")
    dash = b"--" + boundary.encode("latin-1", "replace")
    delimiter = b"\r\n" + dash
    data = memoryview(body)
    if body.startswith(dash):
        at = len(dash)
    else:  # a preamble, ignored as RFC 2046 says
        found = body.find(delimiter)
        if found < 0:
            raise BadRequest("The multipart body does not contain its boundary: check the Content-Type's boundary.")
        at = found + len(delimiter)
    if body.count(delimiter, at) > max_parts:
        raise PayloadTooLarge(f"The form has more than {max_parts} parts: send fewer, or raise the "
                              "service's max_form_parts (a class attribute, 1000 by default).")
    fields: dict[str, list[Any]] = {}
    while True:
        if body.startswith(b"--", at):  # the close delimiter: what follows is the epilogue
            return fields
        at = _line_end(body, at)
        if body.startswith(b"\r\n", at):  # a part without headers
            head, start = b"", at + 2
        else:
            end = body.find(b"\r\n\r\n", at, at + MAX_HEADER_BYTES)
            if end < 0:
                raise BadRequest("A multipart part's headers do not end with a blank line (within 16 KB).")
            head, start = body[at:end], end + 4
        end = body.find(delimiter, start - 2)  # an empty part's delimiter follows its blank line
        if end < 0:
            raise BadRequest("The multipart body ends without its closing boundary ('--' + boundary + '--').")
        name, value = _part(head, data[start:max(end, start)])
        fields.setdefault(name, []).append(value)
        at = end + len(delimiter)


def _line_end(body: bytes, at: int) -> int:
    """After a delimiter: optional transport padding (spaces, tabs), then CRLF."""
    while body[at:at + 1] in (b" ", b"\t"):
        at += 1
    if not body.startswith(b"\r\n", at):
        raise BadRequest("The multipart boundary appears inside a part (or a delimiter line does not end with CRLF): "
                         "use a boundary that the data does not contain.")
    return at + 2


def _part(head: bytes, content: memoryview) -> tuple[str, Any]:
    headers = _headers(head)
    disposition = headers.get("content-disposition")
    if disposition is None:
        raise BadRequest("A multipart part has no Content-Disposition header: each part needs "
                         "'Content-Disposition: form-data; name=\"...\"'.")
    options = params(disposition)
    name = options.get("name")
    if not name:
        raise BadRequest("A multipart part has no name in its Content-Disposition.")
    ctype = headers.get("content-type", "text/plain")
    kind = ctype.partition(";")[0]
    payload = _decoded(bytes(content), headers.get("content-transfer-encoding", ""), name)
    filename = options.get("filename*") or options.get("filename")
    if filename is not None:
        return name, UploadedFile(filename, kind.strip().lower() or "text/plain", payload)
    charset = params(ctype).get("charset") or "utf-8"
    try:
        return name, payload.decode(charset)
    except (UnicodeDecodeError, LookupError):
        raise BadRequest(f"The multipart field {name!r} is not valid {charset}.") from None


def _headers(head: bytes) -> dict[str, str]:
    try:
        text = head.decode("utf-8")  # browsers send names and filenames as UTF-8
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    headers: dict[str, str] = {}
    last = ""
    for line in text.split("\r\n") if text else ():
        if line[:1] in (" ", "\t") and last:  # an obsolete folded line continues the header before
            headers[last] += " " + line.strip()
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            raise BadRequest(f"A multipart part has a header line without 'Name: value' ({line[:40]!r}).")
        last = key.strip().lower()
        headers[last] = value.strip()
    return headers


def params(header: str) -> dict[str, str]:
    """The ``; key=value`` parameters of a header value, by lower-case key, unquoted."""
    found: dict[str, str] = {}
    for match in _PARAM.finditer(";" + header.partition(";")[2]):
        key, quoted, token = match.group(1).lower(), match.group(2), match.group(3)
        if quoted is not None:
            value = _HTML_ESCAPES.sub(lambda m: _UNESCAPE[m.group(1).lower()], quoted)
        else:
            value = token.strip()
        if key.endswith("*"):  # RFC 5987: charset'language'percent-encoded
            charset, _, encoded = value.partition("'")
            try:
                value = unquote(encoded.partition("'")[2], encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                raise BadRequest(f"The multipart parameter {key} is not valid {charset or 'utf-8'}.") from None
        found.setdefault(key, value)
    return found


def _decoded(payload: bytes, encoding: str, name: str) -> bytes:
    """RFC 7578 deprecates Content-Transfer-Encoding; old clients still send base64 or quoted-printable."""
    encoding = encoding.strip().lower()
    try:
        if encoding == "base64":
            return binascii.a2b_base64(payload)
        if encoding == "quoted-printable":
            return binascii.a2b_qp(payload)
    except (binascii.Error, ValueError):
        raise BadRequest(f"The multipart part {name!r} is not valid {encoding}.") from None
    return payload
