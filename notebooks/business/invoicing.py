"""Invoicing: every morning, and whenever started by hand, invoice the sale orders Odoo has to invoice.

For each order (a Map, a few at a time): find its invoice by the order's reference or create it in
Odoo, post it, read it with its lines, its customer and the PDF of Odoo's invoice report, render
the mail with Jinja, mail it to the customer with the PDF attached, note in Odoo that it was sent,
and mark the order invoiced. Then mail the accountant a summary: invoiced, failed, skipped.

Idempotent by order reference, from Odoo's own state: an order is listed only while it is to
invoice; its invoice is looked up by ``invoice_origin`` before one is created, and reused (posted
if still a draft, mailed if not yet ``is_move_sent``); one already sent is *skipped*, its order
marked. A run that stopped anywhere is finished by the next one, and no order is invoiced twice
by runs one after the other (two runs at the same moment could both create: don't start one by
hand while the scheduled one runs).

Retries: Odoo's or the mail server's transient errors (``HTTP502`` down, ``HTTP503`` refusing
for now, ``HTTP504`` too slow) are retried with exponential backoff, except where a retry could
do a thing twice: a create, a post or a mail that timed out (504) may have been done, so it is
not retried; the order is recorded as failed and the next run finds what was done. Every failure
is caught and recorded with its reason; the run goes on with the other orders.

    from coworks_jinja import JinjaService
    from coworks_mail import MailService
    from coworks_odoo import OdooService

    wf = invoicing_workflow(OdooService("odoo"), JinjaService("jinja"), MailService("mail"),
                            accountant="accounting@example.com")
    wf.run_local({}, services=[odoo, jinja, mail])    # or deploy the three and the workflow

Odoo computes a sale order's ``invoice_status`` from the invoice lines linked to its order lines.
This workflow invoices an order as a whole, one line for its total, so it marks the order itself
(``mark``); with a real Odoo, point ``orders`` and ``mark`` at a field of yours, like
``x_invoiced``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from business.backoff import NOT_DONE, TRANSIENT, WHY, Backoff
from coworks.biz import And, Choice, Fail, Map, Not, Parallel, Pass, Ref, State, Task, Var, Workflow

TO_INVOICE: list[Any] = [["state", "=", "sale"], ["invoice_status", "=", "to invoice"]]
INVOICED: dict[str, Any] = {"invoice_status": "invoiced"}
ORDER_FIELDS = ["name", "partner_id", "amount_total", "date_order", "client_order_ref"]
INVOICE_FIELDS = ["name", "invoice_date", "invoice_date_due", "amount_total", "invoice_origin", "ref"]


INVOICE_HTML = """\
<!doctype html>
<html><body style="font-family: Helvetica, Arial, sans-serif; color: #222">
<h2>{{ company }}</h2>
<p>Dear {{ customer.name }},</p>
<p>Please find attached our invoice <strong>{{ invoice.name }}</strong> for your order {{ order.name }}
{%- if invoice.ref %} (your reference {{ invoice.ref }}){% endif %}.</p>
<table style="border-collapse: collapse" cellpadding="6">
<thead><tr style="background: #eee"><th align="left">Description</th><th align="right">Quantity</th>
<th align="right">Unit price</th><th align="right">Amount</th></tr></thead>
<tbody>
{%- for line in lines %}
<tr><td>{{ line.name }}</td><td align="right">{{ '%g' | format(line.quantity) }}</td>
<td align="right">{{ line.price_unit | money(currency) }}</td>
<td align="right">{{ line.price_subtotal | money(currency) }}</td></tr>
{%- endfor %}
</tbody>
<tfoot><tr><th align="left" colspan="3">Total</th><th align="right">{{ invoice.amount_total | money(currency) }}</th>
</tr></tfoot>
</table>
<p>Invoice date {{ invoice.invoice_date | date('%d %B %Y') }},
due by {{ invoice.invoice_date_due | date('%d %B %Y') }}.</p>
<p>Thank you for your business.</p>
</body></html>
"""

SUMMARY_HTML = WHY + """\
<!doctype html>
<html><body style="font-family: Helvetica, Arial, sans-serif; color: #222">
<h2>Invoicing run {{ execution }}</h2>
<p>Started {{ started | datetime('%d/%m/%Y %H:%M UTC') }}:
<strong>{{ counts.invoiced }} invoiced</strong>, <strong>{{ counts.failed }} failed</strong>,
{{ counts.skipped }} skipped (invoiced and mailed before).</p>
{% if summary.failed %}<h3>Failed: to look at</h3>
<table cellpadding="4"><tr><th align="left">Order</th><th align="left">Error</th><th align="left">Reason</th></tr>
{%- for f in summary.failed %}
<tr><td>{{ f.reference }}</td><td>{{ f.error }}</td><td>{{ why(f.reason) }}</td></tr>
{%- endfor %}
</table>{% endif %}
{% if summary.invoiced %}<h3>Invoiced</h3>
<table cellpadding="4"><tr><th align="left">Order</th><th align="left">Invoice</th><th align="left">Customer</th>
<th align="right">Total</th></tr>
{%- for i in summary.invoiced %}
<tr><td>{{ i.reference }}</td><td>{{ i.invoice }}</td><td>{{ i.customer }}</td>
<td align="right">{{ i.amount | money(currency) }}</td></tr>
{%- endfor %}
</table>{% endif %}
{% if summary.skipped %}<h3>Skipped</h3>
<p>{{ summary.skipped | map(attribute='reference') | join(', ') }}</p>{% endif %}
<p>The next run retries the failed orders; none is invoiced twice.</p>
</body></html>
"""

FAILED_RUN_TEXT = WHY + """\
The invoicing run {{ execution }} could not read the orders to invoice from Odoo, so nothing was invoiced.

