"""Workflows as YAML: round trip with ASL (corpus, built workflows, hypothesis), comments kept
through load/edit/save, and mistakes pointed at by line and column with what to write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from coworks.biz import Choice, Map, Parallel, Pass, Ref, Succeed, Task, Var, Workflow, WorkflowError
from coworks.biz import yaml as wfyaml
from coworks.biz.yaml import YamlError
from coworks.biz.yaml.conditions import ConditionError, parse, text

from ..support import Billing, Inventory, corpus, sample_workflow, state_machines

CORPUS = corpus()


def round_trip(wf: Workflow) -> Workflow:
    return Workflow.from_yaml(wf.to_yaml())


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_whole_corpus_round_trips_through_yaml(name: str) -> None:
    wf = Workflow.from_asl(CORPUS[name], name=name)
    back = round_trip(wf)
    assert back.to_asl() == wf.to_asl() == CORPUS[name]
    assert back.name == name
    assert back.to_yaml() == wf.to_yaml()  # and the text is stable


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state_machines())
def test_generated_definitions_round_trip_through_yaml(definition: dict[str, Any]) -> None:
    wf = Workflow.from_asl(definition)
    assert round_trip(wf).to_asl() == wf.to_asl()


def orders(inventory: Inventory, billing: Billing) -> Workflow:
    fetch = Task(inventory.get_item, item_id=Ref("$.id"), result_path="$.item")
    fetch.retry(["HTTP503"], interval=2, max_attempts=2, backoff_rate=2.0)
    fetch.catch(["States.ALL"], Pass("Unknown"), result_path="$.error")
    bill = Task(billing.post_invoice, item=Ref("$.id"), amount=Ref("$.item.body.qty"), result_path="$.invoice")
    fetch >> Choice("In stock?").when(Var("$.item.body.qty") > 0, bill).otherwise(Pass("Out of stock"))
    each = Map("Each order", fetch, items_path="$.orders", max_concurrency=1, result_path="$.orders")
    return Workflow("orders", each >> Succeed("Done"), triggers=["rate(1 hour)"])


def test_a_built_workflow_reads_as_its_services_and_entries(inventory: Inventory, billing: Billing) -> None:
    wf = orders(inventory, billing)
    text_ = wf.to_yaml()
    assert "- task: inventory.get_item\n" in text_ and "route: GET /item/{item_id}" in text_
    assert "- task: billing.post_invoice\n" in text_ and "route: POST" not in text_  # the name says it
    assert "item_id: $.id" in text_ and "if: $.item.body.qty > 0" in text_ and "then: post_invoice" in text_
    assert "- errors: HTTP503" in text_ and "attempts: 2" in text_ and "Next" not in text_
    back = Workflow.from_yaml(text_)
    assert back.to_asl() == wf.to_asl() and back.triggers == ("rate(1 hour)",)
    assert back.run_local({"orders": [{"id": 3}, {"id": 404}]}, services=[inventory, billing]).status == "SUCCEEDED"


def test_jsonata_calls_and_parallel_branches_round_trip(billing: Billing) -> None:
    call = Task(billing.post_invoice, item=Ref("{% $states.input.id %}"), amount=3)
    wf = Workflow("j", call >> Parallel("Both", [Pass("A"), Pass("B") >> Pass("C")]), query_language="JSONata")
    text_ = wf.to_yaml()
    assert "item: '{% $states.input.id %}'" in text_ and "- states:" in text_
    assert round_trip(wf).to_asl() == wf.to_asl()


def test_a_workflow_written_by_hand_runs(inventory: Inventory, billing: Billing) -> None:
    wf = Workflow.from_yaml(HAND)
    assert wf.name == "restock" and list(wf.to_asl()["States"]) == ["Look", "Enough?", "post_invoice", "Done"]
    states = wf.to_asl()["States"]
    assert states["Look"]["Next"] == "Enough?" and states["post_invoice"]["End"] is True
    assert states["Enough?"]["Choices"][0] == {"Variable": "$.item.body.qty", "NumericLessThan": 5,
                                               "Next": "post_invoice"}
    wf.validate()
    ex = wf.run_local({"id": 3}, services=[inventory, billing])
    assert ex.status == "SUCCEEDED" and ex.output["invoice"]["body"]["status"] == "sent"


HAND = """\
# Order more when the stock is low.
workflow: restock
states:
  - task: inventory.get_item   # what is in stock
    name: Look
    route: GET /item/{item_id}
    with: {item_id: $.id}
    result_path: $.item
  - choice: Enough?
    choices:
      - if: $.item.body.qty < 5
        then: post_invoice
    otherwise: Done
  - task: billing.post_invoice
    with:
      item: $.id
      amount: 10
    result_path: $.invoice
    end: true
  - succeed: Done
