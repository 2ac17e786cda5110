"""Tasks that call TechMicroService entries: compiled to lambda:invoke of the direct event."""

from __future__ import annotations

from typing import Any

import pytest

from coworks.biz import Choice, Fail, Map, Ref, Succeed, Task, Var, Workflow, WorkflowError
from coworks.biz.engine.clock import SimulatedClock

from .support import Billing, Inventory, types


def test_entry_task_compiles_to_lambda_invoke(inventory: Inventory) -> None:
    task = Task(inventory.get_item, item_id=Ref("$.id"))
    assert task.name == "get_item"
    assert Workflow("w", task).to_asl()["States"]["get_item"] == {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": "inventory",
            "Payload": {"method": "GET", "path.$": "States.Format('/item/{}', $.id)"},
        },
        "ResultSelector": {"body.$": "$.Payload"},
        "End": True,
    }


def test_static_path_query_and_body(inventory: Inventory) -> None:
    get = Task(inventory.get_item, item_id=3, name="Third")
    search = Task(inventory.get_search, q=Ref("$.q"), limit=5)
    post = Task(inventory.post_item, args={"name": Ref("$.name"), "qty": 2}, result_path="$.created")
    states = Workflow("w", get >> search >> post).validate().to_asl()["States"]
    assert states["Third"]["Parameters"]["Payload"] == {"method": "GET", "path": "/item/3"}
    assert states["get_search"]["Parameters"]["Payload"] == {
        "method": "GET",
        "path": "/search",
        "params": {"q.$": "$.q", "limit": 5},
    }
    assert states["post_item"]["Parameters"]["Payload"] == {
        "method": "POST",
        "path": "/item",
        "body": {"name.$": "$.name", "qty": 2},
    }
    assert states["post_item"]["ResultPath"] == "$.created"


def test_entry_mistakes_are_explained(inventory: Inventory) -> None:
    with pytest.raises(WorkflowError, match=r"needs item_id=\.\.\.: part of the path /item/\{item_id\}"):
        Task(inventory.get_item)
    with pytest.raises(WorkflowError, match="got colour, which the entry does not take"):
        Task(inventory.get_item, item_id=1, colour="red")
    with pytest.raises(WorkflowError, match="needs a state name or a TechMicroService entry"):
        Task(len)


def test_entry_task_runs_in_process(inventory: Inventory, billing: Billing, clock: SimulatedClock) -> None:
    get = Task(inventory.get_item, item_id=Ref("$.id"), result_path="$.item")
    bill = Task(billing.post_invoice, item=Ref("$.item.body.id"), amount=9.5, result_path="$.invoice")
    ex = Workflow("w", get >> bill).run_local({"id": 3}, services=[inventory, billing], clock=clock)
    assert ex.status == "SUCCEEDED"
    assert ex.output == {
        "id": 3,
        "item": {"body": {"id": 3, "qty": 3}},
        "invoice": {"body": {"item": 3, "amount": 9.5, "status": "sent"}},
    }
    assert inventory.calls == ["get 3"]
    scheduled = [e for e in ex.history if e["type"] == "TaskScheduled"][0]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "lambda" and scheduled["resource"] == "invoke"
    assert '"path":"/item/3"' in scheduled["parameters"]


def test_non_2xx_is_a_catchable_error(inventory: Inventory, clock: SimulatedClock) -> None:
    get = Task(inventory.get_item, item_id=Ref("$.id"), result_path="$.item")
    get.catch(["HTTP404"], Succeed("Missing"), result_path="$.error")
    ex = Workflow("w", get >> Succeed("Found")).run_local({"id": 404}, services={"inventory": inventory}, clock=clock)
    assert ex.status == "SUCCEEDED"
    assert ex.output["error"]["Error"] == "HTTP404"
    assert "no item 404" in ex.output["error"]["Cause"]
    assert "TaskFailed" in types(ex)


def test_uncaught_http_error_fails_the_execution(inventory: Inventory, clock: SimulatedClock) -> None:
    ex = Workflow("w", Task(inventory.get_item, item_id=404)).run_local({}, services=[inventory], clock=clock)
    assert (ex.status, ex.error) == ("FAILED", "HTTP404")


