"""The mail service against a real SMTP server (aiosmtpd on 127.0.0.1 with STARTTLS and AUTH,
its certificate made by the test): what arrives is checked byte for byte, and every way a send
can fail gives the answer a caller can act on."""

from __future__ import annotations

import base64
import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests
from coworks_mail import MailBlueprint, MailService, parse_address
from coworks_mail.message import Mail, build, make_part

from coworks import TechMicroService, entry

from .conftest import USERS
from .fileserver import FileServer
from .smtpserver import SmtpServer, StallingServer, TricklingServer, free_port
from .tls import Certificate

BINARY = b"\x00\x01\r\n.\r\n..\r\n" + bytes(range(256)) * 4  # SMTP's end marker and dot-stuffing inside
DATE = 1_700_000_000.0


def service(**kwargs: Any) -> MailService:
    return MailService(clock=lambda: DATE, message_ids=lambda domain: f"<test.1@{domain}>", **kwargs)


def parsed(raw: bytes) -> EmailMessage:
    """What a mail reader sees; line ends as Python writes them (payloads are base64, untouched)."""
    return email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=policy.default)  # type: ignore[return-value]


def body(msg: EmailMessage, kind: str) -> str:
    part = msg.get_body((kind,))
    assert part is not None, f"no {kind} body"
    return str(part.get_content())


def test_a_message_arrives_byte_for_byte(mail_env: SmtpServer) -> None:
    app = service()
    answer = app.test_client().post("/send", json={
        "from_addr": "Boutique Été <shop@example.com>",
        "to": ["Ann Smith <ann@example.com>", "bob@example.org"],
        "cc": "Carla <carla@example.net>",
        "bcc": "audit@example.com",
        "reply_to": "help@example.com",
        "subject": "Your order — n° 42",
        "text": "Hello Ann,\n.\nA line that is only a dot, above.\n",
        "html": "<p>Hello <b>Ann</b></p>",
        "attachments": [{"filename": "raw.bin", "content": base64.b64encode(BINARY).decode()},
                        {"filename": "notes.txt", "content": base64.b64encode(b"a\r\nb\n").decode(),
                         "content_type": "text/plain"}],
    })
    assert answer.status_code == 202, answer.text
    result = answer.json()
    assert result["message_id"] == "<test.1@example.com>"
    assert result["server_reply"] == "250 2.0.0 OK queued as TEST1"
    [received] = mail_env.received
    assert received.mail_from == "shop@example.com"
    assert received.rcpt_tos == ["ann@example.com", "bob@example.org", "carla@example.net", "audit@example.com"]
    assert received.login == "shop" and mail_env.logins == [("shop", True)]
    # the exact bytes the service built, through STARTTLS and dot-stuffing, unchanged
    expected = build(Mail(
        sender=parse_address("Boutique Été <shop@example.com>"),
        to=(parse_address("Ann Smith <ann@example.com>"), parse_address("bob@example.org")),
        cc=(parse_address("Carla <carla@example.net>"),), bcc=(parse_address("audit@example.com"),),
        reply_to=(parse_address("help@example.com"),), subject="Your order — n° 42",
        text="Hello Ann,\n.\nA line that is only a dot, above.\n", html="<p>Hello <b>Ann</b></p>",
        attachments=(make_part("a", "raw.bin", None, BINARY), make_part("b", "notes.txt", "text/plain", b"a\r\nb\n")),
    ), date="Tue, 14 Nov 2023 22:13:20 GMT", message_id="<test.1@example.com>").as_bytes()
    assert received.content == expected
    # and what a mail reader sees in it
    msg = parsed(received.content)
    assert msg["From"] == "Boutique Été <shop@example.com>"
    assert msg["To"] == "Ann Smith <ann@example.com>, bob@example.org"
    assert msg["Cc"] == "Carla <carla@example.net>"
    assert msg["Reply-To"] == "help@example.com"
    assert msg["Subject"] == "Your order — n° 42"
    assert msg["Date"] == "Tue, 14 Nov 2023 22:13:20 +0000"
    assert "Bcc" not in msg and b"audit@example.com" not in received.content
    assert body(msg, "plain") == "Hello Ann,\n.\nA line that is only a dot, above.\n"
    assert body(msg, "html") == "<p>Hello <b>Ann</b></p>\n"
    parts = {p.get_filename(): p for p in msg.iter_attachments()}
    assert parts["raw.bin"].get_content_type() == "application/octet-stream"
    assert parts["raw.bin"].get_payload(decode=True) == BINARY
    assert parts["notes.txt"].get_payload(decode=True) == b"a\r\nb\n"


