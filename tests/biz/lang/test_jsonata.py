"""JSONata workflows, checked against the examples of the AWS documentation."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from coworks.biz import Workflow
from coworks.biz.engine.clock import SimulatedClock

from ..support import T0, corpus

FN = "arn:aws:lambda:us-east-1:123456789012:function:work"


def machine(states: dict[str, Any], start: str | None = None) -> Workflow:
    return Workflow.from_asl({"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states})


def test_output_transforms_the_input() -> None:
    # AWS docs, "Transforming data with JSONata": compute a total from the input.
    wf = machine(
        {
            "Total": {
                "Type": "Pass",
                "Output": {
                    "customer": "{% $states.input.customer %}",
                    "total": "{% $sum($states.input.items.(price * qty)) %}",
                    "count": "{% $count($states.input.items) %}",
                },
                "End": True,
            }
        }
    )
    data = {"customer": "ada", "items": [{"price": 2, "qty": 3}, {"price": 5, "qty": 1}]}
    assert wf.validate().run_local(data).output == {"customer": "ada", "total": 11, "count": 2}


def test_aws_extension_functions() -> None:
    wf = machine(
        {
            "F": {
                "Type": "Pass",
                "Output": {
                    "partition": "{% $partition([1,2,3,4], 2) %}",
                    "range": "{% $range(0, 10, 5) %}",
                    "hash": "{% $hash('input data', 'SHA-1') %}",
                    "parsed": "{% $parse('{\"a\": 1}') %}",
                    "uuid": "{% $length($uuid()) %}",
                    "random": "{% $random() < 1 %}",
                },
                "End": True,
            }
        }
    )
    out = wf.run_local({}).output
    assert out["partition"] == [[1, 2], [3, 4]]
    assert out["range"] == [0, 5, 10]
    assert out["hash"] == hashlib.sha1(b"input data").hexdigest()
    assert out["parsed"] == {"a": 1} and out["uuid"] == 36 and out["random"] is True


def test_the_corpus_jsonata_workflow_runs_with_variables_and_a_loop() -> None:
    def price(payload: Any) -> Any:
        return {"amount": payload["order"]["qty"] * 10}

    wf = Workflow.from_asl(corpus()["jsonata"])
    ex = wf.run_local({"orders": [{"qty": 1}, {"qty": 2}, {"qty": 3}]}, services={"price": price})
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"total": 60}
    assert wf.run_local({"orders": []}, services={"price": price}).output == {"total": 0}


def test_arguments_result_catch_and_fail_expressions() -> None:
    def work(payload: Any) -> Any:
        if payload["n"] < 0:
            raise ValueError("negative")
        return {"double": payload["n"] * 2}

    wf = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": FN,
                "Arguments": {"n": "{% $states.input.n %}"},
                "Output": "{% {'in': $states.input.n, 'out': $states.result.double} %}",
                "Catch": [
                    {
                        "ErrorEquals": ["ValueError"],
                        "Output": "{% $states.errorOutput %}",
                        "Assign": {"failed": "{% $states.errorOutput.Error %}"},
                        "Next": "Report",
                    }
                ],
                "End": True,
            },
            "Report": {"Type": "Fail", "Error": "{% 'Wrapped' & $failed %}", "Cause": "{% $states.input.Error %}"},
        }
    )
    wf.validate()
    assert wf.run_local({"n": 4}, services={"work": work}).output == {"in": 4, "out": 8}
    failed = wf.run_local({"n": -1}, services={"work": work})
    assert (failed.error, failed.cause) == ("WrappedValueError", "ValueError")


def test_map_items_and_item_selector() -> None:
    wf = machine(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.rows %}",
                "ItemSelector": {
                    "row": "{% $states.context.Map.Item.Value %}",
                    "index": "{% $states.context.Map.Item.Index %}",
                },
                "MaxConcurrency": "{% 2 %}",
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {
                        "P": {
                            "Type": "Pass",
                            "Output": "{% $states.input.row * 10 + $states.input.index %}",
                            "End": True,
                        }
                    },
                },
                "Output": "{% $sum($states.result) %}",
                "End": True,
            }
        }
    )
    assert wf.validate().run_local({"rows": [1, 2, 3]}).output == 63


def test_choice_wait_and_variables() -> None:
    wf = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"n": "{% $states.input.start %}"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $n >= 3 %}", "Next": "Done", "Output": {"final": "{% $n %}"}},
                ],
                "Default": "Sleep",
            },
            "Sleep": {"Type": "Wait", "Seconds": "{% $n * 10 %}", "Assign": {"n": "{% $n + 1 %}"}, "Next": "Check"},
            "Done": {"Type": "Succeed"},
        }
    )
    ex = wf.validate().run_local({"start": 1}, clock=SimulatedClock(T0))
    assert ex.output == {"final": 3}
    assert ex.stop == T0 + timedelta(seconds=30)


def test_evaluation_errors_are_query_evaluation_errors() -> None:
    wf = machine({"F": {"Type": "Pass", "Output": "{% $undefinedFunction(1) %}", "End": True}})
    assert wf.run_local({}).error == "States.QueryEvaluationError"
    bad_choice = machine(
        {"C": {"Type": "Choice", "Choices": [{"Condition": "{% 'text' %}", "Next": "S"}]}, "S": {"Type": "Succeed"}}
    )
    assert bad_choice.run_local({}).error == "States.QueryEvaluationError"