def test_jsonata_workflow_compiles_entries_with_arguments(inventory: Inventory, clock: SimulatedClock) -> None:
    get = Task(inventory.get_item, item_id="{% $states.input.id %}")
    wf = Workflow("w", get, query_language="JSONata")
    state = wf.validate().to_asl()["States"]["get_item"]
    assert state["Arguments"]["Payload"]["path"] == "{% '/item/' & $string($states.input.id) %}"
    assert state["Output"] == "{% $states.result.Payload %}"
    assert "Parameters" not in state and "ResultSelector" not in state
    ex = wf.run_local({"id": 5}, services=[inventory], clock=clock)
    assert ex.output == {"id": 5, "qty": 5}


def test_sample_workflow_with_retry_catch_choice_and_map(
    inventory: Inventory, billing: Billing, clock: SimulatedClock
) -> None:
    """The issue's 'done when' workflow: two services, a Retry, a Catch, a Choice and a Map."""
    fetch = Task(inventory.get_item, item_id=Ref("$.id"), result_path="$.item")
    fetch.retry(["HTTP500"], interval=1, max_attempts=2)
    bill = Task(billing.post_invoice, item=Ref("$.id"), amount=Ref("$.item.body.qty"))
    fetch >> Choice("In stock?").when(Var("$.item.body.qty") > 0, bill).otherwise(Succeed("Skip"))
    each = Map("Each order", fetch, items_path="$.orders", max_concurrency=2, result_path="$.invoices")
    each.catch(["States.ALL"], Fail("Failed", error="OrderFailed"), result_path="$.error")
    wf = Workflow("invoicing", each >> Succeed("Done")).validate()
    orders: dict[str, Any] = {"orders": [{"id": 3}, {"id": 7}, {"id": 8}]}
    ex = wf.run_local(orders, services=[inventory, billing], clock=clock)
    assert ex.status == "SUCCEEDED"
    invoices = ex.output["invoices"]
    assert invoices[0] == {"body": {"item": 3, "amount": 3, "status": "sent"}}
    assert invoices[1] == {"id": 7, "item": {"body": {"id": 7, "qty": 0}}}
    assert invoices[2]["body"]["amount"] == 1
    failing = wf.run_local({"orders": [{"id": 404}]}, services=[inventory, billing], clock=clock)
    assert (failing.status, failing.error) == ("FAILED", "OrderFailed")
    assert "<svg" in wf._repr_svg_()


def test_a_blueprint_entry_is_called_on_the_service_it_is_mounted_on() -> None:
    from coworks import Blueprint, TechMicroService, entry
    from coworks.biz import Task, WorkflowError

    class Mail(Blueprint):
        @entry
        def post_send(self, *, to: str) -> str:
            return to

    class Shop(TechMicroService):
        @entry
        def get(self) -> str:
            return "ok"

    mail = Mail()
    with pytest.raises(WorkflowError, match=r"Task\(Mail.post_send\) calls a blueprint that is not mounted"):
        Task(mail.post_send, to="ann@example.com")
    shop = Shop("shop")
    shop.register_blueprint(mail, "/mail")
    task = Task(mail.post_send, to="ann@example.com")
    parameters = task.to_asl()["Parameters"]
    assert parameters["FunctionName"] == "shop"
    assert parameters["Payload"] == {"method": "POST", "path": "/mail/send", "body": {"to": "ann@example.com"}}


def test_a_keyword_both_the_entry_and_the_state_take_is_refused_until_args_says_which() -> None:
    from coworks import TechMicroService, entry
    from coworks.biz import Task, WorkflowError

    class Shop(TechMicroService):
        @entry
        def post_item(self, *, name: str, output: str = "json") -> dict:
            return {"name": name}

    shop = Shop("shop")
    with pytest.raises(WorkflowError, match=r"name, output is both a parameter of post_item and an option of the"):
        Task(shop.post_item, name="pen", output="csv")
    task = Task(shop.post_item, args={"name": "pen", "output": "csv"}, name="Add pen")
    assert task.name == "Add pen"
    assert task.to_asl()["Parameters"]["Payload"]["body"] == {"name": "pen", "output": "csv"}
    assert Task(shop.post_item, args={"name": "pen"}).name == "post_item"
