"""Fixtures for the extension tests: the real servers they talk to, all on 127.0.0.1 and started
here (an SMTP server with STARTTLS and AUTH, an HTTP file server, an Odoo-protocol server), and
an environment in which nothing can reach a real AWS account; and, for the business workflows of
notebooks/business (invoicing, dashboards), notebooks/ on the import path."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .fileserver import FileServer
from .odooserver import DATABASE, OdooServer
from .odooserver import USERS as ODOO_USERS
from .smtpserver import SmtpServer
from .tls import Certificate, self_signed

USERS = {"shop": "s3cret-pa55"}
REFUSED = {"nobody@example.com": "550 5.1.1 No such user here", "later@example.com": "450 4.2.1 Mailbox busy"}


@pytest.fixture(autouse=True)
def _no_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extensions' settings come from each test alone (tests/conftest.py isolates AWS)."""
    for name in [n for n in os.environ if n.startswith(("MAIL_", "JINJA_", "ODOO_", "SHOP_MAIL_"))]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A LocalCloud of the module's own, with its own Coworks home, cache and dummy credentials
    (a module fixture runs before each test's isolation does)."""
    home = tmp_path_factory.mktemp("deployed")
    saved = {k: os.environ.get(k) for k in ("COWORKS_HOME", "COWORKS_CACHE", "AWS_ACCESS_KEY_ID",
                                            "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
                                            "AWS_SHARED_CREDENTIALS_FILE")}
    os.environ.update(COWORKS_HOME=str(home / "coworks"), COWORKS_CACHE=str(home / "cache"),
                      AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_CONFIG_FILE=str(home / "config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "creds"))
    from coworks.cloud import LocalCloud

    with LocalCloud(shared=False) as local:
        yield local
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp(cert: Certificate) -> Iterator[SmtpServer]:
    server = SmtpServer(cert.server_context(), security="starttls", users=USERS, refuse=REFUSED)
    yield server
    server.stop()


@pytest.fixture
def mail_env(monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer, cert: Certificate) -> SmtpServer:
    """MAIL_* settings pointing at the STARTTLS server, the password in the environment."""
    monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
    monkeypatch.setenv("MAIL_PORT", str(smtp.port))
    monkeypatch.setenv("MAIL_LOGIN", "shop")
    monkeypatch.setenv("MAIL_PASSWORD", USERS["shop"])
    monkeypatch.setenv("MAIL_CA_FILE", str(cert.cert_file))
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "Shop <shop@example.com>")
    monkeypatch.setenv("MAIL_TIMEOUT", "5")
    return smtp


@pytest.fixture
def files() -> Iterator[FileServer]:
    server = FileServer({
        "invoice.pdf": (b"%PDF-1.4\r\n.\r\n" + bytes(range(256)) + b"%%EOF", "application/pdf"),
        "notes.txt": ("Lines\r\n.\r\nand é\n".encode(), "text/plain; charset=utf-8"),
        "big.bin": (b"x" * 5000, "application/octet-stream"),
    })
    yield server
    server.stop()


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    (tmp_path / "welcome.txt").write_text("Hello {{ name }},\nyour order {{ order }} is on its way.\n")
    (tmp_path / "welcome.html").write_text("{% include 'header.html' %}<p>Hello {{ name }}</p>")
    (tmp_path / "header.html").write_text("<h1>{{ shop }}</h1>")
    (tmp_path / "broken.html").write_text("<p>\n{% if %}\n</p>")
    return tmp_path


# -- the business workflows (notebooks/business) over the real servers --------------------------

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
if str(NOTEBOOKS) not in sys.path:  # business.invoicing, samples.archive...: as the runbooks import them
    sys.path.insert(0, str(NOTEBOOKS))


@pytest.fixture
def odoo_server() -> Iterator[OdooServer]:
    """An Odoo-protocol server whose today is 2024-03-01, with orders to invoice that day."""
    server = OdooServer(today="2024-03-01")
    yield server
    server.stop()


@pytest.fixture
def odoo_env(monkeypatch: pytest.MonkeyPatch, odoo_server: OdooServer) -> OdooServer:
    """ODOO_* settings pointing at the server, the admin's key in the environment."""
    for key, value in {"ODOO_URL": odoo_server.url, "ODOO_DATABASE": DATABASE, "ODOO_USER": "admin",
                       "ODOO_API_KEY": ODOO_USERS["admin"][1], "ODOO_TIMEOUT": "5"}.items():
        monkeypatch.setenv(key, value)
    return odoo_server
