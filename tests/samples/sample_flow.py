"""The issue's sample workflow: for each order (a Map), fetch the item from the inventory (with a
Retry on 503, then a Catch that marks it backordered), and a Choice invoices it when in stock."""

from sample_inventory import app as inventory
from sample_invoicing import app as invoicing

from coworks.biz import Choice, Map, Pass, Ref, Succeed, Task, Var, Workflow

fetch = Task(inventory.get_item, item_id=Ref("$.id"), result_path="$.item")
fetch.retry(["HTTP503"], interval=1, max_attempts=1, backoff_rate=1.0)
# Only the error's name is kept: its cause holds a stack trace, which differs between runs.
backorder = Pass("Backorder", parameters={"id.$": "$.id", "error.$": "$.error.Error", "status": "backorder"})
fetch.catch(["States.ALL"], backorder, result_path="$.error")
bill = Task(invoicing.post_invoice, item=Ref("$.id"), amount=Ref("$.item.body.qty"), result_path="$.invoice")
fetch >> Choice("In stock?").when(Var("$.item.body.qty") > 0, bill).otherwise(Pass("Out of stock"))
# One order at a time: the history is then in the same order on every run, local or deployed.
each = Map("Each order", fetch, items_path="$.orders", max_concurrency=1, result_path="$.orders")

flow = Workflow("wf-orders", each >> Succeed("Done"), comment="Invoice the orders that are in stock.")
