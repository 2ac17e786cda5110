"""The Python builder: states, chaining, Choice rules, and the ASL they produce."""

from __future__ import annotations

import pytest

from coworks.biz import (
    Choice,
    Condition,
    Fail,
    Map,
    Parallel,
    Pass,
    Ref,
    Succeed,
    Task,
    Var,
    Wait,
    Workflow,
    WorkflowError,
    s3_item_reader,
)
from coworks.errors import CoworksError

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def test_chaining_links_states_and_ends_the_last() -> None:
    a, b, c = Pass("A"), Pass("B"), Pass("C")
    wf = Workflow("chain", a >> b >> c)
    asl = wf.to_asl()
    assert asl["StartAt"] == "A"
    assert asl["States"]["A"]["Next"] == "B"
    assert asl["States"]["B"]["Next"] == "C"
    assert asl["States"]["C"]["End"] is True
    assert list(wf.states) == ["A", "B", "C"]


def test_chains_compose_with_chains() -> None:
    first = Pass("A") >> Pass("B")
    second = Pass("C") >> Succeed("D")
    asl = Workflow("w", first >> second).to_asl()
    assert asl["States"]["B"]["Next"] == "C"
    assert "End" not in asl["States"]["D"] and "Next" not in asl["States"]["D"]


def test_nothing_can_follow_a_choice_or_an_end() -> None:
    with pytest.raises(WorkflowError, match="Choice state 'C'"):
        Choice("C") >> Pass("X")
    with pytest.raises(WorkflowError, match="Succeed state 'S'"):
        Succeed("S") >> Pass("X")


def test_a_state_cannot_continue_to_two_states() -> None:
    a = Pass("A")
    a >> Pass("B")
    with pytest.raises(WorkflowError, match="already continues to 'B'"):
        a >> Pass("C")


def test_two_states_with_one_name_are_refused() -> None:
    with pytest.raises(WorkflowError, match="Two different states are named 'A'"):
        Workflow("w", Pass("A") >> Pass("A"))


def test_unknown_options_are_explained() -> None:
    with pytest.raises(WorkflowError, match="Pass state 'A' does not take 'resource'"):
        Pass("A", resource="arn:x")
    with pytest.raises(WorkflowError, match="non-empty name"):
        Pass("")
    with pytest.raises(WorkflowError, match="only Task, Parallel and Map"):
        Pass("A").retry()


def test_errors_are_coworks_errors() -> None:
    assert issubclass(WorkflowError, CoworksError)


