"""The README's Extensions example runs as written, against the real SMTP and Odoo-protocol servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import USERS
from .odooserver import DATABASE, OdooServer
from .odooserver import USERS as ODOO_USERS
from .smtpserver import SmtpServer

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_extensions_example_runs(mail_env: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    section = README.read_text().split("## Extensions", 1)[1].split("\n## ", 1)[0]
    source = section.split("```python\n", 1)[1].split("```", 1)[0]
    odoo = OdooServer()
    try:
        for key, value in {"ODOO_URL": odoo.url, "ODOO_DATABASE": DATABASE, "ODOO_USER": "admin",
                           "ODOO_API_KEY": ODOO_USERS["admin"][1]}.items():
            monkeypatch.setenv(key, value)
        namespace: dict[str, object] = {"__name__": "readme_extensions"}
        exec(compile(source, "<README Extensions>", "exec"), namespace)
    finally:
        odoo.stop()
    [received] = mail_env.received
    assert received.rcpt_tos == ["ann@example.com", "audit@example.com"] and b"invoice.pdf" in received.content
    assert ("admin", "res.partner", "search_read") in odoo.state.calls
    task = namespace["welcome"]
    assert task.fields["Parameters"]["Payload"]["path"] == "/mail/send"  # type: ignore[attr-defined]
    assert USERS["shop"] not in source


def test_the_business_example_runs_and_the_graph_shown_is_the_workflows(
        mail_env: SmtpServer, odoo_env: OdooServer) -> None:
    import html

    from business.invoicing import workflow

    section = README.read_text().split("## Business workflows", 1)[1].split("\n## ", 1)[0]
    source = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {"__name__": "readme_business"}
    exec(compile(source, "<README Business workflows>", "exec"), namespace)
    execution = namespace["execution"]
    assert execution.status == "SUCCEEDED" and execution.output["invoiced"] == 3  # type: ignore[attr-defined]
    assert len(mail_env.received) == 4  # three invoices and the summary

    assert "](docs/invoicing.svg)" in section
    drawn = html.unescape((README.parent / "docs" / "invoicing.svg").read_text())
    missing = [name for name in workflow.states if f">{name}</text>" not in drawn and f"{name} (" not in drawn]
    assert missing == [], "docs/invoicing.svg is not the current workflow: draw it again with cws graph"
