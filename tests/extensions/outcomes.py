"""What the business workflows' tests read: the mails the SMTP server received, the invoices
Odoo holds, and the attempts an execution made at a state."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from coworks.biz import SimulatedClock

from .odooserver import PDF, OdooServer
from .smtpserver import SmtpServer


def morning() -> SimulatedClock:
    """The clock of a run that starts on 2024-03-01 at 06:00 UTC (the server's today)."""
    return SimulatedClock(datetime(2024, 3, 1, 6, tzinfo=UTC))


def mails(smtp: SmtpServer) -> list[EmailMessage]:
    """Every message the server received, parsed."""
    return [email.message_from_bytes(r.content, policy=email.policy.default)  # type: ignore[misc]
            for r in smtp.received]


def to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [m for m, r in zip(mails(smtp), smtp.received, strict=True) if address in r.rcpt_tos]


def attachments(message: EmailMessage) -> dict[str, bytes]:
    """Each attachment's bytes, decoded from its transfer encoding, by file name."""
    return {part.get_filename() or "": bytes(part.get_payload(decode=True))  # type: ignore[arg-type]
            for part in message.iter_attachments()}


def html(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None, "the message has no HTML part"
    return str(body.get_content()).replace("\r\n", "\n")  # as sent: SMTP carries CRLF line ends


def invoices(odoo: OdooServer, reference: str) -> list[dict[str, Any]]:
    """The customer invoices Odoo holds for an order reference."""
    return [m for m in odoo.state.records["account.move"].values()
            if m["invoice_origin"] == reference and m["move_type"] == "out_invoice"]


def pdf(invoice_id: int) -> bytes:
    """The bytes of the server's invoice report for one invoice."""
    return PDF + f"% invoices {invoice_id}\n%%EOF".encode()


def attempts(history: list[dict[str, Any]], state: str) -> list[datetime]:
    """When each attempt of the Task ``state`` was scheduled, retries included (found through the
    events' previousEventId chains, so concurrent branches cannot mix them up)."""
    by_id = {e["id"]: e for e in history}
    found = []
    for event in history:
        if event["type"] != "TaskScheduled":
            continue
        previous = by_id.get(event["previousEventId"])
        while previous is not None and not previous["type"].endswith("StateEntered"):
            previous = by_id.get(previous["previousEventId"])
        if previous is not None and previous["stateEnteredEventDetails"]["name"] == state:
            found.append(event["timestamp"])
    return found


def order(odoo: OdooServer, record_id: int, **values: Any) -> dict[str, Any]:
    """Add a sale order to invoice (or change one), as a salesperson would in Odoo."""
    orders = odoo.state.records["sale.order"]
    base = orders.get(record_id) or {"id": record_id, "name": f"S{record_id:05d}", "partner_id": 3,
                                     "date_order": "2024-03-01 11:00:00", "amount_total": 10.0, "state": "sale",
                                     "invoice_status": "to invoice", "client_order_ref": False}
    orders[record_id] = {**base, **values}
    return orders[record_id]
