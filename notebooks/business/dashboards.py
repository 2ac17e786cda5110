"""Dashboards: every evening, gather the day's figures in parallel, render them as an HTML page
with Jinja (tables and an inline SVG chart), keep the page in S3 under a dated key and mail it.

The figures come from Odoo (sales of the day by customer, open invoices and overdue amounts by
customer, each summed by Odoo's ``read_group``) and from any service entry you add
(``figures={"Stock": (stock.get_item, {"item_id": 3})}``): one Parallel branch each. A source that
fails after its retries does not stop the dashboard: its section says it is unavailable and why.

The page is stored through the ``Archive`` service (``samples/archive.py``: an entry that writes
with boto3), not by a Step Functions ``aws-sdk:s3:putObject`` Task: the local executor runs Lambda
Tasks only, and a deployed workflow's role may invoke its functions and nothing else, so an entry
is what runs the same locally and on AWS.

The day is the execution's (``$$.Execution.StartTime``, UTC), or ``{"day": "2024-03-01"}`` in the
input to redo a past one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from samples.archive import Archive

from business.backoff import NOT_DONE, TRANSIENT, WHY, Backoff
from coworks.biz import Choice, Parallel, Pass, Ref, State, Task, Var, Workflow

OPEN: list[Any] = [["move_type", "=", "out_invoice"], ["state", "=", "posted"],
                   ["payment_state", "in", ["not_paid", "partial"]]]


DASHBOARD_HTML = WHY + """\
<!doctype html>
<html><head><meta charset="utf-8"><title>{{ company }}: {{ day }}</title></head>
<body style="font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 760px">
<h1>{{ company }}: the day of {{ day | date('%d %B %Y') }}</h1>
{%- macro money_table(title, figure, amount, count_label) %}
<h2>{{ title }}</h2>
{%- if 'error' in figure %}
<p class="unavailable" style="color: #b00">Unavailable ({{ figure.error }}): {{ why(figure.cause) }}</p>
{%- elif not figure.rows %}
<p>None.</p>
{%- else %}
<table class="figure" cellpadding="4" style="border-collapse: collapse">
<tr style="background: #eee"><th align="left">Customer</th><th align="right">{{ count_label }}</th>
<th align="right">Amount</th></tr>
{%- for row in figure.rows %}
{%- set customer = row.partner_id[1] if row.partner_id else 'No customer' %}
<tr><td>{{ customer }}</td><td align="right">{{ row.partner_id_count }}</td>
<td align="right">{{ row[amount] | money(currency) }}</td></tr>
{%- endfor %}
<tr><th align="left">Total</th><th align="right">{{ figure.rows | sum(attribute='partner_id_count') }}</th>
<th align="right">{{ figure.rows | sum(attribute=amount) | money(currency) }}</th></tr>
</table>
{%- endif %}
{%- endmacro %}
{{ money_table('Sales of the day', sales, 'amount_total', 'Orders') }}
{%- if 'error' not in sales and sales.rows %}
{%- set top = sales.rows | map(attribute='amount_total') | max %}
<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{{ 28 * sales.rows | length + 10 }}" role="img"
 aria-label="Sales of the day by customer" style="font: 12px Helvetica, Arial, sans-serif">
{%- for row in sales.rows %}
{%- set customer = row.partner_id[1] if row.partner_id else 'No customer' %}
<text x="0" y="{{ 28 * loop.index0 + 22 }}">{{ customer | truncate(24) }}</text>
<rect x="180" y="{{ 28 * loop.index0 + 8 }}" width="{{ '%.1f' | format(340 * row.amount_total / top if top else 0) }}"
 height="20" fill="#4c78a8"/>
<text x="{{ '%.1f' | format(186 + (340 * row.amount_total / top if top else 0)) }}" y="{{ 28 * loop.index0 + 22 }}">
{{- row.amount_total | money(currency) }}</text>
{%- endfor %}
</svg>
{%- endif %}
{{ money_table('Open invoices', open, 'amount_residual', 'Invoices') }}
{{ money_table('Overdue', overdue, 'amount_residual', 'Invoices') }}
{%- for title in titles %}
{%- set figure = extra[loop.index0] %}
<h2>{{ title }}</h2>
{%- if 'error' in figure %}
<p class="unavailable" style="color: #b00">Unavailable ({{ figure.error }}): {{ why(figure.cause) }}</p>
{%- elif figure.value is mapping %}
<table class="figure" cellpadding="4">{% for key, value in figure.value | dictsort %}<tr><th align="left">{{ key }}</th>
<td>{{ value }}</td></tr>{% endfor %}</table>
{%- elif figure.value is iterable and figure.value is not string %}
<ul>{% for item in figure.value %}<li>{{ item }}</li>{% endfor %}</ul>
{%- else %}
<p>{{ figure.value }}</p>
{%- endif %}
{%- endfor %}
</body></html>
"""


def _read_group(odoo: Any, name: str, model: str, domain: Any, amount: str) -> Task:
    return Task(odoo.call, name=name, result_selector={"rows": Ref("$.Payload.result")}, args={
        "model": model, "method": "read_group",
        "args": domain if isinstance(domain, Ref) else [domain, [f"{amount}:sum"], ["partner_id"]],
        "kwargs": {"orderby": f"{amount} desc", "lazy": True}})


def _intrinsic(value: Any) -> str:
    """A constant as intrinsic-function text: 'text', 12, States.Array(...)."""
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} cannot be written inside an intrinsic function; use strings and numbers.")
    if isinstance(value, int | float):
        return repr(value)
    return "States.Array(" + ", ".join(_intrinsic(v) for v in value) + ")"


def _guarded(task: Task, title: str, backoff: Backoff) -> State:
    """A figure's branch: retried, and when it still fails, a section that says why."""
    unavailable = Pass(f"{title}: unavailable", parameters={"error": Ref("$.error.Error"),
                                                            "cause": Ref("$.error.Cause")})
    return backoff.apply(task, TRANSIENT).catch(["States.ALL"], unavailable, result_path="$.error")


