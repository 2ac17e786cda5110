"""Parallel and Map: results, failures, tolerated failures, concurrency in simulated time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from coworks.biz import Fail, Map, Parallel, Pass, Ref, Task, Wait, Workflow
from coworks.biz.engine.clock import RealClock, SimulatedClock

from ..support import T0, types

FN = "arn:aws:lambda:us-east-1:123456789012:function:work"


def test_parallel_results_and_overlapping_waits() -> None:
    par = Parallel(
        "P",
        [Wait("W10", seconds=10) >> Pass("A", result="a"), Wait("W30", seconds=30) >> Pass("B", result="b")],
        result_path="$.results",
    )
    ex = Workflow("w", par).run_local({"x": 1}, clock=SimulatedClock(T0))
    assert ex.output == {"x": 1, "results": ["a", "b"]}
    # Branches overlap: the state takes as long as the longest one.
    assert ex.stop == T0 + timedelta(seconds=30)
    assert types(ex)[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert types(ex)[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_branch_failure_fails_the_state_and_can_be_caught() -> None:
    par = Parallel("P", [Pass("A"), Fail("Boom", error="Kaboom", cause="b2")])
    ex = Workflow("w", par).run_local({})
    assert (ex.error, ex.cause) == ("Kaboom", "b2")
    assert "ParallelStateFailed" in types(ex)
    caught = Parallel("P", [Fail("Boom", error="Kaboom")]).catch(["Kaboom"], Pass("Handled"), result_path="$.e")
    ex = Workflow("w", caught).run_local({"v": 1})
    assert ex.output == {"v": 1, "e": {"Error": "Kaboom"}}  # the Fail state gave no Cause: none is invented


def test_variables_flow_into_branches_but_not_out() -> None:
    definition: dict[str, Any] = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "In",
                        "States": {
                            "In": {
                                "Type": "Pass",
                                "Parameters": {"seen.$": "$outer"},
                                "Assign": {"inner": 2},
                                "End": True,
                            }
                        },
                    }
                ],
                "Next": "After",
            },
            "After": {"Type": "Pass", "Parameters": {"outer.$": "$outer", "branch.$": "$[0]"}, "End": True},
        },
    }
    ex = Workflow.from_asl(definition).run_local({})
    assert ex.output == {"outer": 1, "branch": {"seen": 1}}
    bad = dict(definition)
    bad["States"] = {**definition["States"], "After": {"Type": "Pass", "Parameters": {"x.$": "$inner"}, "End": True}}
    assert Workflow.from_asl(bad).run_local({}).error == "States.Runtime"


def test_map_item_selector_context_and_results() -> None:
    each = Map(
        "M",
        Pass("Item", parameters={"sum.$": "States.MathAdd($.value, $.index)", "tag.$": "$.tag"}),
        items_path="$.items",
        item_selector={"value": Ref("$$.Map.Item.Value"), "index": Ref("$$.Map.Item.Index"), "tag": Ref("$.tag")},
        result_path="$.sums",
    )
    ex = Workflow("w", each).run_local({"items": [10, 20, 30], "tag": "t"})
    assert ex.output["sums"] == [{"sum": 10, "tag": "t"}, {"sum": 21, "tag": "t"}, {"sum": 32, "tag": "t"}]
    started = [e for e in ex.history if e["type"] == "MapIterationStarted"]
    assert [e["mapIterationStartedEventDetails"] for e in started] == [{"name": "M", "index": i} for i in range(3)]
    assert ex.history[2]["mapStateStartedEventDetails"] == {"length": 3}


def test_map_concurrency_in_simulated_time() -> None:
    def timed(limit: int) -> timedelta:
        each = Map("M", Wait("W", seconds=10), items_path="$.items", max_concurrency=limit)
        ex = Workflow("w", each).run_local({"items": list(range(6))}, clock=SimulatedClock(T0))
        assert ex.stop is not None
        return ex.stop - T0

    assert timed(0) == timedelta(seconds=10)  # unlimited: all at once
    assert timed(1) == timedelta(seconds=60)
    assert timed(2) == timedelta(seconds=30)
    assert timed(4) == timedelta(seconds=20)


def test_map_failure_and_tolerated_failures() -> None:
    def work(payload: Any) -> Any:
        if payload % 4 == 0:
            raise ValueError(f"bad {payload}")
        return payload * 10

    items = {"items": [1, 2, 3, 4, 5, 6, 7, 8]}
    strict = Workflow("w", Map("M", Task("T", FN), items_path="$.items"))
    ex = strict.run_local(items, services={"work": work})
    assert ex.error == "ValueError" and "MapIterationFailed" in types(ex)
    tolerant = Workflow("w", Map("M", Task("T", FN), items_path="$.items", tolerated_failure_count=2))
    ok = tolerant.run_local(items, services={"work": work})
    assert ok.status == "SUCCEEDED"
    assert ok.output[0] == 10 and ok.output[3]["Error"] == "ValueError"
    strict_pct = Workflow("w", Map("M", Task("T", FN), items_path="$.items", tolerated_failure_percentage=20))
    too_many = strict_pct.run_local(items, services={"work": work})
    assert too_many.error == "States.ExceedToleratedFailureThreshold"


def test_map_over_a_non_array_is_a_runtime_error() -> None:
    ex = Workflow("w", Map("M", Pass("P"), items_path="$.items")).run_local({"items": {"a": 1}})
    assert ex.error == "States.Runtime"


def test_distributed_map_reads_items_through_services_and_batches() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket": "b", "Key.$": "$.key"},
                },
                "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"job": "j"}},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Count",
                    "States": {
                        "Count": {
                            "Type": "Pass",
                            "Parameters": {"n.$": "States.ArrayLength($.Items)", "job.$": "$.job"},
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    reads: list[Any] = []

    def get_object(params: Any) -> Any:
        reads.append(params)
        return [1, 2, 3, 4, 5]

    ex = Workflow.from_asl(definition).run_local(
        {"key": "k.json"}, services={"arn:aws:states:::s3:getObject": get_object}
    )
    assert reads == [{"Bucket": "b", "Key": "k.json"}]
    assert ex.output == [{"n": 2, "job": "j"}, {"n": 2, "job": "j"}, {"n": 1, "job": "j"}]


def test_real_clock_runs_branches_in_threads() -> None:
    par = Parallel("P", [Pass("A", result=1), Pass("B", result=2)])
    each = Map("M", Pass("I"), items_path="$", max_concurrency=2)
    ex = Workflow("w", par >> each).run_local({}, clock=RealClock())
    assert ex.output == [1, 2]


def test_parallel_and_map_retry_as_a_whole() -> None:
    calls: list[int] = []

    def flaky(payload: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("first time")
        return "ok"

    par = Parallel("P", [Task("T", FN), Pass("Other", result=2)]).retry(["ConnectionError"], interval=5)
    ex = Workflow("w", par).run_local({}, services={"work": flaky}, clock=SimulatedClock(T0))
    assert ex.output == ["ok", 2]
    assert types(ex).count("ParallelStateStarted") == 2
    assert ex.stop == T0 + timedelta(seconds=5)
