"""The sample services of the workflow runbook: a stock that sometimes cannot answer, and billing.

An item's quantity is its id modulo 7; item 404 does not exist and item 503 answers "try later",
so a workflow over a few orders shows a Retry, a Catch, a Choice and a Map at work.
"""

from __future__ import annotations

from coworks import NotFound, TechMicroService, entry


class Stock(TechMicroService):
    """Stock of items."""

    @entry
    def get_item(self, item_id: int) -> dict[str, int]:
        """One item and its quantity."""
        if item_id == 404:
            raise NotFound(f"No item {item_id}.")
        if item_id == 503:
            return {"message": "The stock database is unavailable."}, 503  # type: ignore[return-value]
        return {"id": item_id, "qty": item_id % 7}


class Billing(TechMicroService):
    """Invoices, one per item sold."""

    @entry
    def post_invoice(self, *, item: int, amount: int) -> dict[str, object]:
        """Send an invoice."""
        return {"item": item, "amount": amount, "status": "sent"}


stock = Stock("shop-stock")
billing = Billing("shop-billing")
