"""What widgets show is masked by name: headers, JSON fields and ``name=value`` pairs in text."""

from __future__ import annotations

from coworks.notebook.caller import mask
from coworks.notebook.redaction import MASK, is_secret_name, mask_mapping, mask_text


def test_secret_names_are_recognised_and_plain_ones_are_not() -> None:
    secret = ["Authorization", "X-Api-Key", "DB_PASSWORD", "client_secret", "refresh_token", "Cookie", "passwd"]
    assert all(is_secret_name(n) for n in secret)
    assert not any(is_secret_name(n) for n in ["item_id", "Content-Type", "keyboard", "monkey", "status"])


def test_nested_values_and_text_pairs_are_masked() -> None:
    data = {"user": "ann", "auth": {"api_key": "k1", "scopes": ["read"]}, "note": "password=hunter2 ok"}
    assert mask_mapping(data) == {"user": "ann", "auth": {"api_key": MASK, "scopes": ["read"]},
                                  "note": f"password={MASK} ok"}
    assert mask_text('sent "token": "abc123", Authorization: Bearer xyz and qty=3') == (
        f'sent "token": "{MASK}", Authorization: {MASK} and qty=3')
    assert mask({"Authorization": "Bearer t", "X-Amz-Security-Token": "s", "Accept": "*/*"}) == {
        "Authorization": MASK, "X-Amz-Security-Token": MASK, "Accept": "*/*"}