def test_the_same_message_builds_the_same_bytes() -> None:
    mail = Mail(sender=parse_address("a@example.com"), to=(parse_address("b@example.com"),), subject="s",
                text="t", html="<p>h</p>", attachments=(make_part("a", "x.bin", None, b"1"),))
    first = build(mail, date="d", message_id="<1@example.com>").as_bytes()
    assert build(mail, date="d", message_id="<1@example.com>").as_bytes() == first


def test_uploaded_files_are_attached_as_sent(mail_env: SmtpServer) -> None:
    answer = service().test_client().post(
        "/send", data={"to": ["ann@example.com", "bob@example.com"], "subject": "Files", "text": "See attached."},
        files={"attachments": ("report.pdf", BINARY, "application/pdf")})
    assert answer.status_code == 202, answer.text
    [received] = mail_env.received
    assert received.rcpt_tos == ["ann@example.com", "bob@example.com"]
    [part] = list(parsed(received.content).iter_attachments())
    assert (part.get_filename(), part.get_content_type()) == ("report.pdf", "application/pdf")
    assert part.get_payload(decode=True) == BINARY


def test_url_attachments_are_fetched_from_allowed_hosts(mail_env: SmtpServer, files: FileServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_URL_HOSTS", "127.0.0.1")
    answer = service().test_client().post("/send", json={
        "to": "ann@example.com", "subject": "Invoice", "text": "Attached.",
        "attachments": [{"url": f"{files.url}/files/invoice.pdf"},
                        {"url": f"{files.url}/redirect/notes.txt", "filename": "notes.txt"}]})
    assert answer.status_code == 202, answer.text
    parts = list(parsed(mail_env.received[0].content).iter_attachments())
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [
        ("invoice.pdf", "application/pdf"), ("notes.txt", "text/plain")]
    assert parts[0].get_payload(decode=True) == files.files["invoice.pdf"][0]
    assert parts[1].get_payload(decode=True) == files.files["notes.txt"][0]


def test_url_attachments_cannot_reach_private_addresses(mail_env: SmtpServer, files: FileServer) -> None:
    """Inside Lambda 127.0.0.1:9001 is the runtime API: a caller's URL must not get there."""
    for url in (f"{files.url}/files/invoice.pdf", "http://localhost:9001/2018-06-01/runtime/invocation/next",
                "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.0.0.1/"):
        answer = service().test_client().post("/send", json={
            "to": "ann@example.com", "subject": "x", "text": "x", "attachments": [{"url": url}]})
        assert answer.status_code == 422, url
        assert answer.json()["errors"][0]["field"] == "attachments.0.url"
        assert "non-public address" in answer.json()["errors"][0]["message"]
    assert files.requests == [] and mail_env.received == []


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/missing", 422, "answered HTTP 404"),
    ("/files/big.bin", 413, "over the limit of 1000 bytes"),
    ("/stall", 504, "within 0.5 s"),  # its headers, or its content when they came in time
])
def test_url_attachments_that_fail_are_named(mail_env: SmtpServer, files: FileServer, monkeypatch: pytest.MonkeyPatch,
                                             path: str, status: int, words: str) -> None:
    monkeypatch.setenv("MAIL_URL_HOSTS", "127.0.0.1")
    monkeypatch.setenv("MAIL_MAX_SIZE", "1000")
    monkeypatch.setenv("MAIL_URL_TIMEOUT", "0.5" if status == 504 else "30")  # short only where it must expire
    answer = service().test_client().post("/send", json={
        "to": "ann@example.com", "subject": "x", "text": "x", "attachments": [{"url": files.url + path}]})
    assert answer.status_code == status, answer.text
    assert words in answer.text and "attachments.0.url" in answer.text
    assert mail_env.received == []


