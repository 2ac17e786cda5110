"""Sample service for the workflow tests: invoices (deployed as ``wf-invoicing``)."""

from coworks import TechMicroService, entry


class Invoicing(TechMicroService):
    """Invoices: one per item sold."""

    @entry
    def post_invoice(self, *, item: int, amount: int):
        return {"item": item, "amount": amount, "status": "sent"}


app = Invoicing("wf-invoicing")
