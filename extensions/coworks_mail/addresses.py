"""Mail addresses as callers write them: ``ann@example.com`` or ``Ann Smith <ann@example.com>``.

Checked before any SMTP conversation, so a typo is a 422 naming the field (``to.1``), not a
bounce: one ``@``, a dot-atom local part of at most 64 octets, a domain of letters, digits and
hyphens (international domains are IDNA-encoded), no line breaks or control characters (they
would let a caller inject headers). A non-ASCII local part needs a server offering SMTPUTF8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address as HeaderAddress

_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AddressError(ValueError):
    """An address that cannot be sent to, with the reason in words."""


@dataclass(frozen=True)
class Address:
    """A checked address: the part SMTP needs (``addr_spec``) and the name people see."""

    local: str
    domain: str  # ASCII (IDNA-encoded)
    display_name: str = ""

    @property
    def addr_spec(self) -> str:
        return f"{self.local}@{self.domain}"

    @property
    def needs_smtputf8(self) -> bool:
        return not self.local.isascii()

    def header(self) -> HeaderAddress:
        return HeaderAddress(display_name=self.display_name, username=self.local, domain=self.domain)

    def __str__(self) -> str:
        return str(self.header())


def parse_address(value: object) -> Address:
    """An ``Address`` from ``addr`` or ``Name <addr>``; raises ``AddressError`` saying what is wrong."""
    if not isinstance(value, str):
        raise AddressError("is not a string")
    text = value.strip()
    if not text:
        raise AddressError("is empty")
    if len(text) > 998:
        raise AddressError("is longer than a mail header line may be")
    if _CONTROL.search(text):
        raise AddressError("contains a line break or a control character")
    display = ""
    if text.endswith(">") and "<" in text:
        display, _, spec = text[:-1].rpartition("<")
        display = display.strip()
        if len(display) >= 2 and display[0] == display[-1] == '"':
            display = display[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        elif any(c in display for c in '<>"'):
            raise AddressError("has a display name with <, > or an unbalanced quote")
        spec = spec.strip()
    elif "<" in text or ">" in text:
        raise AddressError("has a < without its > (write Name <user@example.com>)")
    else:
        spec = text
    return _addr_spec(spec, display)


def _addr_spec(spec: str, display: str) -> Address:
    if spec.count("@") != 1:
        raise AddressError("needs exactly one @, as in user@example.com")
    local, domain = spec.split("@")
    if not local:
        raise AddressError("has nothing before the @")
    if len(local.encode("utf-8")) > 64:
        raise AddressError("has more than 64 octets before the @")
    if local.startswith(".") or local.endswith(".") or ".." in local or \
            not all(_ATOM.match(part) for part in local.split(".")):
        raise AddressError(f"has characters a mailbox name cannot hold before the @ ({local[:40]!r})")
    return Address(local, _domain(domain), display)


def _domain(domain: str) -> str:
    if not domain:
        raise AddressError("has no domain after the @")
    if domain.startswith("["):
        raise AddressError("uses an address literal; give a domain name")
    name = domain.rstrip(".") if domain.endswith(".") and not domain.endswith("..") else domain
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise AddressError(f"has a domain that is not a valid international name ({domain[:40]!r})") from None
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        raise AddressError(f"has a domain that is not a valid host name ({domain[:40]!r})")
    return name.lower()