"""


def test_comments_survive_a_load_edit_save_cycle(tmp_path: Path) -> None:
    path = tmp_path / "restock.yaml"
    path.write_text(HAND)
    wf = Workflow.from_yaml(path)
    wf["Enough?"].when(Var("$.item.body.qty") > 100, "Done")  # edited in Python
    wf["Look"].set(comment="read the stock")
    saved = wf.to_yaml()
    assert saved.startswith("# Order more when the stock is low.\nworkflow: restock\n")
    assert "- task: inventory.get_item   # what is in stock\n" in saved
    assert "if: $.item.body.qty > 100" in saved and "comment: read the stock" in saved
    assert Workflow.from_yaml(saved).to_asl() == wf.to_asl()


def test_comments_survive_adding_moving_and_removing_states() -> None:
    doc, _ = wfyaml.read(HAND)
    states = doc["states"]
    states.insert(1, wfyaml.plain({"pass": "Note"}))  # a new state
    del states[3]  # post_invoice goes; Enough? then points nowhere, which validation says
    saved = wfyaml.dump(doc)
    assert "# Order more when the stock is low." in saved and "# what is in stock" in saved
    wf = Workflow.from_yaml(saved)
    assert list(wf.to_asl()["States"]) == ["Look", "Note", "Enough?", "Done"]
    assert any("post_invoice" in p.message for p in wf.problems())


def test_merging_keeps_comments_of_renamed_neighbours() -> None:
    old, _ = wfyaml.read(HAND)
    new = wfyaml.document(Workflow.from_yaml(HAND).to_asl(), "restock")
    new["states"].reverse()
    merged = wfyaml.dump(wfyaml.merge(old, new))
    assert "# what is in stock" in merged and merged.index("- succeed: Done") < merged.index("name: Look")


@pytest.mark.parametrize(
    ("text_", "line", "column", "says"),
    [
        ("workflow: w\nstates:\n  - pass: A\n    reslt_path: $.x\n", 4, 5, "did you mean result_path?"),
        ("workflow: w\nstates:\n  - pass: A\n    seconds: 3\n", 4, 5, "only wait states do"),
        ("workflow: w\nstates:\n  - pass: A\n  - nope: B\n", 4, 5, "each state starts with its kind"),
        ("workflow: w\nstates:\n  - choice: C\n    choices:\n      - if: $.a = 1\n        then: A\n", 5, 17,
         "write == to compare"),
        ("workflow: w\nstates:\n  - choice: C\n    next: X\n", 4, 5, "decides its own successor"),
        ("workflow: w\nstates:\n  - task: inventory.get_item\n    route: GET /item/{item_id}\n", 3, 5,
         "add `item_id: $.item_id` under `with:`"),
        ("workflow: w\nstates:\n  - task: stock\n", 3, 5, "names neither an entry"),
        ("workflow: w\nstates:\n  - pass: A\n  - pass: A\n", 4, 5, "two states are named 'A'"),
        ("workflow: w\nstates:\n  - pass: A\n   bad: [\n", 4, 4, "fix the YAML syntax"),
        ("states:\n  - pass: A\n", 1, 1, "name the workflow"),
        ("workflow: w\nsates:\n  - pass: A\n", 2, 1, "did you mean states?"),
        ("workflow: w\nstates:\n  - task: a.b\n    retry:\n      - errors: X\n        atempts: 2\n", 6, 9,
         "did you mean attempts?"),
    ],
)
def test_mistakes_point_at_their_line_and_column_and_say_what_to_write(
    text_: str, line: int, column: int, says: str
) -> None:
    with pytest.raises(YamlError) as caught:
        Workflow.from_yaml(text_)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (line, column), str(caught.value)
    assert says in problem.message
    assert f"line {line}, column {column}" in str(caught.value)


def test_every_mistake_is_listed_at_once() -> None:
    with pytest.raises(YamlError) as caught:
        Workflow.from_yaml("workflow: w\nstates:\n  - pass: A\n    reslt: 1\n  - wait: B\n    secs: 2\n")
    assert [(p.line, p.state) for p in caught.value.problems] == [(4, "A"), (6, "B")]
    assert "has 2 problems" in str(caught.value)


def test_a_file_that_is_missing_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(WorkflowError, match="Cannot read the workflow file"):
        Workflow.from_yaml(tmp_path / "nope.yaml")


def test_written_timestamps_and_fields_under_their_asl_names_are_kept() -> None:
    wf = Workflow.from_yaml("workflow: w\nstates:\n  - wait: W\n    timestamp: 2016-03-14T01:59:00Z\n"
                            "  - map: M\n    ItemBatcher: {MaxItemsPerBatch: 5}\n    do: [{pass: P}]\n")
    states = wf.to_asl()["States"]
    assert states["W"]["Timestamp"] == "2016-03-14T01:59:00Z" and states["M"]["ItemBatcher"] == {"MaxItemsPerBatch": 5}


def test_a_built_task_whose_call_cannot_be_said_in_yaml_is_written_as_asl(inventory: Inventory) -> None:
    odd = Task(inventory.post_item, name="Odd", args={"name": "$5 off"})  # a constant that reads as a reference
    wf = Workflow("odd", odd)
    text_ = wf.to_yaml()
    assert "task: arn:aws:states:::lambda:invoke" in text_
    assert round_trip(wf).to_asl() == wf.to_asl()


def test_the_sample_workflow_round_trips() -> None:
    wf = sample_workflow()
    assert round_trip(wf).to_asl() == wf.to_asl()


# -- conditions --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_choice_rule_of_the_corpus_reads_as_a_condition(name: str) -> None:
    for state in CORPUS[name]["States"].values():
        for rule in state.get("Choices", []):
            if "Condition" in rule:
                continue
            said = text(rule)
            assert said is not None, rule
            assert parse(said) == {k: v for k, v in rule.items() if k != "Next"}


@pytest.mark.parametrize(
    "condition",
    ['$.a == string $.b', "$.x is not null", '$.at >= timestamp "2024-01-01T00:00:00Z"', "$.n <= -1.5",
     '($.a > 1 or $.b < 2) and not ($.c == true)', "$['odd key'] > 3"],
)
def test_conditions_read_back_as_written(condition: str) -> None:
    assert text(parse(condition)) == condition


@pytest.mark.parametrize(("condition", "says"), [("$.a >", "stops too early"), ("qty > 0", "starts with a path"),
                                                 ("$.a > 1 $.b", "join conditions with and/or"),
                                                 ("$.a < true", "booleans only compare with ==")])
def test_a_condition_that_cannot_be_read_says_why(condition: str, says: str) -> None:
    with pytest.raises(ConditionError, match=says):
        parse(condition)
