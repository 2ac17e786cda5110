"""Attachments as a request gives them: uploaded file parts (multipart), base64 in a JSON body
(what a workflow can send), or URLs fetched with a size limit and a timeout (``fetch.py``).

Every attachment is checked (``make_part``), and their total size is bounded by ``MAX_SIZE``:
a 413 names the attachment that passed it.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass

from coworks_ext import Settings

from coworks import PayloadTooLarge, UnprocessableEntity, UploadedFile

from .fetch import fetch
from .message import MessageError, Part, make_part

MAX_URLS = 10  # each may take URL_TIMEOUT: a message must be sent well within Lambda's timeout


@dataclass
class Attachment:
    """An attachment in a JSON body: its bytes in base64 (``content``) or a ``url`` to fetch."""

    filename: str | None = None
    content: str | None = None
    url: str | None = None
    content_type: str | None = None


def collect(items: list[Attachment | UploadedFile], settings: Settings) -> list[Part]:
    """The checked parts, in order; 422 naming a bad one, 413 when together they are too large."""
    limit = settings.integer("MAX_SIZE", 10 * 1024 * 1024, 0, 1024**3)
    parts: list[Part] = []
    total = 0
    for index, item in enumerate(items):
        field = f"attachments.{index}"
        try:
            if isinstance(item, UploadedFile):
                part = make_part(field, item.filename, item.content_type, item.content)
            else:
                part = _from_json(field, item, limit - total, settings)
        except MessageError as exc:
            raise UnprocessableEntity([{"field": exc.field, "location": "body", "message": str(exc)}]) from None
        total += len(part.content)
        if total > limit:
            raise PayloadTooLarge(f"The attachments pass {limit} bytes at {field} ({part.filename}); "
                                  f"the limit is {settings.name('MAX_SIZE')}.")
        parts.append(part)
    return parts


def _from_json(field: str, item: Attachment, room: int, settings: Settings) -> Part:
    if (item.content is None) == (item.url is None):
        raise MessageError(field, "give either content (base64) or url")
    if item.content is not None:
        try:
            compact = "".join(item.content.split())  # line-wrapped base64 (MIME style) is fine too
            content = binascii.a2b_base64(compact.encode("ascii"), strict_mode=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise MessageError(f"{field}.content", "is not valid base64") from None
        return make_part(field, item.filename, item.content_type, content)
    fetched = fetch(str(item.url), field=f"{field}.url", max_bytes=max(room, 0),
                    timeout=settings.number("URL_TIMEOUT", 10.0, 0.01, 900.0),
                    allowed_hosts=settings.items("URL_HOSTS"))
    return make_part(field, item.filename or fetched.filename, item.content_type or fetched.content_type,
                     fetched.content)
