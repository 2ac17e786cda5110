"""Building the message: headers, text and HTML bodies, attachments, as one MIME document.

Pure: given the checked parts, a date and a Message-ID it always gives the same bytes, so tests
compare what the SMTP server received with what was built, byte for byte. Bcc recipients are in
the envelope only, never in a header.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

from .addresses import Address

_TOKEN = re.compile(r"^[A-Za-z0-9!#$&^_.+-]{1,64}/[A-Za-z0-9!#$&^_.+-]{1,64}$")
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class MessageError(ValueError):
    """A part of the message that cannot be sent, with the field it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Part:
    """One attachment, checked: a plain file name, a media type and its bytes."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Mail:
    sender: Address
    to: tuple[Address, ...]
    subject: str
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    text: str | None = None
    html: str | None = None
    attachments: tuple[Part, ...] = ()

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc + self.bcc

    @property
    def needs_smtputf8(self) -> bool:
        return any(a.needs_smtputf8 for a in (self.sender, *self.recipients, *self.reply_to))


def check_subject(subject: str) -> str:
    if "\r" in subject or "\n" in subject or "\x00" in subject:
        raise MessageError("subject", "contains a line break")
    if len(subject) > 900:
        raise MessageError("subject", "is longer than 900 characters")
    return subject


def make_part(field_name: str, filename: str | None, content_type: str | None, content: bytes) -> Part:
    """A checked attachment: the name without directories, the type guessed from it when not given."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise MessageError(field_name, "needs a file name")
    if _BAD_NAME.search(name) or len(name) > 255:
        raise MessageError(field_name, "has a file name with control characters or over 255 characters")
    ctype = (content_type or "").strip().lower() or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not _TOKEN.match(ctype):
        raise MessageError(field_name, f"has an invalid content type {ctype[:60]!r} (write type/subtype)")
    return Part(name, ctype, content)


def build(mail: Mail, *, date: str, message_id: str) -> EmailMessage:
    """The MIME message: multipart/alternative for text and HTML, multipart/mixed with attachments."""
    msg = EmailMessage(policy=policy.SMTPUTF8 if mail.needs_smtputf8 else policy.SMTP)
    msg["From"] = mail.sender.header()
    msg["To"] = [a.header() for a in mail.to]
    if mail.cc:
        msg["Cc"] = [a.header() for a in mail.cc]
    if mail.reply_to:
        msg["Reply-To"] = [a.header() for a in mail.reply_to]
    msg["Subject"] = mail.subject
    msg["Date"] = date
    msg["Message-ID"] = message_id
    text, html = mail.text, mail.html
    if text is None and html is None:
        text = ""
    if text is not None:
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html or "", subtype="html")
    for part in mail.attachments:
        maintype, subtype = part.content_type.split("/", 1)
        # bytes, base64-encoded whatever the type: the receiver gets exactly these bytes back
        msg.add_attachment(part.content, maintype=maintype, subtype=subtype, filename=part.filename)
    _name_boundaries(msg, message_id)
    return msg


def _name_boundaries(msg: EmailMessage, message_id: str) -> None:
    """Boundaries derived from the Message-ID instead of random ones: the same message, the same bytes."""
    seed = hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    for index, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_coworks_{seed}_{index}")


def addresses(values: Sequence[Address]) -> list[str]:
    return [a.addr_spec for a in values]
