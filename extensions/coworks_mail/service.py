"""The mail service: ``POST /send`` a message through SMTP.

Settings, under the prefix (``MAIL_`` by default):

    MAIL_SERVER          the SMTP host (required)
    MAIL_PORT            default 587 (starttls), 465 (ssl) or 25 (none)
    MAIL_SECURITY        starttls (default), ssl (implicit TLS) or none
    MAIL_LOGIN           the user to authenticate as (no AUTH when unset)
    MAIL_PASSWORD        by reference: an SSM parameter / Secrets Manager ARN, read at run time
    MAIL_DEFAULT_SENDER  the From when a message gives none: "Shop <shop@example.com>"
    MAIL_TIMEOUT         seconds for the whole SMTP conversation (default 10)
    MAIL_CA_FILE         a PEM file of CAs to trust besides the system's (a private relay)
    MAIL_TEMPLATES       s3://bucket/prefix/ or a directory: where template_name is looked up
    MAIL_MAX_SIZE        bytes of attachments per message (default 10 MiB)
    MAIL_URL_TIMEOUT     seconds to fetch one attachment URL (default 10)
    MAIL_URL_HOSTS       hosts an attachment URL may name even if private (comma-separated)
    MAIL_MAX_RECIPIENTS  to, cc and bcc together (default 100)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from email.utils import formatdate, make_msgid
from typing import Any

from coworks_ext import ExtensionBlueprint, Settings, resolve_secret

from coworks import TechMicroService, UnprocessableEntity, UploadedFile, entry

from .addresses import Address, AddressError, parse_address
from .attachments import MAX_URLS, Attachment, collect
from .message import Mail, MessageError, build, check_subject
from .transport import DEFAULT_PORTS, SECURITIES, Recipient, SmtpSettings, send

REQUIREMENTS = ("jinja2>=3.1,<4",)
RESPONSES = {
    202: "Accepted by the mail server: the message id and the server's reply",
    404: "template_name is not in the template store",
    413: "Attachments over MAIL_MAX_SIZE, or a message over the server's SIZE",
    422: "A bad address, subject, attachment or template, or a recipient the server refused (named)",
    500: "The service is not configured (the message names the setting)",
    502: "The mail server is down, refused the login or the connection, or has no STARTTLS",
    503: "The mail server refused for now (4xx): retry later",
    504: "The mail server did not answer within MAIL_TIMEOUT",
}


class MailEntries:
    """The entries, shared by the service and the blueprint."""

    prefix = "MAIL_"
    settings: Settings
    clock: Callable[[], float]
    message_ids: Callable[[str], str]

    def _setup_mail(self, prefix: str | None, environ: Mapping[str, str] | None, clock: Callable[[], float] | None,
                    message_ids: Callable[[str], str] | None, s3_client: Any) -> None:
        self.settings = Settings(prefix or type(self).prefix, environ)
        self._s3_client = s3_client
        self._templates: Any = None
        self.clock = clock or time.time
        self.message_ids = message_ids or (lambda domain: make_msgid(domain=domain))

    def smtp_settings(self) -> SmtpSettings:
        s = self.settings
        security = s.choice("SECURITY", SECURITIES, "starttls")
        password = s.raw("PASSWORD")
        return SmtpSettings(
            host=s.required("SERVER", "the SMTP server's host name"),
            port=s.integer("PORT", DEFAULT_PORTS[security], 1, 65535),
            security=security,
            login=s.text("LOGIN"),
            password=resolve_secret(password, s.name("PASSWORD")) if password is not None else None,
            timeout=s.number("TIMEOUT", 10.0, 0.01, 900.0),
            ca_file=s.text("CA_FILE"),
        )

    @entry
    def get(self) -> dict[str, Any]:
        """The mail server this service sends through (never the password)."""
        s = self.settings
        security = s.choice("SECURITY", SECURITIES, "starttls")
        return {"server": s.text("SERVER"), "port": s.integer("PORT", DEFAULT_PORTS[security], 1, 65535),
                "security": security, "login": s.text("LOGIN"), "password_set": s.raw("PASSWORD") is not None,
                "default_sender": s.text("DEFAULT_SENDER")}

    @entry(responses=RESPONSES)
    def send(
        self,
        *,
        to: list[str] | str,
        subject: str,
        from_addr: str | None = None,
        cc: list[str] | str | None = None,
        bcc: list[str] | str | None = None,
        reply_to: list[str] | str | None = None,
        text: str | None = None,
        html: str | None = None,
        text_template: str | None = None,
        html_template: str | None = None,
        template_name: str | None = None,
        data: dict[str, Any] | None = None,
        attachments: list[Attachment | UploadedFile] | None = None,
    ) -> tuple[dict[str, Any], int]:
        """Send a message through the configured SMTP server.

        :param to: recipients: "user@example.com" or "Name <user@example.com>", one or a list
        :param subject: the subject line
        :param from_addr: the sender, with a display name if you like (default MAIL_DEFAULT_SENDER)
        :param cc: copied recipients
        :param bcc: blind-copied recipients (in the envelope only)
        :param reply_to: where replies go
        :param text: the plain-text body
        :param html: the HTML body (sent with the text as multipart/alternative)
        :param text_template: a Jinja template rendering the text body with data
        :param html_template: a Jinja template rendering the HTML body with data (autoescaped)
        :param template_name: a stored template: NAME.txt and/or NAME.html under MAIL_TEMPLATES
        :param data: the variables the templates see
        :param attachments: uploaded files (multipart), or objects with filename and base64 content or a url
        """
        errors: list[dict[str, str]] = []
        sender_text = from_addr or self.settings.text("DEFAULT_SENDER")
        if sender_text is None:
            errors.append({"field": "from_addr", "location": "body",
                           "message": f"is required (or set {self.settings.name('DEFAULT_SENDER')})"})
            sender = None
        else:
            sender = _addresses("from_addr", [sender_text], errors, single=True)
        lists = {name: _addresses(name, _as_list(value), errors)
                 for name, value in (("to", to), ("cc", cc), ("bcc", bcc), ("reply_to", reply_to))}
        if not lists["to"] and not any(e["field"].startswith("to") for e in errors):
            errors.append({"field": "to", "location": "body", "message": "needs at least one recipient"})
        most = self.settings.integer("MAX_RECIPIENTS", 100, 1, 10_000)
        if sum(len(lists[name]) for name in ("to", "cc", "bcc")) > most:
            errors.append({"field": "to", "location": "body", "message": f"to, cc and bcc hold more than {most} "
                           f"recipients (the {self.settings.name('MAX_RECIPIENTS')} setting)"})
        urls = sum(1 for a in attachments or [] if isinstance(a, Attachment) and a.url is not None)
        if urls > MAX_URLS:
            errors.append({"field": "attachments", "location": "body",
                           "message": f"has {urls} URLs to fetch; at most {MAX_URLS} per message"})
        try:
            subject = check_subject(subject)
        except MessageError as exc:
            errors.append({"field": exc.field, "location": "body", "message": str(exc)})
        for body, template in (("text", text_template), ("html", html_template)):
            if template is not None and (body == "text" and text is not None or body == "html" and html is not None):
                errors.append({"field": f"{body}_template", "location": "body",
                               "message": f"give {body} or {body}_template, not both"})
        if template_name is not None and any(v is not None for v in (text, html, text_template, html_template)):
            errors.append({"field": "template_name", "location": "body",
                           "message": "a stored template gives both bodies: drop text, html and their templates"})
        if errors or sender is None:
            raise UnprocessableEntity(errors)
        text, html = self._bodies(text, html, text_template, html_template, template_name, data or {})
        parts = collect(attachments or [], self.settings)
        mail = Mail(sender=sender[0], to=tuple(lists["to"]), subject=subject, cc=tuple(lists["cc"]),
                    bcc=tuple(lists["bcc"]), reply_to=tuple(lists["reply_to"]), text=text, html=html,
                    attachments=tuple(parts))
        smtp = self.smtp_settings()
        message_id = self.message_ids(mail.sender.domain)
        msg = build(mail, date=formatdate(self.clock(), usegmt=True), message_id=message_id)
        recipients = [Recipient(f"{name}.{i}" if len(lists[name]) > 1 else name, a.addr_spec)
                      for name in ("to", "cc", "bcc") for i, a in enumerate(lists[name])]
        reply = send(smtp, mail.sender.addr_spec, recipients, msg.as_bytes(), smtputf8=mail.needs_smtputf8)
        return {"message_id": message_id, "from": str(mail.sender), "recipients": [r.address for r in recipients],
                "attachments": [p.filename for p in parts], "server_reply": reply}, 202

    # -- bodies and attachments ----------------------------------------------------------------

    def _bodies(self, text: str | None, html: str | None, text_template: str | None, html_template: str | None,
                template_name: str | None, data: dict[str, Any]) -> tuple[str | None, str | None]:
        if text_template is None and html_template is None and template_name is None:
            return text, html
        if self._templates is None:  # jinja2 loads with the first templated message, not at cold start
            from coworks_jinja import TemplateSettings

            self._templates = TemplateSettings(self.settings, self._s3_client)
        renderer = self._templates.renderer()
        if text_template is not None:
            text = renderer.render(source=text_template, context=data, field="text_template")
        if html_template is not None:
            html = renderer.render(source=html_template, context=data, html=True, field="html_template")
        if template_name is not None:
            from coworks import NotFound

            found = 0
            for suffix, is_html in ((".txt", False), (".html", True)):
                try:
                    rendered = renderer.render(name=template_name + suffix, context=data, html=is_html,
                                               field="template_name")
                except NotFound as exc:
                    if f"{template_name + suffix!r}" not in exc.message:
                        raise  # an include inside the template is missing: say that one
                    continue
                found += 1
                if is_html:
                    html = rendered
                else:
                    text = rendered
            if not found:
                raise NotFound(f"No template {template_name}.txt or {template_name}.html in the template store.")
        return text, html


def _as_list(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _addresses(name: str, values: list[str], errors: list[dict[str, str]], single: bool = False) -> list[Address]:
    found = []
    for index, value in enumerate(values):
        try:
            found.append(parse_address(value))
        except AddressError as exc:
            field = name if single or len(values) == 1 else f"{name}.{index}"
            errors.append({"field": field, "location": "body", "message": f"{str(value)[:80]!r} {exc}"})
    return found


class MailService(MailEntries, TechMicroService):
    """Sends mail through SMTP (STARTTLS or TLS, with login): text, HTML, Jinja templates, attachments."""

    requirements = REQUIREMENTS

    def __init__(self, name: str | None = None, *, prefix: str | None = None,
                 environ: Mapping[str, str] | None = None, clock: Callable[[], float] | None = None,
                 message_ids: Callable[[str], str] | None = None, s3_client: Any = None, **options: Any) -> None:
        super().__init__(name or "mail", **options)
        self._setup_mail(prefix, environ, clock, message_ids, s3_client)


class MailBlueprint(MailEntries, ExtensionBlueprint):
    """The mail entries to mount in your own service: ``app.register_blueprint(MailBlueprint(), "/mail")``.

    Mounting it brings its ``requirements`` to your service's package.
    """

    requirements = REQUIREMENTS

    def __init__(self, *, prefix: str | None = None, environ: Mapping[str, str] | None = None,
                 clock: Callable[[], float] | None = None, message_ids: Callable[[str], str] | None = None,
                 s3_client: Any = None) -> None:
        self._setup_mail(prefix, environ, clock, message_ids, s3_client)
