"""Address checking, on structured hostile input: whatever a caller writes, the answer is an
``Address`` that serialises to one header line, or an ``AddressError`` saying why."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage

import pytest
from coworks_mail import AddressError, parse_address
from hypothesis import given, settings
from hypothesis import strategies as st

local_parts = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "C")), min_size=0,
                      max_size=70)
domains = st.one_of(st.from_regex(r"[a-z0-9-]{1,20}(\.[a-z0-9-]{1,10}){0,3}", fullmatch=True),
                    st.text(max_size=30))
names = st.text(max_size=40)


@settings(max_examples=400, deadline=None)
@given(names, local_parts, domains, st.sampled_from(["{n} <{l}@{d}>", "{l}@{d}", '"{n}" <{l}@{d}>', "{n}{l}@{d}"]))
def test_any_input_is_an_address_or_a_reason(name: str, local: str, domain: str, shape: str) -> None:
    text = shape.format(n=name, l=local, d=domain)
    try:
        address = parse_address(text)
    except AddressError as exc:
        assert str(exc)
        return
    assert "\r" not in str(address) and "\n" not in str(address)
    assert address.addr_spec.count("@") == 1 and address.domain.isascii()
    msg = EmailMessage(policy=policy.SMTPUTF8)
    msg["To"] = address.header()
    line = msg.as_bytes().split(b"\n")[0]
    assert line.startswith(b"To: ") and address.domain.encode() in msg.as_bytes()


@pytest.mark.parametrize(("text", "spec", "name"), [
    ("ann@example.com", "ann@example.com", ""),
    ("  Ann Smith <ann@example.com> ", "ann@example.com", "Ann Smith"),
    ('"Smith, Ann" <ann@example.com>', "ann@example.com", "Smith, Ann"),
    ("Zoë <zoe@bücher.example>", "zoe@xn--bcher-kva.example", "Zoë"),
    ("o'hara+tag@Example.COM", "o'hara+tag@example.com", ""),
])
def test_valid_addresses(text: str, spec: str, name: str) -> None:
    address = parse_address(text)
    assert (address.addr_spec, address.display_name) == (spec, name)


def test_a_non_ascii_mailbox_needs_smtputf8() -> None:
    assert parse_address("josé@example.com").needs_smtputf8
    assert not parse_address("jose@example.com").needs_smtputf8
