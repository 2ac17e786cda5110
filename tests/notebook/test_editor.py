"""The workflow editor driven without a browser: every button is a method, and what the browser
shows is plain fields. The same actions arrive as the browser's messages; a deploy goes to moto."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from coworks.biz import Choice, Fail, Ref, Succeed, Task, Var, Workflow
from coworks.biz.graph import svg_id
from coworks.errors import CoworksError
from coworks.notebook import WorkflowEditor
from tests.biz.support import Billing, Inventory


@pytest.fixture
def services() -> list[Any]:
    return [Inventory(), Billing()]


def build(editor: WorkflowEditor) -> None:
    """The three steps of the browser test: a task, a choice, two endings."""
    editor.add_entry("inventory.get_item")
    editor.set_argument("get_item", "item_id", "$.id", mode="ref")
    editor.set_field("get_item", "result_path", "$.item")
    editor.add("succeed", "In stock", after="get_item")
    editor.add("fail", "Out of stock", after="In stock")
    editor.add("choice", "Enough?", after="get_item")
    editor.set_choice("Enough?", 0, {"path": "$.item.body.qty", "op": ">", "value": "0", "kind": "number"}, "In stock")
    editor.connect("Enough?", "Out of stock", "otherwise")


def expected(inventory: Inventory) -> Workflow:
    """The same workflow, built in Python."""
    fetch = Task(inventory.get_item, item_id=Ref("$.id"), result_path="$.item")
    fetch >> Choice("Enough?").when(Var("$.item.body.qty") > 0, Succeed("In stock")).otherwise(Fail("Out of stock"))
    return Workflow("orders", fetch)


def test_the_palette_lists_entries_with_typed_parameters_and_the_other_kinds(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services)
    entries = {e["call"]: e for e in editor.palette if e["kind"] == "task"}
    assert set(entries) == {"inventory.get_item", "inventory.post_item", "inventory.get_search",
                            "billing.post_invoice"}
    post = entries["inventory.post_item"]
    assert post["route"] == "POST /item" and post["summary"] == ""
    assert [(p["name"], p["type"], p["required"], p["default"]) for p in post["params"]] == [
        ("name", "string", True, None), ("qty", "integer", False, 0)]
    assert entries["inventory.get_item"]["params"][0]["in"] == "path"
    kinds = [e["kind"] for e in editor.palette if e["kind"] not in ("task", "service")]
    assert kinds == ["choice", "parallel", "map", "wait", "pass", "succeed", "fail"]


def test_a_workflow_is_built_by_the_buttons_methods_and_is_the_python_one(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services, name="orders")
    build(editor)
    assert editor.problems == {}
    assert editor.names == ["get_item", "Enough?", "In stock", "Out of stock"]
    assert editor.draft.workflow().to_asl() == expected(services[0]).to_asl()


def test_validation_marks_a_state_then_clears_the_mark(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services)
    editor.add_entry("inventory.get_item")
    assert "needs item_id" in editor.problems["get_item"][0]
    assert "needs item_id" in editor.view.marks["get_item"] and editor.form["problems"]
    editor.set_argument("get_item", "item_id", "$.id", mode="ref")
    assert editor.problems == {} and editor.view.marks == {}
    editor.add("choice")  # a choice with no rule is invalid too
    assert "Choice" in editor.view.marks


def test_the_form_says_the_entry_s_parameters_and_values(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services)
    editor.add_entry("inventory.post_item")
    editor.set_argument("post_item", "name", "pen")
    editor.set_argument("post_item", "qty", "4")  # text from the form, converted to the parameter's type
    params = {p["name"]: p for p in editor.form["call"]["params"]}
    assert params["name"]["mode"] == "value" and params["name"]["value"] == "pen"
    assert editor.draft.item("post_item")["with"]["qty"] == 4
    with pytest.raises(CoworksError, match="qty takes a whole number"):
        editor.set_argument("post_item", "qty", "four")
    with pytest.raises(CoworksError, match="starts like a reference"):
        editor.set_argument("post_item", "name", "$5 off")
    with pytest.raises(CoworksError, match="path that starts with \\$"):
        editor.set_argument("post_item", "name", "id", mode="ref")


def test_connect_move_rename_remove_undo_and_redo(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services, name="orders")
    build(editor)
    editor.rename("In stock", "Shipped")
    asl = editor.draft.workflow().to_asl()
    assert asl["States"]["Enough?"]["Choices"][0]["Next"] == "Shipped" and "Shipped" in asl["States"]
    editor.move("Out of stock", -1)
    assert editor.names == ["get_item", "Enough?", "Out of stock", "Shipped"]
    editor.remove("Shipped")
    assert any("Shipped" in m for m in editor.problems["Enough?"])  # the link left is marked
    editor.undo()
    editor.undo()
    editor.undo()
    assert editor.names == ["get_item", "Enough?", "In stock", "Out of stock"] and editor.can_redo
    assert editor.draft.workflow().to_asl() == expected(services[0]).to_asl()
    editor.redo()
    assert "Shipped" in editor.names and editor.can_undo


def test_retry_and_catch_from_the_small_forms(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services, name="orders")
    build(editor)
    editor.set_retry("get_item", 0, "HTTP503, States.Timeout", interval="2", attempts="3", backoff="2")
    editor.set_catch("get_item", 0, "States.ALL", "Out of stock", "$.error")
    state = editor.draft.workflow().to_asl()["States"]["get_item"]
    assert state["Retry"] == [{"ErrorEquals": ["HTTP503", "States.Timeout"], "IntervalSeconds": 2,
                               "MaxAttempts": 3, "BackoffRate": 2}]
    assert state["Catch"] == [{"ErrorEquals": ["States.ALL"], "Next": "Out of stock", "ResultPath": "$.error"}]
    editor.select("get_item")
    assert editor.form["retry"][0]["errors"] == "HTTP503, States.Timeout"
    editor.remove_retry("get_item", 0)  # (the form is the selected state's)
    assert "Retry" not in editor.draft.workflow().to_asl()["States"]["get_item"]


def test_save_writes_yaml_that_loads_to_the_same_asl_and_reopens(services: list[Any], tmp_path: Path) -> None:
    editor = WorkflowEditor(services=services, name="orders")
    build(editor)
    path = editor.save(str(tmp_path / "orders.yaml"))
    assert Workflow.from_yaml(path).to_asl() == expected(services[0]).to_asl()
    path.write_text("# Orders, as the team wrote them.\n" + path.read_text())
    again = WorkflowEditor(path, services=services)
    again.set_field("get_item", "comment", "what is in stock")
    again.save()
    assert again.file == str(path) and path.read_text().startswith("# Orders, as the team wrote them.\n")
    assert "comment: what is in stock" in path.read_text()


def test_it_opens_python_asl_and_yaml_workflows(services: list[Any]) -> None:
    wf = expected(services[0])
    for source in (wf, wf.to_asl(), wf.to_yaml(), json.dumps(wf.to_asl())):
        editor = WorkflowEditor(source, services=services, name="orders")
        assert editor.draft.workflow().to_asl() == wf.to_asl()
    assert WorkflowEditor(wf).names == ["get_item", "Enough?", "In stock", "Out of stock"]


def test_yaml_and_python_are_shown_on_demand(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services, name="orders")
    build(editor)
    assert "- task: inventory.get_item" in editor.show_yaml() and editor.shown == "yaml"
    source = editor.show_python()
    namespace: dict[str, Any] = {"inventory": services[0]}
    exec(source, namespace)  # noqa: S102 - the code the editor shows must build the same workflow
    assert namespace["wf"].to_asl() == editor.draft.workflow().to_asl()
    editor.hide()
    assert editor.shown == "" and editor.text == ""


def test_run_recolours_the_graph_with_the_live_view(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services, name="orders", input={"id": 3})
    build(editor)
    execution = editor.run()
    assert execution.status == "SUCCEEDED" and editor.message.startswith("Run succeeded")
    assert editor.view.statuses == {"get_item": "succeeded", "Enough?": "succeeded", "In stock": "succeeded"}
    failed = editor.run({"id": 7})  # qty 0: the Fail ending
    assert failed.status == "FAILED" and editor.view.statuses["Out of stock"] == "failed"


def test_deploy_shows_the_plan_and_applies_only_on_confirm(services: list[Any], aws: Any) -> None:
    for service in services:
        aws.deploy(service, stage="dev").apply()
    editor = WorkflowEditor(services=services, cloud=aws, name="orders")
    assert all(e["deployed"] for e in editor.palette if e["kind"] == "task")
    build(editor)
    plan = editor.deploy()
    assert editor.pending == "deploy" and "state machine" in editor.text and "orders-dev" in str(plan)
    machines = aws.session.client("stepfunctions")
    assert machines.list_state_machines()["stateMachines"] == []  # nothing until confirmed
    arn = editor.confirm()
    assert arn.endswith(":stateMachine:orders-dev") and editor.pending == ""
    assert [m["name"] for m in machines.list_state_machines()["stateMachines"]] == ["orders-dev"]
    with pytest.raises(CoworksError, match="no plan to confirm"):
        editor.confirm()


def test_a_deploy_of_an_invalid_workflow_says_its_problems(services: list[Any], aws: Any) -> None:
    editor = WorkflowEditor(services=services, cloud=aws)
    editor.add("choice")
    with pytest.raises(CoworksError, match="problem"):
        editor.deploy()
    assert WorkflowEditor(services=services).pending == ""


def test_the_browser_s_messages_call_the_same_methods_and_errors_are_one_sentence(services: list[Any]) -> None:
    editor = WorkflowEditor(services=services)
    editor._on_action(editor, {"action": "add_entry", "args": {"call": "inventory.get_item"}}, [])
    assert editor.names == ["get_item"] and editor.selected == "get_item"
    editor._on_action(editor, {"action": "set_argument", "args": {"name": "get_item", "argument": "item_id",
                                                                  "value": "$.id", "mode": "ref"}}, [])
    assert editor.problems == {}
    editor._on_action(editor, {"action": "set_field", "args": {"name": "get_item", "key": "reslt_path",
                                                               "value": "$.x"}}, [])
    assert editor.message_kind == "error" and "did you mean result_path?" in editor.message
    editor._on_action(editor, {"action": "os.system", "args": {}}, [])  # not an action: ignored
    editor.view.selected = "get_item"  # a click on the graph selects the state
    assert editor.form["name"] == "get_item"


def test_an_edit_sends_little_on_a_big_workflow() -> None:
    """A field edit on 300 states: the form and the marks, not the drawing or the states again."""
    states: dict[str, Any] = {}
    for i in range(300):
        following = f"Step {i + 1}" if i < 299 else None
        states[f"Step {i}"] = {"Type": "Pass", **({"Next": following} if following else {"End": True})}
    editor = WorkflowEditor({"StartAt": "Step 0", "States": states}, name="big")
    editor.select("Step 150")
    editor.sent.clear()
    editor.view.sent.clear()
    editor.set_field("Step 150", "result_path", "$.x")
    assert editor.view.sent == [] and sum(editor.sent) < 5 * 1024
    assert editor.draft.workflow().to_asl()["States"]["Step 150"]["ResultPath"] == "$.x"
    editor.rename("Step 150", "Middle")  # a new label: only the groups that changed are sent
    assert 0 < editor.view.sent[-1] < 5 * 1024 and f'id="{svg_id("Middle")}"' in editor.view.svg


def test_a_relayout_sends_moves_for_shapes_that_only_shifted() -> None:
    """What the browser gets after dot moved things: shifts and moves for shapes that only moved,
    SVG for the others; applying it to the old drawing gives the new one."""
    from coworks.notebook.workflowview import _geometry, svg_parts, svg_patch

    states: dict[str, Any] = {}
    for i in range(40):
        following = f"Step {i + 1}" if i < 39 else None
        states[f"Step {i}"] = {"Type": "Pass", **({"Next": following} if following else {"End": True})}
    old = Workflow.from_asl({"StartAt": "Step 0", "States": states}).graph().pipe(format="svg").decode()
    states["Step 20"]["Comment"] = "x"
    states = {"Start here": {"Type": "Pass", "Next": "Step 0"}, **states}  # one more state on top: all move
    new = Workflow.from_asl({"StartAt": "Start here", "States": states}).graph().pipe(format="svg").decode()
    patch = svg_patch(old, new)
    assert patch is not None and len(json.dumps(patch)) < len(new) / 4
    before, after = svg_parts(old)[1], svg_parts(new)[1]  # type: ignore[index]
    shifted = {k for k in after if k in before and k not in patch["set"] and k not in patch.get("keep", [])
               and not any(k in ids for ids in patch["moves"].values())}
    assert shifted and "shift" in patch
    for key in after:
        if key in patch["set"]:
            continue
        delta = patch["shift"] if key in shifted else next(
            ([float(v) for v in d.split(",")] for d, ids in patch["moves"].items() if key in ids), [0.0, 0.0])
        shape, xs, ys = _geometry(before[key])
        shape_new, xs_new, ys_new = _geometry(after[key])
        assert shape == shape_new
        assert all(abs(a + delta[0] - b) < 0.02 for a, b in zip(xs, xs_new, strict=True))
        assert all(abs(a + delta[1] - b) < 0.02 for a, b in zip(ys, ys_new, strict=True))