def test_task_fields_retry_and_catch() -> None:
    oops = Fail("Oops", error="Broken", cause="it broke")
    task = (
        Task(
            "Work",
            LAMBDA,
            input_path="$.in",
            parameters={"id": Ref("$.id"), "fixed": 1, "deep": {"when": Ref("$$.Execution.StartTime")}},
            result_selector={"value": Ref("$.value")},
            result_path="$.out",
            output_path="$.out",
            timeout_seconds=30,
            heartbeat_seconds=10,
            assign={"last": Ref("$.value")},
        )
        .retry(["Throttled"], interval=2, max_attempts=5, backoff_rate=1.5, max_delay=20, jitter="FULL")
        .catch(["States.ALL"], oops, result_path="$.error")
    )
    state = Workflow("w", task).to_asl()["States"]["Work"]
    assert state == {
        "Type": "Task",
        "Resource": LAMBDA,
        "InputPath": "$.in",
        "Parameters": {"id.$": "$.id", "fixed": 1, "deep": {"when.$": "$$.Execution.StartTime"}},
        "ResultSelector": {"value.$": "$.value"},
        "ResultPath": "$.out",
        "OutputPath": "$.out",
        "TimeoutSeconds": 30,
        "HeartbeatSeconds": 10,
        "Assign": {"last.$": "$.value"},
        "Retry": [
            {
                "ErrorEquals": ["Throttled"],
                "IntervalSeconds": 2,
                "MaxAttempts": 5,
                "BackoffRate": 1.5,
                "MaxDelaySeconds": 20,
                "JitterStrategy": "FULL",
            }
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Oops"}],
        "End": True,
    }


def test_result_path_none_means_discard_the_result() -> None:
    state = Workflow("w", Task("T", LAMBDA, result_path=None)).to_asl()["States"]["T"]
    assert state["ResultPath"] is None


def test_choice_rules_from_operators() -> None:
    yes, no, big = Succeed("Yes"), Fail("No"), Pass("Big")
    choice = (
        Choice("C")
        .when(Var("$.n") > 10, big)
        .when((Var("$.kind") == "pen") & ~Var("$.gift").is_present(), yes)
        .when(Var("$.a") <= Var("$.b"), yes)
        .when(Var("$.flag") == True, yes)  # noqa: E712 - builds a BooleanEquals rule
        .when(Var("$.at").ts >= "2024-01-01T00:00:00Z", yes)
        .when(Var("$.name").matches("log-*") | Var("$.x").is_null(), yes)
        .when(Var("$.s") != "x", yes)
        .otherwise(no)
    )
    big >> yes
    rules = Workflow("w", choice).to_asl()["States"]["C"]["Choices"]
    assert rules[0] == {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}
    assert rules[1] == {
        "And": [{"Variable": "$.kind", "StringEquals": "pen"}, {"Not": {"Variable": "$.gift", "IsPresent": True}}],
        "Next": "Yes",
    }
    assert rules[2] == {"Variable": "$.a", "NumericLessThanEqualsPath": "$.b", "Next": "Yes"}
    assert rules[3] == {"Variable": "$.flag", "BooleanEquals": True, "Next": "Yes"}
    assert rules[4] == {"Variable": "$.at", "TimestampGreaterThanEquals": "2024-01-01T00:00:00Z", "Next": "Yes"}
    assert rules[5] == {
        "Or": [{"Variable": "$.name", "StringMatches": "log-*"}, {"Variable": "$.x", "IsNull": True}],
        "Next": "Yes",
    }
    assert rules[6] == {"Not": {"Variable": "$.s", "StringEquals": "x"}, "Next": "Yes"}


def test_and_flattens_and_rules_refuse_python_booleans() -> None:
    rule = (Var("$.a") > 1) & (Var("$.b") > 2) & (Var("$.c") > 3)
    assert len(rule.data["And"]) == 3
    with pytest.raises(WorkflowError, match="combine rules with &"):
        bool(Var("$.a") > 1)
    with pytest.raises(WorkflowError, match="Booleans only compare"):
        _ = Var("$.a") < True


def test_jsonata_choice_and_fields() -> None:
    done = Succeed("Done", output={"total": "{% $total %}"})
    choice = Choice("C").when(Condition("{% $states.input.n > 1 %}"), done).otherwise(done)
    wf = Workflow("w", Pass("Init", assign={"total": 0}) >> choice, query_language="JSONata")
    asl = wf.to_asl()
    assert asl["QueryLanguage"] == "JSONata"
    assert asl["States"]["C"]["Choices"] == [{"Condition": "{% $states.input.n > 1 %}", "Next": "Done"}]
    assert asl["States"]["Init"]["Assign"] == {"total": 0}
    wf.validate()


def test_wait_variants() -> None:
    chain = (
        Wait("W1", seconds=5)
        >> Wait("W2", timestamp="2024-01-01T00:00:00Z")
        >> Wait("W3", seconds_path="$.s")
        >> Wait("W4", timestamp_path="$.t")
    )
    states = Workflow("w", chain).validate().to_asl()["States"]
    assert states["W1"]["Seconds"] == 5 and states["W4"]["TimestampPath"] == "$.t"


def test_parallel_and_map_nest_bodies() -> None:
    par = Parallel("P", [Pass("A") >> Pass("B"), Pass("C")], result_path="$.both")
    par.branch(Wait("D", seconds=1))
    each = Map(
        "M",
        Task("Do", LAMBDA),
        items_path="$.items",
        item_selector={"item": Ref("$$.Map.Item.Value"), "index": Ref("$$.Map.Item.Index")},
        max_concurrency=5,
        tolerated_failure_count=2,
    )
    wf = Workflow("w", par >> each).validate()
    asl = wf.to_asl()
    branches = asl["States"]["P"]["Branches"]
    assert [b["StartAt"] for b in branches] == ["A", "C", "D"]
    assert branches[0]["States"]["A"]["Next"] == "B"
    assert asl["States"]["M"]["ItemProcessor"]["States"]["Do"]["End"] is True
    assert asl["States"]["M"]["ItemSelector"] == {"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"}
    assert set(wf.states) == {"P", "A", "B", "C", "D", "M", "Do"}
    assert wf["Do"].fields["Resource"] == LAMBDA


def test_distributed_map_with_s3_reader() -> None:
    each = Map(
        "Each",
        Task("Do", LAMBDA),
        mode="DISTRIBUTED",
        execution_type="EXPRESS",
        item_reader=s3_item_reader("bucket", "data.csv", input_type="CSV"),
        max_concurrency=100,
        tolerated_failure_percentage=5,
        label="Each",
    )
    state = Workflow("w", each).to_asl()["States"]["Each"]
    assert state["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}
    assert state["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert state["ItemReader"]["ReaderConfig"] == {"InputType": "CSV"}
    listing = s3_item_reader("bucket", prefix="in/")
    assert listing["Resource"] == "arn:aws:states:::s3:listObjectsV2"
    with pytest.raises(WorkflowError, match="key= .* or prefix="):
        s3_item_reader("bucket")


def test_loops_are_built_by_naming_or_linking_back() -> None:
    count = Pass("Count", parameters={"n.$": "States.MathAdd($.n, 1)"})
    check = Choice("More?").when(Var("$.n") < 3, count).otherwise(Succeed("Done"))
    count.next = check
    wf = Workflow("loop", count).validate()
    assert wf.to_asl()["States"]["Count"]["Next"] == "More?"


def test_repr_and_json() -> None:
    wf = Workflow("w", Pass("A"))
    assert repr(wf) == "Workflow('w', 1 states)"
    assert '"StartAt": "A"' in wf.to_json()
    assert repr(Pass("A")) == "Pass('A')" and repr(Ref("$.x")) == "Ref('$.x')"
    with pytest.raises(KeyError, match="no state named 'Z'"):
        wf["Z"]


def test_heavy_libraries_load_only_when_used() -> None:
    import subprocess
    import sys

    code = (
        "import sys, coworks, coworks.biz;"
        "print('coworks.biz' in sys.modules,"
        " [m for m in ('graphviz', 'jsonpath_ng', 'jsonata', 'boto3', 'moto') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True []"
    plain = subprocess.run(
        [sys.executable, "-c", "import sys, coworks; print('coworks.biz' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert plain.strip() == "False"
