"""The dashboards workflow (notebooks/business/dashboards.py) run locally over the Odoo, Jinja,
Mail and Archive services in-process, the real SMTP and Odoo-protocol servers, and S3 in moto:
the figures gathered in parallel, the page rendered (tables, an inline SVG chart), kept under a
dated key and mailed, and a source that fails shown as unavailable instead of stopping it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from business.backoff import Backoff
from business.dashboards import dashboards_workflow
from coworks_jinja import JinjaService
from coworks_mail import MailService
from coworks_odoo import OdooService
from samples.archive import Archive
from samples.shop import stock

from coworks.biz import SimulatedClock

from .odooserver import OdooServer
from .outcomes import attachments, attempts, html, mails
from .smtpserver import SmtpServer

EVENING = SimulatedClock(datetime(2024, 3, 1, 19, tzinfo=UTC))


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("ARCHIVE_BUCKET", "reports")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="reports")
        yield client


@pytest.fixture
def services(mail_env: SmtpServer, odoo_env: OdooServer, s3: Any) -> list[Any]:
    return [OdooService("odoo"), JinjaService("jinja"), MailService("mail"), Archive("archive")]


def stored(s3: Any, day: str) -> str:
    return str(s3.get_object(Bucket="reports", Key=f"dashboards/{day}.html")["Body"].read().decode())


def rows(page: str, title: str) -> list[tuple[str, str, str]]:
    """(customer, count, amount) of the table under the heading ``title``."""
    section = page.split(f"<h2>{title}</h2>", 1)[1].split("<h2>", 1)[0]
    return re.findall(r"<tr><td>([^<]+)</td><td align=\"right\">(\d+)</td>\s*<td align=\"right\">([^<]+)</td></tr>",
                      section)


def test_the_day_is_gathered_in_parallel_rendered_kept_under_its_date_and_mailed(
        services: list[Any], smtp: SmtpServer, s3: Any) -> None:
    wf = dashboards_workflow(*services, recipients=["boss@example.com", "sales@example.com"],
                             figures={"Pens in stock": (stock.get_item, {"item_id": 3})})
    execution = wf.run_local({}, services=[*services, stock], clock=EVENING)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)

    page = stored(s3, "2024-03-01")  # the day of the execution's start
    assert execution.output["stored"]["key"] == "dashboards/2024-03-01.html"
    assert rows(page, "Sales of the day") == [("Ann Smith", "1", "€1,250.00"), ("Deco Addict", "1", "€480.00"),
                                              ("Azure Interior", "1", "€99.50")]  # the quotation S00005 is not a sale
    assert "<th align=\"right\">€1,829.50</th>" in page
    assert rows(page, "Open invoices") == [("Azure Interior", "1", "€1,250.00"), ("Ann Smith", "1", "€99.50")]
    assert rows(page, "Overdue") == [("Azure Interior", "1", "€1,250.00")]  # due 2024-02-14
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert re.findall(r'width="([\d.]+)"\s+height="20"', chart) == ["340.0", "130.6", "27.1"]  # bars to scale
    assert "<th align=\"left\">qty</th>\n<td>3</td>" in page  # the service the user added
    assert execution.output["unavailable"] == []

    [message] = mails(smtp)
    assert smtp.received[0].rcpt_tos == ["boss@example.com", "sales@example.com"]
    assert message["Subject"] == "Coworks Shop: the day of 2024-03-01"
    assert html(message) == page and attachments(message) == {"dashboard-2024-03-01.html": page.encode()}
    branches = [e for e in execution.history if e["type"] == "ParallelStateStarted"]
    assert len(branches) == 1
    assert {name: len(attempts(execution.history, name)) for name in
            ("Sales of the day", "Open invoices", "Overdue amounts", "Pens in stock")} == dict.fromkeys(
        ("Sales of the day", "Open invoices", "Overdue amounts", "Pens in stock"), 1)


def test_a_past_day_is_redone_from_the_input(services: list[Any], smtp: SmtpServer, s3: Any) -> None:
    wf = dashboards_workflow(*services, recipients="boss@example.com")
    execution = wf.run_local({"day": "2024-02-28"}, services=services, clock=EVENING)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    page = stored(s3, "2024-02-28")
    assert rows(page, "Sales of the day") == [("Ann Smith", "1", "€99.50")]
    assert rows(page, "Overdue") == [("Azure Interior", "1", "€1,250.00")]
    assert mails(smtp)[0]["Subject"] == "Coworks Shop: the day of 2024-02-28"

    bad = wf.run_local({"day": "yesterday"}, services=services, clock=EVENING)
    assert (bad.status, bad.error) == ("FAILED", "HTTP422")  # refused by the archive, before any mail
    assert len(smtp.received) == 1


def test_a_source_that_stays_down_is_shown_unavailable_and_the_rest_still_goes_out(
        services: list[Any], smtp: SmtpServer, s3: Any, odoo_env: OdooServer) -> None:
    odoo_env.go_down()
    wf = dashboards_workflow(*services, recipients="boss@example.com", backoff=Backoff(interval=1, attempts=2),
                             figures={"Pens in stock": (stock.get_item, {"item_id": 3}),
                                      "Unknown item": (stock.get_item, {"item_id": 404})})
    execution = wf.run_local({}, services=[*services, stock], clock=EVENING)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)

    assert sorted(execution.output["unavailable"]) == ["HTTP404", "HTTP502", "HTTP502", "HTTP502"]
    assert len(attempts(execution.history, "Open invoices")) == 3  # retried twice, then shown unavailable
    assert len(attempts(execution.history, "Unknown item")) == 1  # a 404 is not transient
    page = stored(s3, "2024-03-01")
    assert page.count("Unavailable (HTTP502): ") == 3 and "answered HTTP 502" in page
    assert "Unavailable (HTTP404): No item 404." in page
    assert "<th align=\"left\">qty</th>\n<td>3</td>" in page and "<svg" not in page
    assert html(mails(smtp)[0]) == page


def test_the_workflow_is_valid_and_scheduled() -> None:
    from business.dashboards import workflow

    definition = workflow.validate().to_asl()
    assert workflow.triggers == ("cron(0 19 * * ? *)",)
    gather = definition["States"]["Gather figures"]
    assert gather["Type"] == "Parallel" and len(gather["Branches"]) == 3