{{ error }}: {{ why(cause) }}

It runs again at its next schedule; start it by hand once Odoo answers.
"""


def _domain_of_order() -> Ref:
    return Ref("States.Array(States.Array('invoice_origin', '=', $.order.name), "
               "States.Array('move_type', '=', 'out_invoice'), States.Array('state', '!=', 'cancel'))")


def invoicing_workflow(
    odoo: Any,
    jinja: Any,
    mail: Any,
    *,
    accountant: str | Sequence[str],
    sender: str | None = None,
    name: str = "invoicing",
    schedule: str | None = "cron(0 6 * * ? *)",
    max_concurrency: int = 4,
    batch: int = 200,
    backoff: Backoff | None = None,
    orders: Sequence[Any] = TO_INVOICE,
    mark: Mapping[str, Any] = INVOICED,
    company: str = "Coworks Shop",
    currency: str = "EUR",
    invoice_template: str = INVOICE_HTML,
    summary_template: str = SUMMARY_HTML,
) -> Workflow:
    """The invoicing workflow over the Odoo, Jinja and Mail services (or blueprints mounted in yours).

    ``schedule``: when it runs by itself (UTC; None for by hand only); ``batch``: the most orders a
    run takes (the rest wait for the next one); ``orders``: the Odoo domain of the orders to invoice
    and ``mark``: the values that take an order out of it once invoiced.
    """
    backoff = backoff or Backoff()
    sender_args: dict[str, Any] = {"from_addr": sender} if sender else {}

    def failure(catching: State) -> State:
        return catching.catch(["States.ALL"], record_failure, result_path="$.error")

    record_failure = Pass("Record failure", parameters={
        "reference": Ref("$.order.name"), "order_id": Ref("$.order.id"), "status": "failed",
        "error": Ref("$.error.Error"), "reason": Ref("$.error.Cause")})
    malformed = Pass("Malformed order", parameters={
        "reference": Ref("$.order.name"), "order_id": Ref("$.order.id"), "status": "failed",
        "error": "Invoicing.MalformedOrder",
        "reason": "The order has no customer, reference or total that Odoo can invoice."})

    find = failure(backoff.apply(Task(
        odoo.search, name="Find invoice", model="account.move", domain=_domain_of_order(),
        fields=["name", "state", "is_move_sent"], order="id asc", limit=1, result_path="$.found"), TRANSIENT))
    existing = Pass("Existing invoice", parameters={
        "id": Ref("$.found.body.records[0].id"), "state": Ref("$.found.body.records[0].state"),
        "sent": Ref("$.found.body.records[0].is_move_sent"), "name": Ref("$.found.body.records[0].name")},
        result_path="$.invoice")
    create = failure(backoff.apply(Task(
        odoo.post_record, name="Create invoice", model="account.move", values={
            "move_type": "out_invoice", "partner_id": Ref("$.order.partner_id[0]"),
            "invoice_origin": Ref("$.order.name"), "ref": Ref("$.order.client_order_ref"),
            "invoice_line_ids": [[0, 0, {"name": Ref("States.Format('Order {}', $.order.name)"), "quantity": 1,
                                         "price_unit": Ref("$.order.amount_total")}]]},
        result_selector={"id": Ref("$.Payload.id"), "state": "draft", "sent": False, "name": "/"},
        result_path="$.invoice"), NOT_DONE))
    post = failure(backoff.apply(Task(  # args= holds the entry's arguments, its own args among them
        odoo.call, name="Post invoice", result_path=None, args={
            "model": "account.move", "method": "action_post", "args": Ref("States.Array(States.Array($.invoice.id))")}),
        NOT_DONE))
    already_sent = Pass("Already sent", parameters={
        "reference": Ref("$.order.name"), "order_id": Ref("$.order.id"), "status": "skipped",
        "invoice": Ref("$.invoice.name"), "reason": "invoiced and mailed before"}, result_path="$.outcome")

    read_invoice = backoff.apply(Task(odoo.get_record, name="Read invoice", model="account.move",
                                      record_id=Ref("$.invoice.id"), fields=INVOICE_FIELDS), TRANSIENT)
    read_lines = backoff.apply(Task(
        odoo.search, name="Read lines", model="account.move.line",
        domain=Ref("States.Array(States.Array('move_id', '=', $.invoice.id))"),
        fields=["name", "quantity", "price_unit", "price_subtotal"], order="id asc", limit=500), TRANSIENT)
    read_customer = backoff.apply(Task(odoo.get_record, name="Read customer", model="res.partner",
                                       record_id=Ref("$.order.partner_id[0]"), fields=["name", "email"]), TRANSIENT)
    print_pdf = backoff.apply(Task(odoo.get_report, name="Print PDF", report_name="account.report_invoice",
                                   ids=Ref("$.invoice.id")), TRANSIENT)
    gather = failure(Parallel("Gather the invoice", [read_invoice, read_lines, read_customer, print_pdf],
                              result_selector={"invoice": Ref("$[0].body"), "lines": Ref("$[1].body.records"),
                                               "customer": Ref("$[2].body"), "pdf": Ref("$[3].body")},
                              result_path="$.doc"))
    render = failure(backoff.apply(Task(  # output= would be the state's JSONata Output: the entry's goes in args=
        jinja.render, name="Render invoice", result_path="$.html", args={
            "template": invoice_template, "output": "html",
            "context": {"invoice": Ref("$.doc.invoice"), "lines": Ref("$.doc.lines"),
                        "customer": Ref("$.doc.customer"), "order": Ref("$.order"), "company": company,
                        "currency": currency}}), TRANSIENT))
    send = failure(backoff.apply(Task(
        mail.send, name="Mail invoice", to=Ref("$.doc.customer.email"),
        subject=Ref("States.Format('Invoice {} for your order {}', $.doc.invoice.name, $.order.name)"),
        html=Ref("$.html.body"), attachments=[{
            "filename": Ref("States.Format('invoice-{}.pdf', $.order.name)"), "content": Ref("$.doc.pdf"),
            "content_type": "application/pdf"}], result_path="$.mailed", **sender_args), NOT_DONE))
    mark_sent = failure(backoff.apply(Task(
        odoo.put_record, name="Note it was sent", model="account.move", record_id=Ref("$.invoice.id"),
        values={"is_move_sent": True}, result_path=None), TRANSIENT))
    invoiced = Pass("Invoiced", parameters={
        "reference": Ref("$.order.name"), "order_id": Ref("$.order.id"), "status": "invoiced",
        "invoice": Ref("$.doc.invoice.name"), "amount": Ref("$.doc.invoice.amount_total"),
        "customer": Ref("$.doc.customer.name")}, result_path="$.outcome")
    mark_order = failure(backoff.apply(Task(
        odoo.put_record, name="Mark order invoiced", model="sale.order", record_id=Ref("$.order.id"),
        values=dict(mark), result_path=None, output_path="$.outcome"), TRANSIENT))

    find >> Choice("Invoiced before?").when(Var("$.found.body.records[0]").is_present(), existing) \
        .otherwise(create)
    sent = Choice("Sent?")
    posted = Choice("Posted?").when(Var("$.invoice.state") == "posted", sent).otherwise(post)
    existing >> posted
    create >> posted
    post >> sent
    sent.when(Var("$.invoice.sent") == True, already_sent).otherwise(gather)  # noqa: E712 - builds a rule
    gather >> render >> send >> mark_sent >> invoiced >> mark_order
    already_sent >> mark_order
    well_formed = Choice("Well-formed order?") \
        .when(Not(Var("$.order.partner_id[0]").is_present()), malformed) \
        .when(And(Var("$.order.name").is_string(), Var("$.order.amount_total").is_numeric()), find) \
        .otherwise(malformed)
    each = Map("Each order", well_formed, items_path="$.orders.body.records",
               item_selector={"order": Ref("$$.Map.Item.Value")}, max_concurrency=max_concurrency,
               result_path="$.results")

    to_invoice = backoff.apply(Task(odoo.search, name="Orders to invoice", model="sale.order", domain=list(orders),
                                    fields=ORDER_FIELDS, order="name asc", limit=batch, result_path="$.orders"),
                               TRANSIENT)
    failed_run = backoff.apply(Task(
        mail.send, name="Tell the accountant", to=_recipients(accountant),
        subject="Invoicing did not run: Odoo did not give the orders", text_template=FAILED_RUN_TEXT,
        data={"execution": Ref("$$.Execution.Name"), "error": Ref("$.error.Error"), "cause": Ref("$.error.Cause")},
        result_path=None, **sender_args), NOT_DONE)
    to_invoice.catch(["States.ALL"], failed_run, result_path="$.error")
    failed_run >> Fail("No orders", error_path="$.error.Error", cause_path="$.error.Cause")

    summarize = Pass("Summarize", parameters={
        status: Ref(f"$.results[?(@.status == '{status}')]") for status in ("invoiced", "failed", "skipped")},
        result_path="$.summary")
    count = Pass("Count", parameters={
        status: Ref(f"States.ArrayLength($.summary.{status})") for status in ("invoiced", "failed", "skipped")},
        result_path="$.counts")
    summary_mail = backoff.apply(Task(
        mail.send, name="Mail the summary", to=_recipients(accountant),
        subject=Ref("States.Format('Invoicing: {} invoiced, {} failed, {} skipped', "
                    "$.counts.invoiced, $.counts.failed, $.counts.skipped)"),
        html_template=summary_template,
        data={"counts": Ref("$.counts"), "summary": Ref("$.summary"), "currency": currency,
              "execution": Ref("$$.Execution.Name"), "started": Ref("$$.Execution.StartTime")},
        result_path=None, **sender_args), NOT_DONE)
    report = Pass("Report", parameters={
        "invoiced": Ref("$.counts.invoiced"), "failed": Ref("$.counts.failed"), "skipped": Ref("$.counts.skipped"),
        "results": Ref("$.results")})
    to_invoice >> each >> summarize >> count >> summary_mail >> report
    return Workflow(name, to_invoice, comment="Invoice the sale orders to invoice, mail each invoice, sum up.",
                    triggers=[schedule] if schedule else [])


def _recipients(who: str | Sequence[str]) -> list[str]:
    return [who] if isinstance(who, str) else list(who)


def _services() -> tuple[Any, Any, Any]:
    from coworks_jinja import JinjaService
    from coworks_mail import MailService
    from coworks_odoo import OdooService

    return OdooService("odoo"), JinjaService("jinja"), MailService("mail")


odoo, jinja, mail = _services()
#: The workflow over the three services deployed as odoo, jinja and mail: ``cws graph business.invoicing:workflow``.
workflow = invoicing_workflow(odoo, jinja, mail, accountant="accounting@example.com")
