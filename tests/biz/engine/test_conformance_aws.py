"""run_local against what AWS documents and records, class by class.

Each case names the AWS page it follows. Where a page gives no text for an error's cause, the
cause is the one AWS records in executions (as LocalStack's AWS-recorded snapshots reproduce it,
vendored in moto's ``stepfunctions.parser``); those cases say so.

Pages:
- WAIT: https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
- JSONATA: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
- INTRINSICS: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
- FAIL: https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
- ERRORS: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
- CONTEXT: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
- MAP: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
- LAMBDA: https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
- REDRIVE: https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
- EXPRESS: https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html and
  https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html ("Maximum execution time")
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coworks.biz import Workflow
from coworks.biz.engine.clock import SimulatedClock
from coworks.biz.engine.invokers import TaskContext

from ..support import T0

FN = "arn:aws:lambda:us-east-1:123456789012:function:work"


def machine(state: dict[str, Any], ql: str = "JSONPath", **more: Any) -> dict[str, Any]:
    return {"QueryLanguage": ql, "StartAt": "S", "States": {"S": {**state, **more}}}


def run(definition: dict[str, Any], data: Any = None, **services: Any) -> Any:
    return Workflow.from_asl(definition).run_local(data, services=services or None, clock=SimulatedClock(T0))


def failed(ex: Any) -> tuple[str | None, str | None]:
    assert ex.status == "FAILED", ex.output
    return ex.error, ex.cause


# -- Wait (WAIT): SecondsPath must be a non-negative integer, TimestampPath an ISO-8601 date-time with its offset.

@pytest.mark.parametrize(("value", "cause"), [
    (-1, "The SecondsPath parameter references a negative value: $.s == -1"),
    (1.5, "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"),
    ("10", 'The SecondsPath parameter cannot be parsed as a long value: $.s == "10"'),
    (True, "The SecondsPath parameter cannot be parsed as a long value: $.s == true"),
])
def test_wait_seconds_path_must_be_a_non_negative_integer(value: Any, cause: str) -> None:
    ex = run(machine({"Type": "Wait", "SecondsPath": "$.s", "End": True}), {"s": value})
    assert failed(ex) == ("States.Runtime", cause)
    assert ex.history[-1]["executionFailedEventDetails"] == {"error": "States.Runtime", "cause": cause}


def test_wait_seconds_path_to_nothing_names_the_path() -> None:
    ex = run(machine({"Type": "Wait", "SecondsPath": "$.missing", "End": True}), {})
    assert failed(ex) == ("States.Runtime", "The SecondsPath parameter does not reference an input value: $.missing")


@pytest.mark.parametrize("stamp", ["2024-01-01T00:00:00", "2024-01-01", "tomorrow", 1704067200])
def test_wait_timestamp_path_needs_an_offset_date_time(stamp: Any) -> None:
    ex = run(machine({"Type": "Wait", "TimestampPath": "$.t", "End": True}), {"t": stamp})
    shown = stamp if isinstance(stamp, str) else json.dumps(stamp)
    assert failed(ex) == ("States.Runtime", "The TimestampPath parameter does not reference a valid ISO-8601 "
                                            f"extended offset date-time format string: $.t == {shown}")


@pytest.mark.parametrize("stamp", ["2024-01-01T00:00:10Z", "2024-01-01T01:00:10+01:00", "2024-01-01T00:00:10.5Z"])
def test_wait_timestamp_path_with_a_zone_waits_until_then(stamp: str) -> None:
    ex = run(machine({"Type": "Wait", "TimestampPath": "$.t", "End": True}), {"t": stamp})
    assert ex.status == "SUCCEEDED" and ex.stop - ex.start >= timedelta(seconds=10)


@pytest.mark.parametrize(("field", "value", "wanted"), [
    ("Seconds", "{% -5 %}", "a non-negative integer"), ("Seconds", "{% 'ten' %}", "a non-negative integer"),
    ("Timestamp", "{% '2024-01-01T00:00:00' %}", "an ISO-8601 extended offset date-time"),
])
def test_wait_in_jsonata_with_a_bad_value_is_a_query_evaluation_error(field: str, value: str, wanted: str) -> None:
    error, cause = failed(run(machine({"Type": "Wait", field: value, "End": True}, "JSONata"), {}))
    assert error == "States.QueryEvaluationError"
    assert cause is not None and cause.startswith(
        f"The JSONata expression '{value[2:-2].strip()}' specified for the field '{field}' returned an unexpected "
        f"result type. Expected {wanted}")


@given(st.one_of(st.integers(max_value=-1), st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: f != int(f) if abs(f) < 1e15 else False), st.text(max_size=5), st.none(), st.booleans()))
def test_no_bad_seconds_value_escapes_run_local(value: Any) -> None:
    ex = run(machine({"Type": "Wait", "SecondsPath": "$.s", "End": True}), {"s": value})
    assert ex.status == "FAILED" and ex.error == "States.Runtime"


# -- JSONata (JSONATA): undefined, Items, constant Conditions, Arguments as one expression.

def test_an_expression_that_returns_nothing_fails_with_query_evaluation_error() -> None:
    ex = run(machine({"Type": "Pass", "Output": "{% $states.input.missing %}", "End": True}, "JSONata"), {"a": 1})
    assert failed(ex) == ("States.QueryEvaluationError",
                          "The JSONata expression '$states.input.missing' returned nothing (undefined).")
    assert [e["type"] for e in ex.history][-2:] == ["EvaluationFailed", "ExecutionFailed"]
    assert ex.history[-2]["evaluationFailedEventDetails"] == {
        "error": "States.QueryEvaluationError", "state": "S",
        "cause": "The JSONata expression '$states.input.missing' returned nothing (undefined)."}


def test_null_is_a_value_undefined_is_not() -> None:
    ex = run(machine({"Type": "Pass", "Output": {"a": "{% $states.input.a %}", "l": [None]}, "End": True},
                     "JSONata"), {"a": None})
    assert ex.status == "SUCCEEDED" and ex.output == {"a": None, "l": [None]}


def test_map_items_that_are_not_an_array_are_a_query_evaluation_error() -> None:
    definition = machine({"Type": "Map", "Items": "{% $states.input.orders %}", "End": True,
                          "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}},
                         "JSONata")
    assert failed(run(definition, {"orders": {"id": 1}})) == (
        "States.QueryEvaluationError",
        "The JSONata expression '$states.input.orders' specified for the field 'Items' returned an unexpected "
        'result type. Expected \'array\', but was \'object\' for value: {"id":1}')


@pytest.mark.parametrize("condition", [True, "{% true %}"])
def test_a_constant_condition_is_valid(condition: Any) -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": condition, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Succeed", "Output": "yes"}, "No": {"Type": "Succeed", "Output": "no"}}}
    assert Workflow.from_asl(definition).problems() == []
    assert run(definition, {}).output == "yes"


def test_arguments_given_as_one_expression_bind_at_run_time() -> None:
    seen: list[Any] = []
    definition = machine({"Type": "Task", "Resource": FN, "Arguments": "{% $merge([$states.input, {'n': 2}]) %}",
                          "End": True}, "JSONata")
    ex = run(definition, {"a": 1}, work=lambda payload: seen.append(payload) or "ok")
    assert ex.status == "SUCCEEDED" and seen == [{"a": 1, "n": 2}]


def test_a_function_name_computed_from_an_expression_is_called_by_its_value() -> None:
    calls: list[str] = []
    definition = machine({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                          "Arguments": {"FunctionName": "{% 'stock-' & $states.input.stage %}", "Payload": {}},
                          "Output": "{% $states.result.Payload %}"}, "JSONata")
    ex = run(definition, {"stage": "dev"}, **{"stock-dev": lambda payload: (calls.append("stock-dev"), 7)[1]})
    assert ex.status == "SUCCEEDED" and ex.output == 7 and calls == ["stock-dev"]
    missing = run(definition, {"stage": "prod"}, **{"stock-dev": lambda payload: 7})
    assert missing.error == "Lambda.ResourceNotFoundException" and "{%" not in (missing.cause or "")


# -- Intrinsics (INTRINSICS).

@pytest.mark.parametrize(("a", "b", "total"), [(1.5, 1, 3), (2.5, 0, 3), (-2.5, 0, -2), (-2.6, 0, -3), (1.4, 1.4, 2),
                                                (111, -1, 110)])
def test_math_add_rounds_non_integers_to_the_nearest_integer(a: float, b: float, total: int) -> None:
    ex = run(machine({"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($.a, $.b)"}, "End": True}),
             {"a": a, "b": b})
    assert ex.output == {"v": total}


def test_format_interpolates_objects_and_arrays_as_aws_does() -> None:
    """No page says it; AWS's recorded executions do: ``fst={Arg1=1, Arg2=[]}`` (LocalStack's
    AWS-validated snapshot tests/aws/services/stepfunctions/v2/intrinsic_functions/test_generic)."""
    ex = run(machine({"Type": "Pass", "Parameters": {"v.$": "States.Format('{} and {} and {}', $.o, $.l, $.n)"},
                      "End": True}), {"o": {"a": 1, "b": "x"}, "l": [1, "two", None], "n": None})
    assert ex.output == {"v": "{a=1, b=x} and [1, two, null] and null"}


def test_string_to_json_of_the_empty_string_is_null() -> None:
    ex = run(machine({"Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.s)"}, "End": True}), {"s": ""})
    assert ex.status == "SUCCEEDED" and ex.output == {"v": None}


def test_escapes_in_intrinsic_strings() -> None:
    parameters = {"quote.$": r"States.Format('it\'s {}', $.n)", "brace.$": r"States.Format('\{} is {}', $.n)",
                  "slash.$": r"States.Array('a\\b')"}
    ex = run(machine({"Type": "Pass", "Parameters": parameters, "End": True}), {"n": 1})
    assert ex.output == {"quote": "it's 1", "brace": "{} is 1", "slash": ["a\\b"]}


# -- Fail, errors, timeouts (FAIL, ERRORS).

def test_fail_without_error_or_cause_reports_none() -> None:
    ex = run(machine({"Type": "Fail"}))
    assert (ex.status, ex.error, ex.cause) == ("FAILED", None, None)
    assert ex.history[-1]["type"] == "ExecutionFailed" and ex.history[-1]["executionFailedEventDetails"] == {}
    only_error = run(machine({"Type": "Fail", "Error": "Oops"}))
    assert only_error.history[-1]["executionFailedEventDetails"] == {"error": "Oops"}


def test_states_all_catches_data_limit_exceeded() -> None:
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN, "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}]},
        "Caught": {"Type": "Pass", "End": True}, "Done": {"Type": "Succeed"}}}
    ex = run(definition, {}, work=lambda payload: "x" * 300_000)
    assert ex.status == "SUCCEEDED" and ex.output["error"]["Error"] == "States.DataLimitExceeded"


def test_a_task_timeout_has_no_invented_cause() -> None:
    def slow(payload: Any, ctx: TaskContext) -> str:
        ctx.clock.sleep(5)
        return "late"

    ex = run(machine({"Type": "Task", "Resource": FN, "TimeoutSeconds": 2, "End": True}), {}, work=slow)
    assert (ex.error, ex.cause) == ("States.Timeout", None)
    timed_out = next(e for e in ex.history if e["type"] == "LambdaFunctionTimedOut")
    assert timed_out["lambdaFunctionTimedOutEventDetails"] == {"error": "States.Timeout"}


# -- The context object (CONTEXT): RetryCount where AWS sets it, times as AWS writes them.

def test_retry_count_is_in_the_context_of_states_that_retry_only() -> None:
    attempts: list[Any] = []

    def flaky(payload: Any) -> Any:
        attempts.append(payload)
        if len(attempts) < 2:
            raise RuntimeError("again")
        return payload

    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"state.$": "$$.State"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": FN, "Parameters": {"n.$": "$$.State.RetryCount"}, "End": True,
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}]}}}
    ex = run(definition, {}, work=flaky)
    assert ex.status == "SUCCEEDED" and attempts == [{"n": 0}, {"n": 1}]
    passed = json.loads(next(e for e in ex.history if e["type"] == "PassStateExited")["stateExitedEventDetails"]
                        ["output"])
    assert set(passed["state"]) == {"EnteredTime", "Name"}


def test_context_times_are_utc_with_milliseconds_and_z() -> None:
    ex = run(machine({"Type": "Pass", "Parameters": {"start.$": "$$.Execution.StartTime",
                                                     "entered.$": "$$.State.EnteredTime"}, "End": True}))
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", v) for v in ex.output.values())
    assert all(e["timestamp"].microsecond % 1000 == 0 for e in ex.history)


# -- Map (MAP): MaxConcurrencyPath and ToleratedFailure*Path are checked; the legacy Iterator takes ProcessorConfig.

def _map(**fields: Any) -> dict[str, Any]:
    return machine({"Type": "Map", "ItemsPath": "$.items", "End": True,
                    "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, **fields})


@pytest.mark.parametrize(("fields", "data", "cause"), [
    ({"MaxConcurrencyPath": "$.c"}, {"c": "many"},
     'The MaxConcurrencyPath field refers to value "many" which is not a valid integer: $.c'),
    ({"MaxConcurrencyPath": "$.c"}, {"c": -1}, "Expected non-negative integer for MaxConcurrency, got '-1' instead."),
    ({"ToleratedFailureCountPath": "$.c"}, {"c": 1.5},
     'The ToleratedFailureCountPath field refers to value "1.5" which is not a valid integer: $.c'),
    ({"ToleratedFailureCountPath": "$.c"}, {"c": -2}, "ToleratedFailureCount cannot be negative."),
    ({"ToleratedFailurePercentagePath": "$.c"}, {"c": "half"},
     'The ToleratedFailurePercentagePath field refers to value "half" which is not a valid float: $.c'),
    ({"ToleratedFailurePercentagePath": "$.c"}, {"c": 101}, "ToleratedFailurePercentage must be between 0 and 100."),
])
def test_map_limits_read_by_path_are_checked(fields: dict[str, Any], data: dict[str, Any], cause: str) -> None:
    assert failed(run(_map(**fields), {"items": [1, 2], **data})) == ("States.Runtime", cause)


def test_map_limits_read_by_path_accept_numbers_and_numeric_strings() -> None:
    ex = run(_map(MaxConcurrencyPath="$.c", ToleratedFailureCountPath="$.n"), {"items": [1, 2], "c": "1", "n": 0})
    assert ex.status == "SUCCEEDED" and ex.output == [1, 2]


def test_the_legacy_iterator_accepts_processor_config() -> None:
    definition = machine({"Type": "Map", "ItemsPath": "$", "End": True, "Iterator": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}})
    assert Workflow.from_asl(definition).problems() == []
    assert run(definition, [1, 2]).output == [1, 2]


# -- lambda:invoke (LAMBDA): the SDK's response with its HTTP metadata; error causes compact.

def test_lambda_invoke_results_carry_the_sdk_metadata() -> None:
    definition = machine({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                          "Parameters": {"FunctionName": "work", "Payload.$": "$"}})
    out = run(definition, {"a": 1}, work=lambda payload: {"got": payload}).output
    assert set(out) == {"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}
    assert out["Payload"] == {"got": {"a": 1}} and out["StatusCode"] == 200 and out["ExecutedVersion"] == "$LATEST"
    http = out["SdkHttpMetadata"]
    assert http["HttpStatusCode"] == 200 and http["HttpHeaders"]["X-Amz-Executed-Version"] == "$LATEST"
    assert http["HttpHeaders"]["Content-Length"] == str(len('{"got":{"a":1}}'))
    assert http["AllHttpHeaders"]["Content-Type"] == ["application/json"]
    assert out["SdkResponseMetadata"]["RequestId"] == http["HttpHeaders"]["x-amzn-RequestId"]


def test_lambda_error_causes_are_compact_json() -> None:
    def boom(payload: Any) -> Any:
        raise ValueError("bad value")

    definition = machine({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                          "Parameters": {"FunctionName": "work", "Payload.$": "$"}})
    ex = run(definition, {}, work=boom)
    assert ex.error == "ValueError" and ex.cause is not None
    assert ex.cause.startswith('{"errorMessage":"bad value","errorType":"ValueError","requestId":"')
    assert json.loads(ex.cause)["errorMessage"] == "bad value"


def test_a_coworks_service_error_reaches_the_state_machine_as_lambda_sends_it() -> None:
    """ERRORS: a function error's name is the Lambda ``errorType`` (``HTTP404`` for a Coworks service
    answering 404), its cause Lambda's error payload, which a Catch hands on as ``Cause``."""
    from coworks import TechMicroService, entry

    class Stock(TechMicroService):
        @entry
        def get_item(self, item_id: int):  # type: ignore[no-untyped-def]
            return f"no item {item_id}", 404

    stock = Stock(name="stock")
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
            "Parameters": {"FunctionName": "stock", "Payload": {"method": "GET", "path": "/item/7"}}}
    ex = Workflow.from_asl(machine(task)).run_local({}, services=[stock], clock=SimulatedClock(T0))
    assert ex.error == "HTTP404" and ex.cause is not None
    cause = json.loads(ex.cause)
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert cause["errorType"] == "HTTP404" and "no item 7" in cause["errorMessage"]
    assert re.fullmatch(r"[0-9a-f-]{36}", cause["requestId"])
    assert cause["stackTrace"] and all(line.startswith('  File "') for line in cause["stackTrace"])
    definition = machine({**task, "Catch": [{"ErrorEquals": ["HTTP404"], "Next": "Missing"}]})
    definition["States"]["Missing"] = {"Type": "Pass", "End": True}
    handled = Workflow.from_asl(definition).run_local({}, services=[stock], clock=SimulatedClock(T0))
    assert handled.status == "SUCCEEDED" and handled.output["Error"] == "HTTP404"
    assert json.loads(handled.output["Cause"])["errorType"] == "HTTP404"