def test_implicit_tls_works_too(cert: Certificate, monkeypatch: pytest.MonkeyPatch) -> None:
    server = SmtpServer(cert.server_context(), security="ssl", users=USERS)
    try:
        monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
        monkeypatch.setenv("MAIL_PORT", str(server.port))
        monkeypatch.setenv("MAIL_SECURITY", "ssl")
        monkeypatch.setenv("MAIL_LOGIN", "shop")
        monkeypatch.setenv("MAIL_PASSWORD", USERS["shop"])
        monkeypatch.setenv("MAIL_CA_FILE", str(cert.cert_file))
        answer = service().test_client().post("/send", json={
            "from_addr": "shop@example.com", "to": "ann@example.com", "subject": "TLS", "text": "x"})
        assert answer.status_code == 202, answer.text
        assert server.received[0].rcpt_tos == ["ann@example.com"]
    finally:
        server.stop()


def test_a_refused_recipient_is_named_and_nothing_is_sent(mail_env: SmtpServer) -> None:
    answer = service().test_client().post("/send", json={
        "to": ["ann@example.com", "nobody@example.com"], "subject": "x", "text": "x"})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "to.1" and error["address"] == "nobody@example.com" and error["smtp_code"] == 550
    assert "550 5.1.1 No such user here" in error["message"]
    assert mail_env.received == []  # ann did not get it either: RCPT for all before DATA


def test_a_temporary_refusal_is_a_503_to_retry(mail_env: SmtpServer) -> None:
    answer = service().test_client().post("/send", json={"to": "later@example.com", "subject": "x", "text": "x"})
    assert answer.status_code == 503
    assert answer.json()["errors"][0]["field"] == "to" and "450 4.2.1" in answer.text


HOSTILE_ADDRESSES = [
    "", "   ", "ann", "ann@", "@example.com", "ann@@example.com", "ann@example", "ann@-example.com",
    "ann@exa_mple.com", "ann@[127.0.0.1]", ".ann@example.com", "an..n@example.com", "ann@example.com\r\nBcc: x@y.z",
    "Ann <ann@example.com", "Ann <ann@example.com> extra", "a" * 65 + "@example.com", "ann@" + "a" * 250 + ".com",
    "ann smith@example.com", "<script>@example.com", "ann@example.123", "Ann\x00 <ann@example.com>",
]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_a_bad_address_is_a_422_naming_the_field(mail_env: SmtpServer, address: str) -> None:
    answer = service().test_client().post("/send", json={"to": ["ok@example.com", address], "subject": "x",
                                                          "text": "x"})
    assert answer.status_code == 422, address
    assert [e["field"] for e in answer.json()["errors"]] == ["to.1"]
    assert mail_env.received == []


