"""run_local: Step Functions data flow, errors, retries, catches, timeouts and the clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from coworks.biz import (
    Choice,
    Fail,
    Pass,
    Ref,
    Succeed,
    Task,
    UnresolvedResourceError,
    Var,
    Wait,
    Workflow,
    WorkflowError,
    WorkflowValidationError,
)
from coworks.biz.engine.clock import SimulatedClock
from coworks.biz.engine.executor import Executor
from coworks.biz.engine.invokers import TaskContext
from coworks.biz.errors import StatesError

from ..support import T0, types

FN = "arn:aws:lambda:us-east-1:123456789012:function:work"


def run(definition: dict[str, Any], data: Any = None, **services: Any) -> Any:
    return Workflow.from_asl(definition).run_local(data, services=services or None, clock=SimulatedClock(T0))


def test_input_path_parameters_result_selector_result_path_output_path() -> None:
    seen: list[Any] = []

    def work(payload: Any) -> Any:
        seen.append(payload)
        return {"value": payload["x"] * 2, "noise": True}

    task = Task(
        "T",
        FN,
        input_path="$.in",
        parameters={"x": Ref("$.n"), "name": Ref("$$.State.Name")},
        result_selector={"doubled": Ref("$.value")},
        result_path="$.in.result",
        output_path="$.in",
    )
    ex = Workflow("w", task).run_local({"in": {"n": 21}, "other": 1}, services={"work": work})
    assert seen == [{"x": 21, "name": "T"}]
    assert ex.output == {"n": 21, "result": {"doubled": 42}}


def test_result_path_null_keeps_the_input_and_output_path_null_empties_it() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": 1, "ResultPath": None, "Next": "B"},
            "B": {"Type": "Pass", "OutputPath": None, "End": True},
        },
    }
    ex = run(definition, {"keep": True})
    assert ex.history[2]["stateExitedEventDetails"]["output"] == '{"keep":true}'
    assert ex.output == {}


def test_context_object_and_execution_details() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Parameters": {
                    "name.$": "$$.Execution.Name",
                    "input.$": "$$.Execution.Input",
                    "state.$": "$$.State.Name",
                    "entered.$": "$$.State.EnteredTime",
                    "machine.$": "$$.StateMachine.Name",
                },
                "End": True,
            }
        },
    }
    ex = Workflow.from_asl(definition, name="ctx").run_local({"a": 1}, name="run-1", clock=SimulatedClock(T0))
    assert ex.output == {
        "name": "run-1",
        "input": {"a": 1},
        "state": "A",
        "entered": "2024-01-01T00:00:00.000Z",  # AWS writes the context object's times so
        "machine": "ctx",
    }
    assert ex.arn == "arn:aws:states:us-east-1:123456789012:execution:ctx:run-1"


def test_variables_with_jsonpath_assign() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": {"v": 5}, "Assign": {"five.$": "$.v", "const": "c"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"got.$": "$five", "const.$": "$const"}, "End": True},
        },
    }
    ex = run(definition)
    assert ex.output == {"got": 5, "const": "c"}
    exited = ex.history[2]["stateExitedEventDetails"]
    assert exited["assignedVariables"] == {"five": "5", "const": '"c"'}


def test_undefined_variable_is_a_runtime_error() -> None:
    ex = run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "$nope"}, "End": True}}})
    assert ex.status == "FAILED" and ex.error == "States.Runtime"


def test_missing_path_fails_with_states_runtime_even_with_catch_all() -> None:
    def work(payload: Any) -> Any:
        return payload

    task = Task("T", FN, parameters={"x": Ref("$.missing")}).catch(["States.ALL"], Succeed("Caught"))
    ex = Workflow("w", task).run_local({}, services={"work": work})
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "$.missing" in (ex.cause or "")


def test_retry_backoff_with_max_delay_on_the_simulated_clock() -> None:
    attempts: list[float] = []

    def flaky(payload: Any, ctx: TaskContext) -> Any:
        attempts.append(ctx.clock.elapsed())
        if len(attempts) < 5:
            raise ConnectionError("try again")
        return "ok"

    task = Task("T", FN).retry(["ConnectionError"], interval=2, max_attempts=4, backoff_rate=3, max_delay=10)
    clock = SimulatedClock(T0)
    ex = Workflow("w", task).run_local({}, services={"work": flaky}, clock=clock)
    assert ex.status == "SUCCEEDED" and ex.output == "ok"
    # delays: 2, 6, min(18, 10), min(54, 10)
    assert attempts == [0, 2, 8, 18, 28]
    assert ex.history[-1]["timestamp"] == T0 + timedelta(seconds=28)
    assert types(ex).count("LambdaFunctionFailed") == 4


def test_retries_run_out_then_catch_places_the_error() -> None:
    def broken(payload: Any) -> Any:
        raise ValueError("bad value")

    task = (
        Task("T", FN, result_path="$.r")
        .retry(["ValueError"], max_attempts=2, interval=1)
        .catch(["States.TaskFailed"], Pass("Handle"), result_path="$.error")
    )
    ex = Workflow("w", task).run_local({"keep": 1}, services={"work": broken})
    assert ex.status == "SUCCEEDED"
    assert ex.output["keep"] == 1
    assert ex.output["error"]["Error"] == "ValueError"
    assert "bad value" in ex.output["error"]["Cause"]
    assert types(ex).count("LambdaFunctionScheduled") == 3


def test_full_jitter_is_seeded_and_bounded() -> None:
    waits: list[float] = []

    def flaky(payload: Any, ctx: TaskContext) -> Any:
        waits.append(ctx.clock.elapsed())
        raise RuntimeError("no")

    definition = Workflow("w", Task("T", FN).retry(["States.ALL"], interval=4, max_attempts=3, jitter="FULL")).to_asl()
    first = Executor(definition, services={"work": flaky}, clock=SimulatedClock(T0), seed=7).run({})
    gaps = [b - a for a, b in zip(waits, waits[1:], strict=False)]
    assert first.error == "RuntimeError"
    assert all(0 <= g <= cap for g, cap in zip(gaps, [4, 8, 16], strict=True))
    waits.clear()
    Executor(definition, services={"work": flaky}, clock=SimulatedClock(T0), seed=7).run({})
    assert [b - a for a, b in zip(waits, waits[1:], strict=False)] == gaps


def test_max_attempts_zero_never_retries() -> None:
    calls: list[int] = []

    def broken(payload: Any) -> Any:
        calls.append(1)
        raise RuntimeError("x")

    ex = Workflow("w", Task("T", FN).retry(["States.ALL"], max_attempts=0)).run_local({}, services={"work": broken})
    assert ex.error == "RuntimeError" and len(calls) == 1


def test_task_timeout_and_heartbeat_on_the_simulated_clock() -> None:
    def slow(payload: Any, ctx: TaskContext) -> Any:
        ctx.clock.sleep(payload["work"])
        return "done"

    def beating(payload: Any, ctx: TaskContext) -> Any:
        for _ in range(3):
            ctx.clock.sleep(4)
            ctx.heartbeat()
        ctx.clock.sleep(payload["last"])
        return "done"

    slow_wf = Workflow("w", Task("T", FN, timeout_seconds=10))
    assert slow_wf.run_local({"work": 5}, services={"work": slow}).output == "done"
    late = slow_wf.run_local({"work": 11}, services={"work": slow})
    assert (late.status, late.error) == ("FAILED", "States.Timeout")
    assert "LambdaFunctionTimedOut" in types(late)
    hb = Workflow("w", Task("T", FN, timeout_seconds=100, heartbeat_seconds=5))
    assert hb.run_local({"last": 3}, services={"work": beating}).status == "SUCCEEDED"
    missed = hb.run_local({"last": 6}, services={"work": beating})
    assert missed.error == "States.HeartbeatTimeout"
    caught = Workflow("w", Task("T", FN, timeout_seconds=1).catch(["States.Timeout"], Succeed("Late")))
    assert caught.run_local({"work": 2}, services={"work": slow}).status == "SUCCEEDED"


def test_fail_state_error_and_cause_from_paths_and_intrinsics() -> None:
    definition = {
        "StartAt": "F",
        "States": {"F": {"Type": "Fail", "ErrorPath": "$.code", "CausePath": "States.Format('order {}', $.id)"}},
    }
    ex = run(definition, {"code": "E42", "id": 7})
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "E42", "order 7")
    assert types(ex)[-2:] == ["FailStateEntered", "ExecutionFailed"]


def test_choice_semantics() -> None:
    yes, no, big = Pass("Yes"), Pass("No"), Pass("Big")
    choice = (
        Choice("C")
        .when(Var("$.n") >= 100, big)
        .when((Var("$.s").matches("ab*z")) & (Var("$.t").ts < "2024-06-01T00:00:00Z"), yes)
        .when(Var("$.maybe").is_present() & Var("$.maybe").is_null(), yes)
        .when(Var("$.n") == Var("$.m"), yes)
        .otherwise(no)
    )
    wf = Workflow("w", choice)

    def path(data: dict[str, Any]) -> str:
        ex = wf.run_local(data)
        return [e["stateEnteredEventDetails"]["name"] for e in ex.history if "stateEnteredEventDetails" in e][-1]

    late = {"s": "abbbz", "t": "2025-01-01T00:00:00Z", "m": 0}
    assert path({"n": 100}) == "Big"
    assert path({"n": 1, "s": "abbbz", "t": "2024-01-01T00:00:00Z"}) == "Yes"
    assert path({"n": 1, **late}) == "No"
    assert path({"n": 1, **late, "maybe": None}) == "Yes"
    assert path({"n": 1, **late, "m": 1}) == "Yes"
    assert path({"n": "not a number", **late}) == "No"
    # As on AWS, a rule reading a path that is not there fails the execution.
    assert wf.run_local({"n": 1}).error == "States.Runtime"


def test_no_choice_matched() -> None:
    ex = Workflow("w", Choice("C").when(Var("$.n") > 1, Succeed("S"))).run_local({"n": 0})
    assert ex.error == "States.NoChoiceMatched"


def test_waits_are_instant_but_timestamps_advance() -> None:
    chain = Wait("W1", seconds=3600) >> Wait("W2", timestamp="2024-01-02T00:00:00Z") >> Wait("W3", seconds_path="$.s")
    ex = Workflow("w", chain).run_local({"s": 60}, clock=SimulatedClock(T0))
    assert ex.status == "SUCCEEDED"
    assert ex.stop == T0 + timedelta(days=1, seconds=60)
    stamps = [e["timestamp"] for e in ex.history]
    assert stamps == sorted(stamps)


def test_execution_timeout() -> None:
    wf = Workflow("w", Wait("W", seconds=100) >> Pass("After"), timeout_seconds=50)
    ex = wf.run_local({})
    assert (ex.status, ex.error) == ("TIMED_OUT", "States.Timeout")
    assert types(ex)[-1] == "ExecutionTimedOut"


def test_data_limit_exceeded() -> None:
    def big(payload: Any) -> Any:
        return "x" * 300_000

    ex = Workflow("w", Task("T", FN)).run_local({}, services={"work": big})
    assert ex.error == "States.DataLimitExceeded"


def test_unresolved_resources_fail_before_the_run() -> None:
    wf = Workflow("w", Task("A", FN) >> Task("B", "arn:aws:states:::dynamodb:getItem"))
    with pytest.raises(UnresolvedResourceError) as info:
        wf.run_local({})
    assert info.value.unresolved == {"A": FN, "B": "arn:aws:states:::dynamodb:getItem"}
    assert "services={...}" in str(info.value)


def test_invalid_definitions_do_not_run() -> None:
    with pytest.raises(WorkflowValidationError):
        Workflow.from_asl({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}).run_local({})


def test_callables_by_resource_arn_and_states_errors_pass_through() -> None:
    def get_item(params: Any) -> Any:
        if params["Key"] == "bad":
            raise StatesError("DynamoDB.ResourceNotFoundException", "no table")
        return {"Item": {"id": params["Key"]}}

    task = Task("Get", "arn:aws:states:::dynamodb:getItem", parameters={"Key": Ref("$.k")})
    wf = Workflow("w", task)
    services = {"arn:aws:states:::dynamodb:getItem": get_item}
    assert wf.run_local({"k": "a"}, services=services).output == {"Item": {"id": "a"}}
    failed = wf.run_local({"k": "bad"}, services=services)
    assert failed.error == "DynamoDB.ResourceNotFoundException"
    scheduled = failed.history[2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("dynamodb", "getItem")


def test_task_token_is_in_the_context() -> None:
    tokens: list[str] = []

    def send(params: Any) -> Any:
        tokens.append(params["token"])
        return {"approved": True}

    task = Task("Ask", "arn:aws:states:::sqs:sendMessage.waitForTaskToken", parameters={"token": Ref("$$.Task.Token")})
    ex = Workflow("w", task).run_local({}, services={"arn:aws:states:::sqs:sendMessage": send})
    assert ex.output == {"approved": True} and len(tokens[0]) == 32


def test_invokers_run_functions_deployed_elsewhere() -> None:
    arn = "arn:aws:lambda:us-east-1:1:function:work:live"

    class Cloud:  # gets the FunctionName as written, so the qualifier (the version to run) is kept
        def has_function(self, name: str) -> bool:
            return name == arn

        def invoke(self, name: str, payload: Any) -> Any:
            return {"ran": name, "with": payload}

    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:1:function:work:live", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }
    ex = Workflow.from_asl(definition).run_local({"x": 1}, services=[Cloud()])
    assert ex.output == {"ran": arn, "with": {"x": 1}}


def test_events_are_reported_live_with_aws_fields() -> None:
    seen: list[dict[str, Any]] = []
    ex = Workflow("w", Pass("A") >> Succeed("B")).run_local({"a": 1}, on_event=seen.append, clock=SimulatedClock(T0))
    assert seen == ex.history
    assert types(ex) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    assert [e["id"] for e in seen] == [1, 2, 3, 4, 5, 6]
    assert [e["previousEventId"] for e in seen] == [0, 1, 2, 3, 4, 5]
    assert seen[0]["executionStartedEventDetails"]["input"] == '{"a":1}'
    entered = {"name": "A", "input": '{"a":1}', "inputDetails": {"truncated": False}}
    assert seen[1]["stateEnteredEventDetails"] == entered
    assert seen[-1]["executionSucceededEventDetails"]["output"] == '{"a":1}'
    assert seen[0]["timestamp"] == T0


def test_an_executor_runs_many_times() -> None:
    executor = Executor(Workflow("w", Pass("A", parameters={"v.$": "$.v"})).to_asl())
    assert [executor.run({"v": i}).output for i in range(3)] == [{"v": 0}, {"v": 1}, {"v": 2}]


def test_fail_inside_a_loop_counts_visits() -> None:
    count = Pass("Count", parameters={"n.$": "States.MathAdd($.n, 1)"})
    check = Choice("More?").when(Var("$.n") < 5, count).otherwise(Fail("Stop", error="Done", cause="five"))
    count.next = check
    ex = Workflow("loop", count).run_local({"n": 0})
    assert (ex.error, ex.cause) == ("Done", "five")
    assert types(ex).count("PassStateEntered") == 5


def test_endless_loops_stop_at_the_history_limit() -> None:
    loop = Pass("Again")
    loop.next = Choice("Stop?").when(Var("$.stop").is_present(), Succeed("Stopped")).otherwise(loop)
    executor = Executor(Workflow("w", loop).to_asl(), max_events=500)
    ex = executor.run({})
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert len(ex.history) == 500 and types(ex)[-1] == "ExecutionFailed"


def test_input_must_be_json() -> None:
    with pytest.raises(WorkflowError, match="must be JSON data"):
        Workflow("w", Pass("A")).run_local({"when": object()})


def test_lambda_invoker_runs_deployed_functions_through_a_boto3_client() -> None:
    import io
    import json

    from coworks.biz.engine.invokers import BotoLambdaInvoker

    class FakeLambda:
        def get_function(self, FunctionName: str) -> Any:  # noqa: N803 - boto3's spelling
            if FunctionName != "inventory":
                raise LookupError(FunctionName)
            return {}

        def invoke(self, FunctionName: str, Payload: bytes) -> Any:  # noqa: N803
            event = json.loads(Payload)
            if event["path"] == "/item/404":
                body = {"errorType": "HTTP404", "errorMessage": "not found"}
                return {"FunctionError": "Unhandled", "Payload": io.BytesIO(json.dumps(body).encode())}
            return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps({"id": 3}).encode())}

    definition = {
        "StartAt": "Get",
        "States": {
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "inventory", "Payload": {"method": "GET", "path.$": "$.path"}},
                "ResultSelector": {"body.$": "$.Payload"},
                "Catch": [{"ErrorEquals": ["HTTP404"], "ResultPath": "$.error", "Next": "Missing"}],
                "End": True,
            },
            "Missing": {"Type": "Pass", "End": True},
        },
    }
    wf = Workflow.from_asl(definition)
    invoker = BotoLambdaInvoker(FakeLambda())
    assert wf.run_local({"path": "/item/3"}, services=[invoker]).output == {"body": {"id": 3}}
    missing = wf.run_local({"path": "/item/404"}, services=[invoker])
    assert missing.output["error"]["Error"] == "HTTP404"
    unknown = Workflow.from_asl(json.dumps(definition).replace('"inventory"', '"other"'))
    with pytest.raises(UnresolvedResourceError):
        unknown.run_local({}, services=[invoker])


def test_real_time_tasks_are_cut_off_at_their_timeout() -> None:
    from coworks.biz.engine.clock import RealClock

    class InstantTimeout(RealClock):
        """A real clock whose waits for a task give up at once (no real waiting in tests)."""

        def call_with_timeout(self, func: Any, timeout: float) -> Any:
            self.asked = timeout
            raise TimeoutError

    def never_called(payload: Any) -> Any:  # pragma: no cover - cut off before it runs
        return payload

    clock = InstantTimeout()
    ex = Workflow("w", Task("T", FN, timeout_seconds=3)).run_local({}, services={"work": never_called}, clock=clock)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert clock.asked == 3.0 and "LambdaFunctionTimedOut" in types(ex)
    assert RealClock().call_with_timeout(lambda: 42, 5) == 42
    with pytest.raises(ValueError, match="boom"):
        RealClock().call_with_timeout(lambda: (_ for _ in ()).throw(ValueError("boom")), 5)