def test_a_time_a_task_returns_is_recorded_as_aws_writes_times() -> None:
    from datetime import UTC, datetime

    ex = run(machine({"Type": "Task", "Resource": FN, "End": True}), {},
             work=lambda payload: {"at": datetime(2024, 1, 1, 1, 2, 3, 456789, tzinfo=UTC)})
    succeeded = next(e for e in ex.history if e["type"] == "LambdaFunctionSucceeded")
    assert json.loads(succeeded["lambdaFunctionSucceededEventDetails"]["output"]) == {"at": "2024-01-01T01:02:03.456Z"}


# -- Express (EXPRESS): an execution lasts 5 minutes at most, then times out; Standard ones may go on.

LONG_WAIT: dict[str, Any] = {"StartAt": "Wait", "States": {
    "Wait": {"Type": "Wait", "Seconds": 600, "Next": "After"},
    "After": {"Type": "Pass", "End": True}}}


def express(definition: dict[str, Any], data: Any = None, **services: Any) -> Any:
    return Workflow.from_asl(definition).run_local(data, services=services or None, clock=SimulatedClock(T0),
                                                   type="EXPRESS")


def test_an_express_execution_times_out_after_five_minutes() -> None:
    ex = express(LONG_WAIT)
    assert (ex.status, ex.error) == ("TIMED_OUT", "States.Timeout")
    kinds = [e["type"] for e in ex.history]
    assert kinds[-1] == "ExecutionTimedOut" and "PassStateEntered" not in kinds  # nothing runs after the deadline
    assert ex.stop - ex.start == timedelta(minutes=5)
    standard = Workflow.from_asl(LONG_WAIT).run_local(clock=SimulatedClock(T0))
    assert standard.status == "SUCCEEDED"


