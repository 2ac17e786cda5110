"""RedriveExecution on the local cloud, case by case from AWS's pages.

Pages:
- REDRIVE: https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
- API: https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
- DESCRIBE: https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
  (``redriveStatus``, ``redriveStatusReason``)
- CONTEXT: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
  (``$$.Execution.RedriveCount``)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support import poll, remove_named

pytestmark = pytest.mark.localcloud
ROLE = "arn:aws:iam::123456789012:role/states"


@pytest.fixture(scope="module", autouse=True)
def _leave_nothing_behind(front_door_client: Callable[[str], Any]) -> Any:
    yield
    remove_named(front_door_client, ("redo-",))


@pytest.fixture(scope="module")
def sfn(front_door_client: Callable[[str], Any]) -> Any:
    return front_door_client("stepfunctions")


def create(sfn: Any, definition: dict[str, Any]) -> str:
    return str(sfn.create_state_machine(name=f"redo-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                        roleArn=ROLE)["stateMachineArn"])


def ended(sfn: Any, arn: str) -> dict[str, Any]:
    return dict(poll(lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d))


def entered(sfn: Any, arn: str) -> list[str]:
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


#: Fails on the first attempt and succeeds on a redrive: it reads $$.Execution.RedriveCount (CONTEXT).
FIRST_FAILS = {"StartAt": "First?", "States": {
    "First?": {"Type": "Choice", "Choices": [
        {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0, "Next": "Not yet"}], "Default": "Now"},
    "Not yet": {"Type": "Fail", "Error": "NotYet"},
    "Now": {"Type": "Pass", "Parameters": {"redrives.$": "$$.Execution.RedriveCount"}, "End": True}}}
#: A redrive reruns the unsuccessful top-level state: here the Parallel around the choice, not the Fail.
RETRIED = {"StartAt": "Try", "States": {"Try": {"Type": "Parallel", "Branches": [FIRST_FAILS], "End": True}}}


def test_a_redrive_runs_the_definition_the_execution_started_with(sfn: Any) -> None:
    """REDRIVE: "Redriven executions use the same state machine definition ... that was used for the
    original execution attempt"."""
    machine = create(sfn, {"StartAt": "Check", "States": {"Check": {"Type": "Fail", "Error": "Original"}}})
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert ended(sfn, execution)["error"] == "Original"
    sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(
        {"StartAt": "Check", "States": {"Check": {"Type": "Succeed"}}}))
    sfn.redrive_execution(executionArn=execution)
    again = ended(sfn, execution)
    assert (again["status"], again["error"], again["redriveCount"]) == ("FAILED", "Original", 1)


def test_a_parallel_is_redriven_with_its_redrive_count_in_the_context(sfn: Any) -> None:
    """REDRIVE: the unsuccessful step is rerun and the successful ones before it are not; CONTEXT:
    ``$$.Execution.RedriveCount`` is the number of redrives so far."""
    machine = create(sfn, {"StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Next": "Both"},
        "Both": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Steady", "States": {"Steady": {"Type": "Pass", "Result": "steady", "End": True}}},
            FIRST_FAILS]}}})
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    failed = ended(sfn, execution)
    assert (failed["status"], failed["error"], failed["redriveStatus"]) == ("FAILED", "NotYet", "REDRIVABLE")
    sfn.redrive_execution(executionArn=execution)
    done = ended(sfn, execution)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == ["steady", {"redrives": 1}]
    assert (done["redriveStatus"], done["redriveStatusReason"]) == (
        "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven.")
    names = entered(sfn, execution)
    assert names.count("Before") == 1 and names.count("Steady") == 1  # API: only the branch that failed reruns
    assert names.count("First?") == 2


def test_an_inline_map_is_redriven_by_the_iterations_that_failed(sfn: Any) -> None:
    """API: "RedriveExecution ... reschedules and redrives only the iterations and branches that failed"."""
    machine = create(sfn, {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
            "StartAt": "Ready?", "States": {
                "Ready?": {"Type": "Choice", "Choices": [{"And": [
                    {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0},
                    {"Variable": "$.late", "BooleanEquals": True}], "Next": "Not yet"}], "Default": "Take"},
                "Not yet": {"Type": "Fail", "Error": "NotYet"},
                "Take": {"Type": "Pass", "Parameters": {"id.$": "$.id"}, "End": True}}}}}})
    items = [{"id": 1, "late": False}, {"id": 2, "late": True}, {"id": 3, "late": False}]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"items": items}))["executionArn"]
    assert ended(sfn, execution)["status"] == "FAILED"
    first = entered(sfn, execution).count("Ready?")
    sfn.redrive_execution(executionArn=execution)
    done = ended(sfn, execution)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert entered(sfn, execution).count("Ready?") == first + 1  # item 2 alone ran again


class Calendar:
    """Clocks for the local Step Functions that start wherever the test has moved the date to."""

    def __init__(self) -> None:
        self.today = datetime.now(UTC)

    def __call__(self) -> Any:
        from coworks.biz.engine.clock import SimulatedClock

        return SimulatedClock(self.today)


def test_an_execution_is_redrivable_for_14_days_after_it_ended(sfn: Any, front_door: Any) -> None:
    """API: "Your workflow execution has not exceeded the redrivable period of 14 days ... This period
    starts from the day a state machine completes its execution"; DESCRIBE: redriveStatusReason
    "Execution redrivable period exceeded."."""
    from coworks.cloud.local.stepfunctions import Fault, LocalStepFunctions

    calendar = Calendar()
    states = LocalStepFunctions(front_door.app.lambdas, clock=calendar)
    machine = create(sfn, RETRIED)
    early, late = (states.start_execution({"stateMachineArn": machine})["executionArn"] for _ in range(2))
    for arn in (early, late):
        poll(lambda arn=arn: states.describe_execution({"executionArn": arn})["status"] == "FAILED")
    calendar.today += timedelta(days=13, hours=23)
    assert states.describe_execution({"executionArn": early})["redriveStatus"] == "REDRIVABLE"
    states.redrive_execution({"executionArn": early})
    calendar.today += timedelta(hours=2)  # 14 days and an hour after both failed
    described = states.describe_execution({"executionArn": late})
    assert (described["redriveStatus"], described["redriveStatusReason"]) == (
        "NOT_REDRIVABLE", "Execution redrivable period exceeded.")
    with pytest.raises(Fault, match="redrivable period exceeded") as refused:
        states.redrive_execution({"executionArn": late})
    assert refused.value.code == "ExecutionNotRedrivable"
    poll(lambda: states.describe_execution({"executionArn": early})["status"] == "SUCCEEDED")


def test_only_unsuccessful_executions_are_redriven(sfn: Any) -> None:
    """API: "The execution status isn't SUCCEEDED"; a running one is not redrivable either."""
    machine = create(sfn, {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert ended(sfn, execution)["status"] == "SUCCEEDED"
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable, match="Execution is SUCCEEDED"):
        sfn.redrive_execution(executionArn=execution)
    waiting = create(sfn, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
    running = sfn.start_execution(stateMachineArn=waiting)["executionArn"]
    assert sfn.describe_execution(executionArn=running)["redriveStatusReason"] == \
        "Execution is RUNNING and cannot be redriven."
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=running)
    sfn.stop_execution(executionArn=running)
    aborted = ended(sfn, running)
    assert (aborted["status"], aborted["redriveStatus"]) == ("ABORTED", "REDRIVABLE")
