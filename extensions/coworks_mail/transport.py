"""One SMTP conversation per message: connect, TLS, login, MAIL, every RCPT, then DATA.

All recipients are checked (RCPT) before any DATA, so a refused recipient means nothing was
sent: a permanent refusal (5xx) is a 422 naming each refused field and address, a temporary one
(4xx, greylisting) a 503 that a workflow can retry. TLS is verified (``<PREFIX>CA_FILE`` adds a
private CA) and STARTTLS is required when configured: a server that does not offer it is a 502,
never a silent fall-back to clear text. The whole conversation has one deadline (a watchdog
shuts the socket), so a server that stalls or trickles gives a 504 within the timeout.
The password is sent to the server and nowhere else.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any

from coworks_ext import BadGateway, GatewayTimeout, ServiceUnavailable
from coworks_ext.watchdog import Watchdog, shut

from coworks import PayloadTooLarge, UnprocessableEntity

SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "starttls"
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    ca_file: str | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)


@dataclass(frozen=True)
class Recipient:
    field: str  # the request field it came from: to.0, cc.1, bcc.0
    address: str


def send(settings: SmtpSettings, sender: str, recipients: list[Recipient], message: bytes,
         smtputf8: bool = False) -> str:
    """Deliver ``message`` to the server; the server's final reply (``250 ...``)."""
    client: dict[str, smtplib.SMTP | None] = {"smtp": None}
    watchdog = Watchdog(settings.timeout, lambda: shut(getattr(client["smtp"], "sock", None)))
    where = settings.where
    with watchdog:
        try:
            return _converse(settings, sender, recipients, message, smtputf8, client)
        except (UnprocessableEntity, PayloadTooLarge, BadGateway, ServiceUnavailable):
            raise
        except TimeoutError:
            raise GatewayTimeout(f"The mail server {where} did not answer within {settings.timeout:g} s.") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise BadGateway(f"The mail server {where} refused the login of {settings.login!r}: "
                             f"{_reply(exc.smtp_code, exc.smtp_error)}. Check the LOGIN and PASSWORD settings."
                             ) from None
        except smtplib.SMTPConnectError as exc:
            kind = ServiceUnavailable if exc.smtp_code == 421 else BadGateway
            raise kind(f"The mail server {where} refused the connection: {_reply(exc.smtp_code, exc.smtp_error)}.") \
                from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 552:
                raise PayloadTooLarge(f"The mail server {where} refused the message as too large: "
                                      f"{_reply(exc.smtp_code, exc.smtp_error)}.") from None
            if exc.smtp_code == 421 or 400 <= exc.smtp_code < 500:
                raise ServiceUnavailable(f"The mail server {where} is not accepting mail now: "
                                         f"{_reply(exc.smtp_code, exc.smtp_error)}.") from None
            raise BadGateway(f"The mail server {where} failed: {_reply(exc.smtp_code, exc.smtp_error)}.") from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            if watchdog.expired:
                raise GatewayTimeout(f"The mail server {where} did not answer within {settings.timeout:g} s.") \
                    from None
            raise BadGateway(f"The mail server {where} cannot be reached: {_describe(exc)}.") from None
        finally:
            smtp = client["smtp"]
            if smtp is not None:
                try:
                    smtp.close()
                except OSError:
                    pass


class _SMTP(smtplib.SMTP):
    """Connects after construction (so the watchdog holds the socket from the greeting on) and
    still gives TLS the host name to verify, which smtplib only records when given to __init__."""

    def connect(self, host: str = "localhost", port: int = 0, source_address: Any = None) -> Any:
        self._host = host
        return super().connect(host, port, source_address)


class _SMTP_SSL(smtplib.SMTP_SSL):  # noqa: N801 - smtplib's name
    def connect(self, host: str = "localhost", port: int = 0, source_address: Any = None) -> Any:
        self._host = host
        return super().connect(host, port, source_address)


def _converse(settings: SmtpSettings, sender: str, recipients: list[Recipient], message: bytes, smtputf8: bool,
              client: dict[str, smtplib.SMTP | None]) -> str:
    context = settings.tls_context() if settings.security != "none" else None
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = _SMTP_SSL(timeout=settings.timeout, context=context)
    else:
        smtp = _SMTP(timeout=settings.timeout)
    client["smtp"] = smtp
    smtp.connect(settings.host, settings.port)
    smtp.ehlo_or_helo_if_needed()
    if settings.security == "starttls":
        if not smtp.has_extn("starttls"):
            raise BadGateway(f"The mail server {settings.where} does not offer STARTTLS, which the SECURITY "
                             "setting requires: the message was not sent in clear text.")
        smtp.starttls(context=context)
        smtp.ehlo()
    if settings.login:
        if not smtp.has_extn("auth"):
            raise BadGateway(f"The mail server {settings.where} does not offer AUTH, and a LOGIN is configured.")
        smtp.login(settings.login, settings.password or "")
    options: list[str] = []
    if smtputf8:
        if not smtp.has_extn("smtputf8"):
            raise UnprocessableEntity([{"field": r.field, "location": "body",
                                        "message": "has a non-ASCII mailbox name, which this mail server cannot take"}
                                       for r in recipients if not r.address.split("@")[0].isascii()]
                                      or [{"field": "from_addr", "location": "body",
                                           "message": "has a non-ASCII mailbox name, which this mail server "
                                                      "cannot take"}])
        options.append("SMTPUTF8")
    if smtp.has_extn("size"):
        limit = smtp.esmtp_features.get("size", "")
        if limit.isdigit() and int(limit) and len(message) > int(limit):
            raise PayloadTooLarge(f"The message is {len(message)} bytes; the mail server {settings.where} "
                                  f"accepts at most {limit}.")
        options.append(f"SIZE={len(message)}")
    code, reply = smtp.mail(sender, options)
    if code != 250:
        _reset(smtp)
        raise _refused([("from_addr", sender, code, reply)], settings.where)
    refused = []
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient.address)
        if code not in (250, 251):
            refused.append((recipient.field, recipient.address, code, reply))
    if refused:
        _reset(smtp)
        raise _refused(refused, settings.where)
    code, reply = smtp.data(message)
    if code != 250:  # smtplib raises SMTPDataError itself; kept for servers answering 251
        raise BadGateway(f"The mail server {settings.where} refused the message: {_reply(code, reply)}.")
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass  # the message is accepted; a rude goodbye changes nothing
    return _reply(code, reply)


def _reset(smtp: smtplib.SMTP) -> None:
    try:
        smtp.rset()
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass


def _refused(refused: list[tuple[str, str, int, bytes]], where: str) -> Exception:
    errors: list[dict[str, Any]] = [
        {"field": f, "location": "body", "message": f"{address} was refused by the mail server: {_reply(code, reply)}",
         "address": address, "smtp_code": code} for f, address, code, reply in refused]
    names = ", ".join(address for _, address, _, _ in refused)
    if all(code >= 500 for _, _, code, _ in refused):
        return UnprocessableEntity(errors, f"The mail server {where} refused {names}; nothing was sent.")
    return ServiceUnavailable(f"The mail server {where} refused {names} for now; nothing was sent, try again later.",
                              errors=errors)


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"[:300]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({exc.verify_message}); set the CA_FILE setting for a private CA"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "it closed the connection"
    if isinstance(exc, socket.gaierror):
        return "its host name does not resolve"
    return f"{type(exc).__name__}: {exc}"[:300]
