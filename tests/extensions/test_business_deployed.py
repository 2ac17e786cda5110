"""The invoicing and dashboards workflows deployed on the embedded local cloud with the services
they call (Odoo, Jinja, Mail, Archive, and a user's own), each a Lambda built from its zip, the
executions run by the Coworks executor against those Lambdas on a real clock, the mails going to
the real SMTP server (STARTTLS and AUTH) and the orders read from the Odoo-protocol server.

The services are deployed once for the module, under names no other test module deploys (moto's
backends are shared by the process), each test starting from Odoo's initial records."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from business.backoff import Backoff
from business.dashboards import dashboards_workflow
from business.invoicing import invoicing_workflow
from coworks_jinja import JinjaService
from coworks_mail import MailService
from coworks_odoo import OdooService
from samples.archive import Archive
from samples.shop import Stock

from .conftest import USERS
from .odooserver import DATABASE, OdooServer, _records
from .odooserver import USERS as ODOO_USERS
from .outcomes import attachments, attempts, html, invoices, order, pdf, to
from .smtpserver import SmtpServer
from .tls import Certificate

pytestmark = pytest.mark.localcloud

NEVER = "cron(0 6 1 1 ? 2099)"  # deployed as a rule like the morning's, but never due while the tests run
ACCOUNTANT = "accounting@example.com"


@dataclass
class Deployed:
    cloud: Any
    smtp: SmtpServer
    odoo: OdooServer
    services: list[Any]
    stock: Any


@pytest.fixture(scope="module")
def deployed(cloud: Any, cert: Certificate) -> Iterator[Deployed]:
    import boto3

    smtp = SmtpServer(cert.server_context(), users=USERS)
    odoo = OdooServer(today="2024-03-01")
    boto3.client("s3", endpoint_url=cloud.endpoint_url, region_name="us-east-1").create_bucket(Bucket="reports")
    services = [OdooService("biz-odoo"), JinjaService("biz-jinja"), MailService("biz-mail"), Archive("biz-archive")]
    settings = {
        "biz-odoo": {"ODOO_URL": odoo.url, "ODOO_DATABASE": DATABASE, "ODOO_USER": "admin",
                     "ODOO_API_KEY": ODOO_USERS["admin"][1], "ODOO_TIMEOUT": "10"},
        "biz-mail": {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_LOGIN": "shop",
                     "MAIL_PASSWORD": USERS["shop"], "MAIL_CA_FILE": str(cert.cert_file),
                     "MAIL_DEFAULT_SENDER": "Shop <shop@example.com>"},
        "biz-archive": {"ARCHIVE_BUCKET": "reports"},
    }
    stock = Stock("biz-stock")
    try:
        for service in [*services, stock]:
            cloud.deploy(service, stage="dev", settings=settings.get(service.name, {})).apply()
        yield Deployed(cloud, smtp, odoo, services, stock)
    finally:
        smtp.stop()
        odoo.stop()


@pytest.fixture
def fresh(deployed: Deployed) -> Deployed:
    deployed.odoo.state.records = _records()
    deployed.odoo.state.refused.clear()
    deployed.odoo.come_back()
    deployed.smtp.received.clear()
    return deployed


def execute(d: Deployed, wf: Any, data: Any) -> Any:
    arn = d.cloud.start_execution(wf, data, stage="dev")
    done = d.cloud.wait_execution(arn, timeout=240, interval=0.2)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    return done, d.cloud.execution_history(arn)


def test_invoicing_deployed_survives_odoo_going_down_and_a_malformed_order_and_never_invoices_twice(
        fresh: Deployed) -> None:
    import boto3

    d = fresh
    odoo, jinja, mail, _ = d.services
    wf = invoicing_workflow(odoo, jinja, mail, accountant=ACCOUNTANT, name="biz-invoicing", schedule=NEVER,
                            max_concurrency=1, backoff=Backoff(interval=1, rate=2.0, attempts=2))
    d.cloud.deploy_workflow(wf, stage="dev").apply()
    events = boto3.client("events", endpoint_url=d.cloud.endpoint_url, region_name="us-east-1")
    assert events.describe_rule(Name="biz-invoicing-dev-cron")["ScheduleExpression"] == NEVER  # deployed with it
    order(d.odoo, 6, partner_id=False)  # malformed: no customer
    order(d.odoo, 7, partner_id=4)  # its customer has no email address
    d.odoo.go_down(on=("account.move", "action_post"), after=1, refusals=3)  # the second order's post, thrice

    first, history = execute(d, wf, {})
    results = {r["reference"]: r for r in first.output["results"]}
    assert {k: r["status"] for k, r in results.items()} == {
        "S00001": "invoiced", "S00002": "failed", "S00003": "invoiced", "S00006": "failed", "S00007": "failed"}
    assert results["S00002"]["error"] == "HTTP502" and "answered HTTP 502" in results["S00002"]["reason"]
    assert results["S00006"]["error"] == "Invoicing.MalformedOrder" and results["S00007"]["error"] == "HTTP422"
    assert d.odoo.state.refused == [("account.move", "action_post")] * 3
    assert len(attempts(history, "Post invoice")) == 1 + 3 + 1 + 1  # S00001, S00002 thrice, S00003, S00007
    for reference, address in (("S00001", "ann@example.com"), ("S00003", "azure@example.com")):
        [invoice] = invoices(d.odoo, reference)
        [message] = to(d.smtp, address)
        assert attachments(message) == {f"invoice-{reference}.pdf": pdf(invoice["id"])}
        assert invoice["name"] in message["Subject"] and invoice["name"] in html(message)
    summary = to(d.smtp, ACCOUNTANT)
    assert [m["Subject"] for m in summary] == ["Invoicing: 2 invoiced, 3 failed, 0 skipped"]
    assert "<td>S00007</td><td>HTTP422</td><td>Invalid request parameters (to: " in html(summary[0])

    second, _ = execute(d, wf, {})
    assert {r["reference"]: r["status"] for r in second.output["results"]} == {
        "S00002": "invoiced", "S00006": "failed", "S00007": "failed"}
    for reference in ("S00001", "S00002", "S00003", "S00007"):
        assert len(invoices(d.odoo, reference)) == 1  # nothing invoiced twice
    assert invoices(d.odoo, "S00006") == []
    assert [len(to(d.smtp, a)) for a in ("ann@example.com", "deco@example.com", "azure@example.com")] == [1, 1, 1]
    assert attachments(to(d.smtp, "deco@example.com")[0]) == {
        "invoice-S00002.pdf": pdf(invoices(d.odoo, "S00002")[0]["id"])}
    logged = "\n".join(r.message for r in d.cloud.logs("biz-odoo", since="10m"))
    assert '"path":"/call/account.move/action_post"' in logged.replace(" ", "")


def test_dashboards_deployed_are_kept_in_s3_and_mailed_with_the_users_figure(fresh: Deployed) -> None:
    import boto3

    d = fresh
    odoo, jinja, mail, archive = d.services
    wf = dashboards_workflow(odoo, jinja, mail, archive, recipients="boss@example.com", name="biz-dashboards",
                             schedule=NEVER, figures={"Pens in stock": (d.stock.get_item, {"item_id": 3})})
    d.cloud.deploy_workflow(wf, stage="dev").apply()
    done, history = execute(d, wf, {"day": "2024-03-01"})

    assert done.output["stored"]["key"] == "dashboards/2024-03-01.html" and done.output["unavailable"] == []
    s3 = boto3.client("s3", endpoint_url=d.cloud.endpoint_url, region_name="us-east-1")
    page = s3.get_object(Bucket="reports", Key="dashboards/2024-03-01.html")["Body"].read().decode()
    assert "<td>Ann Smith</td>" in page and "€1,829.50" in page and "<svg" in page
    assert len(re.findall(r"<rect ", page)) == 3 and "<th align=\"left\">qty</th>\n<td>3</td>" in page
    [message] = to(d.smtp, "boss@example.com")
    assert message["Subject"] == "Coworks Shop: the day of 2024-03-01"
    assert html(message) == page and attachments(message) == {"dashboard-2024-03-01.html": page.encode()}
    assert {e["type"] for e in history} >= {"ParallelStateStarted", "ParallelStateSucceeded"}
