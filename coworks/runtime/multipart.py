"""multipart/form-data bodies, parsed with the standard library's email parser (``cgi`` is gone
from recent Pythons). Imported only when such a body arrives."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

from .errors import BadRequest
from .uploads import UploadedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def parse_multipart(body: bytes, content_type: str) -> dict[str, list[Any]]:
    """Fields by name; text parts become str, parts with a filename become ``UploadedFile``."""
    if "boundary=" not in content_type:
        raise BadRequest("The multipart body's Content-Type has no boundary.")
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    try:
        message = BytesParser(policy=HTTP).parsebytes(head + body)
    except Exception:  # the email parser raises many types on hostile input
        raise BadRequest("The multipart body could not be parsed.") from None
    if not message.is_multipart():
        raise BadRequest("The multipart body has no parts.")
    fields: dict[str, list[Any]] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if not name:
            raise BadRequest("A multipart part has no name in its Content-Disposition.")
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        filename = part.get_filename()
        value: Any
        if filename is not None:
            value = UploadedFile(filename, part.get_content_type(), payload)
        else:
            charset = part.get_content_charset() or "utf-8"
            try:
                value = payload.decode(charset)
            except (UnicodeDecodeError, LookupError):
                raise BadRequest(f"The multipart field {name!r} is not valid {charset}.") from None
        fields.setdefault(str(name), []).append(value)
    return fields