def test_malformed_requests_are_refused_with_every_problem(mail_env: SmtpServer) -> None:
    client = service().test_client()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({}, {"to", "subject"}),
        ({"to": "a@example.com", "subject": "x", "text": "x", "colour": "red"}, {"colour"}),
        ({"to": [], "subject": "x"}, {"to"}),
        ({"to": 42, "subject": "x"}, {"to"}),
        ({"to": "a@example.com", "subject": "x\r\nBcc: evil@example.com"}, {"subject"}),
        ({"to": "a@example.com", "subject": "x", "text": "x", "text_template": "{{ x }}"}, {"text_template"}),
        ({"to": "a@example.com", "subject": "x", "template_name": "welcome", "html": "x"}, {"template_name"}),
        ({"to": "a@example.com", "subject": "x", "attachments": [{"filename": "a"}]}, {"attachments.0"}),
        ({"to": "a@example.com", "subject": "x", "attachments": [{"filename": "a", "content": "!!"}]},
         {"attachments.0.content"}),
        ({"to": "a@example.com", "subject": "x", "attachments": [{"filename": "a\r\nb", "content": "AA=="}]},
         {"attachments.0"}),
        ({"to": "a@example.com", "subject": "x", "attachments": [{"content": "AA==", "nope": 1}]},
         {"attachments.0"}),
        ({"to": "a@example.com", "subject": "x", "attachments": [{"filename": "a", "url": "file:///etc/passwd"}]},
         {"attachments.0.url"}),
        ({"to": [f"user{i}@example.com" for i in range(101)], "subject": "x"}, {"to"}),
        ({"to": "a@example.com", "subject": "x" * 901}, {"subject"}),
        ({"to": "a@example.com", "subject": "x", "data": [1]}, {"data"}),
        ({"to": "a@example.com", "subject": "x", "attachments": "AAAA"}, {"attachments"}),
        ({"to": "a@example.com", "subject": "x",  # refused before any is fetched
          "attachments": [{"url": f"https://example.com/{i}"} for i in range(11)]}, {"attachments"}),
    ]
    for body, fields in cases:
        answer = client.post("/send", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert {e["field"] for e in answer.json()["errors"]} == fields, (body, answer.text)
    assert client.post("/send", data="{not json", headers={"content-type": "application/json"}).status_code == 400
    assert mail_env.received == []


def test_attachments_over_the_limit_are_413(mail_env: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_MAX_SIZE", "100")
    content = base64.b64encode(b"x" * 60).decode()
    answer = service().test_client().post("/send", json={"to": "a@example.com", "subject": "x", "attachments": [
        {"filename": "a", "content": content}, {"filename": "b", "content": content[:40] + "\n" + content[40:]}]})
    assert answer.status_code == 413 and "attachments.1" in answer.text


def test_a_server_that_is_down_is_a_502(mail_env: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_PORT", str(free_port()))
    answer = service().test_client().post("/send", json={"to": "a@example.com", "subject": "x", "text": "x"})
    assert answer.status_code == 502
    assert "cannot be reached: connection refused" in answer.json()["message"]


def test_a_server_that_stalls_is_a_504_within_the_timeout(mail_env: SmtpServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    stalling = StallingServer()
    try:
        monkeypatch.setenv("MAIL_PORT", str(stalling.port))
        monkeypatch.setenv("MAIL_TIMEOUT", "0.3")
        answer = service().test_client().post("/send", json={"to": "a@example.com", "subject": "x", "text": "x"})
    finally:
        stalling.stop()
    assert answer.status_code == 504
    assert "did not answer within 0.3 s" in answer.json()["message"]


def test_a_server_that_trickles_is_a_504_at_the_deadline(mail_env: SmtpServer,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    trickling = TricklingServer()
    try:
        monkeypatch.setenv("MAIL_PORT", str(trickling.port))
        monkeypatch.setenv("MAIL_TIMEOUT", "0.5")  # every byte comes sooner than that: only the deadline ends it
        answer = service().test_client().post("/send", json={"to": "a@example.com", "subject": "x", "text": "x"})
    finally:
        trickling.stop()
    assert answer.status_code == 504
    assert "did not answer within 0.5 s" in answer.json()["message"]


def test_a_refused_login_is_a_502_that_never_shows_the_password(mail_env: SmtpServer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_PASSWORD", "wrong-Secret-123")
    app = service()
    answer = app.test_client().post("/send", json={"to": "a@example.com", "subject": "x", "text": "x"})
    assert answer.status_code == 502 and "refused the login of 'shop'" in answer.text
    shown = answer.text + json.dumps(app.openapi()) + app.test_client().get("/").text + repr(app.smtp_settings())
    assert "wrong-Secret-123" not in shown
    assert app.test_client().get("/").json()["password_set"] is True


def test_the_password_can_be_an_ssm_parameter_read_at_run_time(mail_env: SmtpServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from coworks_ext.secrets import _default
    from moto import mock_aws

    _default.clear()
    with mock_aws():
        ssm = boto3.client("ssm", region_name="eu-west-1")
        ssm.put_parameter(Name="/shop/smtp", Value=USERS["shop"], Type="SecureString")
        arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/smtp"
        monkeypatch.setenv("MAIL_PASSWORD", arn)
        answer = service().test_client().post("/send", json={"to": "a@example.com", "subject": "x", "text": "x"})
        assert answer.status_code == 202, answer.text
        monkeypatch.setenv("MAIL_PASSWORD", arn.replace("smtp", "missing"))
        missing = service().test_client().post("/send", json={"to": "a@example.com", "subject": "x", "text": "x"})
    _default.clear()
    assert missing.status_code == 500 and "MAIL_PASSWORD" in missing.text and "ParameterNotFound" in missing.text


def test_starttls_required_but_not_offered_is_a_502(cert: Certificate, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = SmtpServer(None, security="none")
    try:
        monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
        monkeypatch.setenv("MAIL_PORT", str(plain.port))
        answer = service().test_client().post("/send", json={
            "from_addr": "shop@example.com", "to": "a@example.com", "subject": "x", "text": "x"})
        assert answer.status_code == 502 and "does not offer STARTTLS" in answer.text
        assert plain.received == []
    finally:
        plain.stop()


def test_an_untrusted_certificate_is_a_502(mail_env: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAIL_CA_FILE")
    answer = service().test_client().post("/send", json={"to": "a@example.com", "subject": "x", "text": "x"})
    assert answer.status_code == 502 and "TLS certificate is not trusted" in answer.text
    assert mail_env.received == []


def test_a_missing_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = service().test_client().post("/send", json={"from_addr": "a@example.com", "to": "a@example.com",
                                                          "subject": "x"})
    assert answer.status_code == 500 and "MAIL_SERVER is not set" in answer.text
    monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
    monkeypatch.setenv("MAIL_PORT", "eighty")
    answer = service().test_client().post("/send", json={"from_addr": "a@example.com", "to": "a@example.com",
                                                          "subject": "x"})
    assert answer.status_code == 500 and "MAIL_PORT is 'eighty'" in answer.text


def test_bodies_from_inline_templates(mail_env: SmtpServer) -> None:
    answer = service().test_client().post("/send", json={
        "to": "a@example.com", "subject": "Order", "data": {"name": "<Ann>", "total": 1234.5},
        "text_template": "Hi {{ name }}, {{ total | money('EUR') }}",
        "html_template": "<p>Hi {{ name }}, {{ total | money('EUR', 'fr') }}</p>"})
    assert answer.status_code == 202, answer.text
    msg = parsed(mail_env.received[0].content)
    assert body(msg, "plain") == "Hi <Ann>, €1,234.50\n"
    assert body(msg, "html") == "<p>Hi &lt;Ann&gt;, 1\u202f234,50\u00a0€</p>\n"


def test_bodies_from_a_stored_template(mail_env: SmtpServer, template_dir: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_TEMPLATES", str(template_dir))
    client = service().test_client()
    answer = client.post("/send", json={"to": "a@example.com", "subject": "Welcome", "template_name": "welcome",
                                        "data": {"name": "Ann", "order": 42, "shop": "Boutique"}})
    assert answer.status_code == 202, answer.text
    msg = parsed(mail_env.received[0].content)
    assert body(msg, "plain") == "Hello Ann,\nyour order 42 is on its way.\n"
    assert body(msg, "html") == "<h1>Boutique</h1><p>Hello Ann</p>\n"
    missing = client.post("/send", json={"to": "a@example.com", "subject": "x", "template_name": "nope"})
    assert missing.status_code == 404 and "nope.txt or nope.html" in missing.text
    undefined = client.post("/send", json={"to": "a@example.com", "subject": "x", "template_name": "welcome",
                                           "data": {"name": "Ann", "order": 1}})
    assert undefined.status_code == 422 and "'shop' is undefined" in undefined.text
    broken = client.post("/send", json={"to": "a@example.com", "subject": "x", "template_name": "broken"})
    assert broken.status_code == 422 and broken.json()["errors"][0]["line"] == 2
    assert len(mail_env.received) == 1


def test_mounted_as_a_blueprint_with_its_own_prefix(mail_env: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_MAIL_SERVER", "127.0.0.1")
    monkeypatch.setenv("SHOP_MAIL_PORT", str(mail_env.port))
    monkeypatch.setenv("SHOP_MAIL_LOGIN", "shop")
    monkeypatch.setenv("SHOP_MAIL_PASSWORD", USERS["shop"])
    monkeypatch.setenv("SHOP_MAIL_CA_FILE", __import__("os").environ["MAIL_CA_FILE"])

    class Shop(TechMicroService):
        """A shop that mails its customers."""

        requirements = MailBlueprint.requirements

        @entry
        def get(self) -> str:
            return "open"

    app = Shop("shop")
    app.register_blueprint(MailBlueprint(prefix="SHOP_MAIL_"), "/mail")
    answer = app.test_client().post("/mail/send", json={"from_addr": "shop@example.com", "to": "a@example.com",
                                                         "subject": "x", "text": "x"})
    assert answer.status_code == 202, answer.text
    assert ("POST", "/mail/send") in [(r.method, r.path) for r in app.routes]


def test_served_over_http(mail_env: SmtpServer) -> None:
    server = service().serve(port=0)
    try:
        answer = requests.post(server.url + "/send", json={"to": "a@example.com", "subject": "x", "text": "x"},
                               timeout=30)
    finally:
        server.stop()
    assert answer.status_code == 202
    assert mail_env.received[0].rcpt_tos == ["a@example.com"]


def test_openapi_documents_the_answers_and_the_multipart_body(mail_env: SmtpServer) -> None:
    doc = service().openapi()
    operation = doc["paths"]["/send"]["post"]
    assert {"202", "413", "422", "502", "503", "504"} <= set(operation["responses"])
    content = operation["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)
    assert content["multipart/form-data"]["schema"]["properties"]["attachments"]["items"]["format"] == "binary"
    assert doc["info"]["title"] == "mail" and USERS["shop"] not in json.dumps(doc)


def test_a_non_ascii_mailbox_goes_with_smtputf8_or_is_refused_by_name(cert: Certificate,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for smtputf8, status in ((True, 202), (False, 422)):
        server = SmtpServer(cert.server_context(), users=USERS, smtputf8=smtputf8)
        try:
            monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
            monkeypatch.setenv("MAIL_PORT", str(server.port))
            monkeypatch.setenv("MAIL_LOGIN", "shop")
            monkeypatch.setenv("MAIL_PASSWORD", USERS["shop"])
            monkeypatch.setenv("MAIL_CA_FILE", str(cert.cert_file))
            answer = service().test_client().post("/send", json={
                "from_addr": "shop@example.com", "to": ["ann@example.com", "José <josé@example.com>"],
                "subject": "Olá", "text": "x"})
            assert answer.status_code == status, answer.text
            if smtputf8:
                [received] = server.received
                assert "SMTPUTF8" in received.mail_options and received.rcpt_tos[1] == "josé@example.com"
                assert "José <josé@example.com>".encode() in received.content
            else:
                assert [e["field"] for e in answer.json()["errors"]] == ["to.1"] and server.received == []
        finally:
            server.stop()


def test_called_as_a_task_of_a_workflow_run_locally(mail_env: SmtpServer) -> None:
    from coworks.biz import Pass, Ref, Task, Workflow

    mail = service()
    send = Task(mail.send, to=Ref("$.email"), subject="Welcome", text_template="Hi {{ name }}",
                data=Ref("$.customer"), result_path="$.sent")
    send.catch(["HTTP422"], Pass("Bad address"), result_path="$.error")
    wf = Workflow("welcome", send)
    done = wf.run_local({"email": "ann@example.com", "customer": {"name": "Ann"}}, services=[mail])
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    assert done.output["sent"]["body"]["recipients"] == ["ann@example.com"]
    assert b"Hi Ann" in mail_env.received[0].content
    caught = wf.run_local({"email": "nobody@example.com", "customer": {"name": "X"}}, services=[mail])
    assert caught.status == "SUCCEEDED" and caught.output["error"]["Error"] == "HTTP422"
    assert len(mail_env.received) == 1


def test_a_mounted_blueprint_documents_the_same_answers_and_form() -> None:
    from coworks_mail import MailBlueprint

    from coworks import TechMicroService

    class Shop(TechMicroService):
        pass

    shop = Shop("shop")
    shop.register_blueprint(MailBlueprint(), "/mail")
    operation = shop.openapi()["paths"]["/mail/send"]["post"]
    assert {"202", "413", "422", "502", "503", "504"} <= set(operation["responses"])
    assert "200" not in operation["responses"]
    assert {"application/json", "multipart/form-data"} <= set(operation["requestBody"]["content"])
