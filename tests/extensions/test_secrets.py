"""Secrets by reference and settings under a prefix: read once, kept ``ttl`` seconds on an injected
clock, and never part of an error's text."""

from __future__ import annotations

from typing import Any

import pytest
from coworks_ext import MisconfiguredError, SecretStore, Settings
from coworks_ext.errors import BadGateway

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:smtp-AbCdEf"


class Client:
    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.calls = 0

    def get_secret_value(self, SecretId: str) -> dict[str, str]:  # noqa: N803 - boto3's name
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return {"SecretString": answer}


class ClientError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code, "Message": "the value was hunter2"}}


def test_a_secret_is_read_once_then_again_after_its_ttl() -> None:
    now = [0.0]
    client = Client(["first-value", "second-value"])
    store = SecretStore(ttl=60, clock=lambda: now[0], client_factory=lambda service, region: client)
    assert store.resolve(ARN, "MAIL_PASSWORD") == "first-value"
    now[0] = 59
    assert store.resolve(ARN, "MAIL_PASSWORD") == "first-value" and client.calls == 1
    now[0] = 61
    assert store.resolve(ARN, "MAIL_PASSWORD") == "second-value" and client.calls == 2


def test_a_plain_value_is_the_secret_itself() -> None:
    store = SecretStore(client_factory=lambda service, region: pytest.fail("no AWS call for a plain value"))
    assert store.resolve("s3cret", "MAIL_PASSWORD") == "s3cret"


@pytest.mark.parametrize(("code", "kind"), [("ResourceNotFoundException", MisconfiguredError),
                                            ("AccessDeniedException", MisconfiguredError),
                                            ("ThrottlingException", BadGateway)])
def test_errors_name_the_variable_and_the_arn_never_a_value(code: str, kind: type[Exception]) -> None:
    store = SecretStore(client_factory=lambda service, region: Client([ClientError(code)]))
    with pytest.raises(kind) as caught:
        store.resolve(ARN, "MAIL_PASSWORD")
    assert "MAIL_PASSWORD" in str(caught.value) and ARN in str(caught.value) and code in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_settings_read_typed_values_under_a_prefix() -> None:
    settings = Settings("SHOP_", {"SHOP_PORT": "2525", "SHOP_HOSTS": "a, b,,c", "SHOP_BLANK": "  "})
    assert settings.integer("PORT", 25, 1, 65535) == 2525
    assert settings.items("HOSTS") == ("a", "b", "c")
    assert settings.text("BLANK") is None and settings.text("MISSING", "x") == "x"
    for environ, call in (({"SHOP_PORT": "99999"}, lambda s: s.integer("PORT", 25, 1, 65535)),
                          ({"SHOP_T": "nan"}, lambda s: s.number("T", 1.0, 0.1, 10.0)),
                          ({"SHOP_MODE": "tls"}, lambda s: s.choice("MODE", ("ssl", "none"), "ssl")),
                          ({}, lambda s: s.required("SERVER", "a host"))):
        with pytest.raises(MisconfiguredError, match="SHOP_"):
            call(Settings("SHOP_", environ))
    with pytest.raises(ValueError, match="upper-case"):
        Settings("shop")