def test_an_express_deadline_is_caught_by_no_catch() -> None:
    slow_task = {"Type": "Task", "Resource": FN, "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 200,
                                                           "MaxAttempts": 5, "BackoffRate": 1}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "Next": "Done"}

    def fails(params: Any) -> Any:
        raise RuntimeError("down")

    caught = {"StartAt": "S", "States": {"S": slow_task, "Caught": {"Type": "Pass", "End": True},
                                         "Done": {"Type": "Succeed"}}}
    ex = express(caught, work=fails)
    assert ex.status == "TIMED_OUT" and "PassStateEntered" not in [e["type"] for e in ex.history]


def test_an_express_deadline_inside_a_map_or_a_parallel_is_not_theirs_to_tolerate_or_catch() -> None:
    tolerant = machine({"Type": "Map", "ToleratedFailurePercentage": 100, "End": True, "ItemProcessor": {
        "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 400, "End": True}}}})
    assert express(tolerant, [1, 2]).status == "TIMED_OUT"
    parallel = machine({"Type": "Parallel", "End": True, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                        "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 301, "End": True}}}]})
    parallel["States"]["C"] = {"Type": "Pass", "End": True}
    assert express(parallel).status == "TIMED_OUT"


def test_an_express_machine_keeps_a_shorter_timeout_of_its_own() -> None:
    ex = express({**LONG_WAIT, "TimeoutSeconds": 60})
    assert ex.status == "TIMED_OUT" and ex.stop - ex.start == timedelta(minutes=1)
    assert express({**LONG_WAIT, "States": {**LONG_WAIT["States"], "Wait": {
        "Type": "Wait", "Seconds": 299, "Next": "After"}}}).status == "SUCCEEDED"


# -- Redrive (REDRIVE): "For workflows that include an Inline Map or Parallel state, RedriveExecution
#    ... reschedules and redrives only the iterations and branches that failed or aborted."

class Flaky:
    """A function that fails for the inputs named, until ``mend()``; it counts what it was called with."""

    def __init__(self, *failing: Any) -> None:
        self.failing: list[Any] = list(failing)
        self.calls: list[Any] = []

    def __call__(self, payload: Any) -> Any:
        self.calls.append(payload)
        if payload in self.failing:
            raise RuntimeError(f"{payload} is not ready")
        return {"done": payload}

    def mend(self) -> None:
        self.failing.clear()


def redriven(definition: dict[str, Any], data: Any, work: Flaky) -> tuple[Any, Any]:
    from coworks.biz.engine.executor import Executor

    executor = Executor(definition, services={"work": work}, clock=SimulatedClock(T0))
    first = executor.run(data)
    work.mend()
    return first, executor.run(data, redrive_count=1, reuse=first.kept)


def test_a_redrive_reruns_only_the_parallel_branches_that_failed() -> None:
    branch = [{"StartAt": f"B{n}", "States": {f"B{n}": {"Type": "Task", "Resource": FN, "Parameters": n,
                                                        "End": True}}} for n in (1, 2, 3)]
    work = Flaky(2)
    first, second = redriven(machine({"Type": "Parallel", "Branches": branch, "End": True}), {}, work)
    assert first.status == "FAILED" and second.status == "SUCCEEDED"
    assert second.output == [{"done": 1}, {"done": 2}, {"done": 3}]
    assert work.calls.count(1) == 1 and work.calls.count(2) == 2  # branch 1 ran once; 3 never failed


def test_a_redrive_reruns_only_the_map_iterations_that_failed() -> None:
    each = machine({"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
        "StartAt": "Do", "States": {"Do": {"Type": "Task", "Resource": FN, "End": True}}}},
        ToleratedFailureCount=0)
    work = Flaky(2, 4)
    first, second = redriven(each, {"items": [1, 2, 3, 4]}, work)
    assert (first.status, first.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert second.output == [{"done": n} for n in (1, 2, 3, 4)]
    assert sorted(work.calls) == [1, 2, 2, 3, 4, 4]  # the items that succeeded are not run again


def test_a_redrive_reuses_a_branch_once_and_a_loop_entering_the_parallel_again_runs_it_afresh() -> None:
    from coworks.biz.engine.executor import Executor

    task = {"Type": "Task", "Resource": FN, "End": True}
    loop = {"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "ResultPath": "$.last", "Next": "Again?", "Branches": [
            {"StartAt": "A", "States": {"A": {**task, "InputPath": "$.n"}}},
            {"StartAt": "B", "States": {"B": {**task, "Parameters": {"b.$": "$.n"}}}}]},
        "Again?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Next"}],
                   "Default": "Done"},
        "Next": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Both"},
        "Done": {"Type": "Succeed"}}}
    work = Flaky({"b": 2})
    executor = Executor(loop, services={"work": work}, clock=SimulatedClock(T0))
    first = executor.run({"n": 1})
    assert first.status == "FAILED" and work.calls[-2:] == [2, {"b": 2}]
    work.mend()
    work.calls.clear()
    second = executor.run({"n": 2}, redrive_count=1, reuse=first.kept)  # from the failed entry, with its input
    assert work.calls == [{"b": 2}, 3, {"b": 3}]  # A of n=2 is reused; the entry for n=3 runs both
    assert second.output == {"n": 3, "last": [{"done": 3}, {"done": {"b": 3}}]}
