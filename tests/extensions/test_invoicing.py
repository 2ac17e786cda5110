"""The invoicing workflow (notebooks/business/invoicing.py) run locally, with AWS semantics on a
simulated clock, over the Odoo, Jinja and Mail services in-process, against the real SMTP server
(STARTTLS and AUTH) and the Odoo-protocol server: what is invoiced, mailed and recorded, and that
nothing is invoiced twice whatever stops a run.

On the local cloud, deployed: test_business_deployed.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from business.backoff import Backoff
from business.invoicing import invoicing_workflow
from coworks_jinja import JinjaService
from coworks_mail import MailService
from coworks_odoo import OdooService

from .odooserver import OdooServer
from .outcomes import attachments, attempts, html, invoices, mails, morning, order, pdf, to
from .smtpserver import SmtpServer

CUSTOMERS = {"S00001": "ann@example.com", "S00002": "deco@example.com", "S00003": "azure@example.com"}
ACCOUNTANT = "accounting@example.com"


@pytest.fixture
def services(mail_env: SmtpServer, odoo_env: OdooServer) -> list[Any]:
    return [OdooService("odoo"), JinjaService("jinja"), MailService("mail")]


def run(services: list[Any], **options: Any) -> Any:
    wf = invoicing_workflow(*services, accountant=ACCOUNTANT, sender="Shop <shop@example.com>",
                            max_concurrency=options.pop("max_concurrency", 1), **options)
    execution = wf.run_local({}, services=services, clock=morning())
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    return execution


def statuses(execution: Any) -> dict[str, str]:
    return {r["reference"]: r["status"] for r in execution.output["results"]}


def test_each_order_is_invoiced_posted_mailed_with_its_pdf_and_the_accountant_gets_a_summary(
        services: list[Any], smtp: SmtpServer, odoo_server: OdooServer) -> None:
    execution = run(services, max_concurrency=3)

    assert statuses(execution) == dict.fromkeys(CUSTOMERS, "invoiced")
    assert {k: execution.output[k] for k in ("invoiced", "failed", "skipped")} == \
        {"invoiced": 3, "failed": 0, "skipped": 0}
    for reference, address in CUSTOMERS.items():
        [invoice] = invoices(odoo_server, reference)
        assert (invoice["state"], invoice["is_move_sent"], invoice["invoice_date"]) == ("posted", True, "2024-03-01")
        assert invoice["name"].startswith("INV/2024/")
        [message] = to(smtp, address)
        assert message["Subject"] == f"Invoice {invoice['name']} for your order {reference}"
        assert message["From"] == "Shop <shop@example.com>"
        assert attachments(message) == {f"invoice-{reference}.pdf": pdf(invoice["id"])}  # Odoo's report, as printed
        order_ = next(o for o in odoo_server.state.records["sale.order"].values() if o["name"] == reference)
        assert order_["invoice_status"] == "invoiced"
    assert "€1,250.00" in html(to(smtp, "ann@example.com")[0])  # rendered by the Jinja service
    [summary] = to(smtp, ACCOUNTANT)
    assert summary["Subject"] == "Invoicing: 3 invoiced, 0 failed, 0 skipped"
    assert all(reference in html(summary) for reference in CUSTOMERS)
    assert odoo_server.state.records["sale.order"][5]["invoice_status"] == "no"  # a quotation is left alone
    assert len(smtp.received) == 4 and {m["To"] for m in mails(smtp)} == {*CUSTOMERS.values(), ACCOUNTANT}


def test_running_again_invoices_nothing_twice(services: list[Any], smtp: SmtpServer,
                                              odoo_server: OdooServer) -> None:
    run(services)
    before = {ref: invoices(odoo_server, ref) for ref in CUSTOMERS}
    again = run(services)
    assert again.output["results"] == [] and len(to(smtp, ACCOUNTANT)) == 2
    assert to(smtp, ACCOUNTANT)[-1]["Subject"] == "Invoicing: 0 invoiced, 0 failed, 0 skipped"

    # An order still listed although its invoice was posted and mailed (the run stopped before it
    # marked the order): skipped, only marked.
    order(odoo_server, 2, invoice_status="to invoice")
    skipped = run(services)
    assert statuses(skipped) == {"S00002": "skipped"} and skipped.output["skipped"] == 1
    assert {ref: invoices(odoo_server, ref) for ref in CUSTOMERS} == before
    assert len(to(smtp, "deco@example.com")) == 1
    assert odoo_server.state.records["sale.order"][2]["invoice_status"] == "invoiced"


def test_a_draft_left_by_a_stopped_run_is_posted_and_mailed_not_made_again(
        services: list[Any], smtp: SmtpServer, odoo_server: OdooServer) -> None:
    state = odoo_server.state
    draft = state.execute_kw("shop", 2, "admin-api-key-123", "account.move", "create", [{
        "move_type": "out_invoice", "partner_id": 1, "invoice_origin": "S00003",
        "invoice_line_ids": [[0, 0, {"name": "Order S00003", "quantity": 1, "price_unit": 99.5}]]}])
    execution = run(services)
    assert statuses(execution) == dict.fromkeys(CUSTOMERS, "invoiced")
    [invoice] = invoices(odoo_server, "S00003")
    assert invoice["id"] == draft and invoice["state"] == "posted" and invoice["is_move_sent"]
    assert attachments(to(smtp, "azure@example.com")[0]) == {"invoice-S00003.pdf": pdf(draft)}


def test_odoo_going_down_mid_run_is_retried_with_backoff_then_recorded_and_the_next_run_finishes(
        services: list[Any], smtp: SmtpServer, odoo_server: OdooServer) -> None:
    # Odoo goes down as the second order's invoice is posted, for that call and its two retries.
    odoo_server.go_down(on=("account.move", "action_post"), after=1, refusals=3)
    backoff = Backoff(interval=2, rate=2.0, attempts=2)
    first = run(services, backoff=backoff)

    assert statuses(first) == {"S00001": "invoiced", "S00002": "failed", "S00003": "invoiced"}
    [failed] = [r for r in first.output["results"] if r["status"] == "failed"]
    assert failed["error"] == "HTTP502" and "answered HTTP 502" in failed["reason"]  # the proxy's answer, named
    assert odoo_server.state.refused == [("account.move", "action_post")] * 3
    tries = attempts(first.history, "Post invoice")
    second_order = tries[1:4]  # the first order's post, then the second's three attempts
    assert [later - earlier for earlier, later in zip(second_order, second_order[1:], strict=False)] == \
        [timedelta(seconds=2), timedelta(seconds=4)]  # backoff on the simulated clock
    [draft] = invoices(odoo_server, "S00002")
    assert draft["state"] == "draft" and not to(smtp, "deco@example.com")
    summary = to(smtp, ACCOUNTANT)[0]
    assert summary["Subject"] == "Invoicing: 2 invoiced, 1 failed, 0 skipped"
    assert "S00002" in html(summary) and "HTTP502" in html(summary)

    second = run(services, backoff=backoff)
    assert statuses(second) == {"S00002": "invoiced"}
    for reference in CUSTOMERS:
        assert len(invoices(odoo_server, reference)) == 1  # nothing invoiced twice
    assert invoices(odoo_server, "S00002")[0]["id"] == draft["id"]
    assert [len(to(smtp, address)) for address in CUSTOMERS.values()] == [1, 1, 1]


def test_a_malformed_order_is_recorded_as_failed_and_the_others_are_invoiced(
        services: list[Any], smtp: SmtpServer, odoo_server: OdooServer) -> None:
    order(odoo_server, 6, partner_id=False)  # no customer: nothing Odoo can invoice
    order(odoo_server, 7, partner_id=4, amount_total=42.0)  # Bob Stone has no email address
    execution = run(services)

    assert statuses(execution) == {"S00001": "invoiced", "S00002": "invoiced", "S00003": "invoiced",
                                   "S00006": "failed", "S00007": "failed"}
    failed = {r["reference"]: r for r in execution.output["results"] if r["status"] == "failed"}
    assert failed["S00006"]["error"] == "Invoicing.MalformedOrder" and "no customer" in failed["S00006"]["reason"]
    assert failed["S00007"]["error"] == "HTTP422" and '\\"field\\":\\"to\\"' in failed["S00007"]["reason"]
    assert invoices(odoo_server, "S00006") == []
    [bobs] = invoices(odoo_server, "S00007")
    assert bobs["state"] == "posted" and not bobs["is_move_sent"]  # the next run mails it once he has an address
    assert odoo_server.state.records["sale.order"][6]["invoice_status"] == "to invoice"
    summary = to(smtp, ACCOUNTANT)[0]
    assert summary["Subject"] == "Invoicing: 3 invoiced, 2 failed, 0 skipped"
    assert "<td>S00007</td><td>HTTP422</td><td>Invalid request parameters (to: " in html(summary)  # the reason, read

    odoo_server.state.records["res.partner"][4]["email"] = "bob@example.com"
    again = run(services)
    assert statuses(again) == {"S00006": "failed", "S00007": "invoiced"}
    assert len(invoices(odoo_server, "S00007")) == 1
    assert attachments(to(smtp, "bob@example.com")[0]) == {"invoice-S00007.pdf": pdf(bobs["id"])}


def test_the_mail_server_refusing_for_now_is_retried_then_recorded(
        monkeypatch: pytest.MonkeyPatch, cert: Any, odoo_env: OdooServer) -> None:
    from .conftest import USERS

    busy = SmtpServer(cert.server_context(), users=USERS, refuse={"deco@example.com": "451 4.3.0 Try again later"})
    try:
        monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
        monkeypatch.setenv("MAIL_PORT", str(busy.port))
        monkeypatch.setenv("MAIL_LOGIN", "shop")
        monkeypatch.setenv("MAIL_PASSWORD", USERS["shop"])
        monkeypatch.setenv("MAIL_CA_FILE", str(cert.cert_file))
        services = [OdooService("odoo"), JinjaService("jinja"), MailService("mail")]
        execution = run(services, backoff=Backoff(interval=1, attempts=2))
    finally:
        busy.stop()
    assert statuses(execution) == {"S00001": "invoiced", "S00002": "failed", "S00003": "invoiced"}
    [failed] = [r for r in execution.output["results"] if r["status"] == "failed"]
    assert failed["error"] == "HTTP503" and "Try again later" in failed["reason"]
    assert len(attempts(execution.history, "Mail invoice")) == 3 + 2  # two sent first time, one tried thrice
    [invoice] = invoices(odoo_env, "S00002")
    assert invoice["state"] == "posted" and not invoice["is_move_sent"]


def test_when_odoo_cannot_give_the_orders_the_accountant_is_told_and_the_run_fails(
        services: list[Any], smtp: SmtpServer, odoo_server: OdooServer, monkeypatch: pytest.MonkeyPatch) -> None:
    odoo_server.go_down()
    wf = invoicing_workflow(*services, accountant=ACCOUNTANT, backoff=Backoff(interval=1, attempts=1))
    down = wf.run_local({}, services=services, clock=morning())
    assert (down.status, down.error) == ("FAILED", "HTTP502")
    assert len(attempts(down.history, "Orders to invoice")) == 2
    [told] = to(smtp, ACCOUNTANT)
    assert told["Subject"] == "Invoicing did not run: Odoo did not give the orders"
    assert "answered HTTP 502" in told.get_content()

    odoo_server.come_back()
    monkeypatch.delenv("ODOO_URL")  # not configured: said at once, not retried
    unset = wf.run_local({}, services=services, clock=morning())
    assert (unset.status, unset.error) == ("FAILED", "HTTP500")
    assert len(attempts(unset.history, "Orders to invoice")) == 1
    assert "ODOO_URL is not set" in to(smtp, ACCOUNTANT)[-1].get_content()
    assert all(not invoices(odoo_server, reference) for reference in CUSTOMERS)


def test_the_workflow_is_valid_scheduled_and_bounded() -> None:
    from business.invoicing import workflow

    definition = workflow.validate().to_asl()
    assert workflow.triggers == ("cron(0 6 * * ? *)",)
    assert definition["States"]["Each order"]["MaxConcurrency"] == 4
    assert definition["States"]["Orders to invoice"]["Parameters"]["Payload"]["body"]["limit"] == 200
    by_hand = invoicing_workflow(*_services(), accountant=ACCOUNTANT, schedule=None)
    assert by_hand.triggers == ()
    retries = {name: state.retries[0].fields["ErrorEquals"] for name, state in workflow.states.items()
               if state.retries}
    for write in ("Create invoice", "Post invoice", "Mail invoice"):  # a timed-out write may have been done
        assert retries[write] == ["HTTP502", "HTTP503"]
    for read in ("Find invoice", "Read invoice", "Print PDF", "Orders to invoice"):
        assert retries[read] == ["HTTP502", "HTTP503", "HTTP504"]


def _services() -> list[Any]:
    return [OdooService("odoo"), JinjaService("jinja"), MailService("mail")]