def dashboards_workflow(
    odoo: Any,
    jinja: Any,
    mail: Any,
    archive: Any,
    *,
    recipients: str | Sequence[str],
    sender: str | None = None,
    figures: Mapping[str, Any] | None = None,
    name: str = "dashboards",
    schedule: str | None = "cron(0 19 * * ? *)",
    backoff: Backoff | None = None,
    company: str = "Coworks Shop",
    currency: str = "EUR",
    template: str = DASHBOARD_HTML,
) -> Workflow:
    """The dashboards workflow over the Odoo, Jinja, Mail and Archive services.

    ``figures``: more Parallel branches, title -> a service entry or ``(entry, {arguments})``; the
    dashboard shows what the entry answers (a table for an object, a list, or the value).
    """
    backoff = backoff or Backoff()
    extra = dict(figures or {})
    day = "$.when.day"
    sales_domain = ("States.Array(States.Array('state', 'in', States.Array('sale', 'done')), "
                    f"States.Array('date_order', '>=', States.Format('{{}} 00:00:00', {day})), "
                    f"States.Array('date_order', '<=', States.Format('{{}} 23:59:59', {day})))")
    overdue_domain = ("States.Array(" + ", ".join(_intrinsic(leaf) for leaf in OPEN)
                      + f", States.Array('invoice_date_due', '<', {day}))")
    sales = _read_group(odoo, "Sales of the day", "sale.order", Ref(
        f"States.Array({sales_domain}, States.Array('amount_total:sum'), States.Array('partner_id'))"), "amount_total")
    open_invoices = _read_group(odoo, "Open invoices", "account.move", OPEN, "amount_residual")
    overdue = _read_group(odoo, "Overdue amounts", "account.move", Ref(
        f"States.Array({overdue_domain}, States.Array('amount_residual:sum'), States.Array('partner_id'))"),
        "amount_residual")
    branches: list[Any] = [_guarded(sales, "Sales", backoff), _guarded(open_invoices, "Open invoices", backoff),
                             _guarded(overdue, "Overdue", backoff)]
    for title, spec in extra.items():
        target, arguments = spec if isinstance(spec, tuple) else (spec, {})
        task = Task(target, name=title, result_selector={"value": Ref("$.Payload")}, args=dict(arguments))
        branches.append(_guarded(task, title, backoff))
    gather = Parallel("Gather figures", branches, result_path="$.figures", result_selector={
        "sales": Ref("$[0]"), "open": Ref("$[1]"), "overdue": Ref("$[2]"), "extra": Ref("$[3:]")})

    given = Pass("Given day", parameters={"day": Ref("$.day")}, result_path="$.when")
    today = Pass("Today", parameters={
        "day": Ref("States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)")}, result_path="$.when")
    which = Choice("Which day?").when(Var("$.day").is_present(), given).otherwise(today)
    given >> gather
    today >> gather
    render = backoff.apply(Task(jinja.render, name="Render dashboard", result_path="$.html", args={
        "template": template, "output": "html", "context": {
            "day": Ref(day), "company": company, "currency": currency, "sales": Ref("$.figures.sales"),
            "open": Ref("$.figures.open"), "overdue": Ref("$.figures.overdue"), "extra": Ref("$.figures.extra"),
            "titles": list(extra)}}), TRANSIENT)
    store = backoff.apply(Task(archive.put_dashboard, name="Store dashboard", day=Ref(day), html=Ref("$.html.body"),
                               result_path="$.stored"), TRANSIENT)
    sender_args: dict[str, Any] = {"from_addr": sender} if sender else {}
    send = backoff.apply(Task(
        mail.send, name="Mail dashboard", to=[recipients] if isinstance(recipients, str) else list(recipients),
        subject=Ref(f"States.Format('{_escaped(company)}: the day of {{}}', {day})"), html=Ref("$.html.body"),
        attachments=[{"filename": Ref(f"States.Format('dashboard-{{}}.html', {day})"),
                      "content": Ref("States.Base64Encode($.html.body)"), "content_type": "text/html"}],
        result_path="$.mailed", **sender_args), NOT_DONE)
    report = Pass("Report", parameters={
        "day": Ref(day), "stored": Ref("$.stored.body"), "mailed": Ref("$.mailed.body.recipients"),
        "unavailable": Ref("$.figures..error")})
    gather >> render >> store >> send >> report
    return Workflow(name, which, comment="The day's figures from Odoo and your services, as a page mailed and kept.",
                    triggers=[schedule] if schedule else [])


def _escaped(text: str) -> str:
    """Text inside an intrinsic function's string: quotes, braces and backslashes escaped."""
    for char in "\\'{}":
        text = text.replace(char, "\\" + char)
    return text


def _services() -> tuple[Any, Any, Any, Archive]:
    from coworks_jinja import JinjaService
    from coworks_mail import MailService
    from coworks_odoo import OdooService

    return OdooService("odoo"), JinjaService("jinja"), MailService("mail"), Archive("archive")


odoo, jinja, mail, archive = _services()
#: The workflow over the four services deployed as odoo, jinja, mail and archive.
workflow = dashboards_workflow(odoo, jinja, mail, archive, recipients="team@example.com")
