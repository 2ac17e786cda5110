"""Reading a history: each state's status (local runs and AWS-shaped events alike), the event table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from coworks.biz import Workflow
from coworks.biz.history import history_table, state_statuses

from .support import T0, sample_workflow


def statuses_of(wf: Workflow, data: Any, services: dict[str, Any]) -> dict[str, str]:
    return wf.run_local(data, services=services).states()


def test_execution_statuses_from_history() -> None:
    attempts: list[int] = []

    def flaky(payload: Any) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise type("Flaky", (Exception,), {})("once")
        return payload

    wf = sample_workflow()
    statuses = statuses_of(wf, {"n": 1, "items": [1]}, {"work": flaky})
    assert statuses["Work"] == "retried"
    assert statuses["Small"] == "succeeded" and statuses["Item"] == "succeeded"
    assert "Yes" not in statuses and "Oops" not in statuses

    def broken(payload: Any) -> Any:
        raise RuntimeError("no")

    statuses = statuses_of(wf, {"n": 1}, {"work": broken})
    assert statuses["Work"] == "caught" and statuses["Oops"] == "failed"


def test_running_and_failed_states() -> None:
    history: list[dict[str, Any]] = [
        {"type": "ExecutionStarted"},
        {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "A"}},
    ]
    assert state_statuses(history) == {"A": "running"}
    history.append({"type": "ExecutionFailed"})
    assert state_statuses(history) == {"A": "failed"}


def test_the_table_has_one_row_per_event_with_its_offset_state_and_function() -> None:
    history = [
        {"id": 1, "timestamp": T0, "type": "ExecutionStarted", "executionStartedEventDetails": {"input": "{}"}},
        {"id": 2, "timestamp": T0 + timedelta(seconds=1.5), "type": "TaskScheduled",
         "taskScheduledEventDetails": {"parameters": '{"FunctionName": "arn:aws:lambda:us-east-1:1:function:bill"}'}},
        {"id": 3, "timestamp": T0 + timedelta(seconds=2), "type": "TaskStateExited",
         "stateExitedEventDetails": {"name": "Bill", "output": "{}"}},
        {"id": 4, "timestamp": T0 + timedelta(seconds=2), "type": "ExecutionFailed",
         "executionFailedEventDetails": {"error": "HTTP500"}},
    ]
    table = history_table(history, title="pay: FAILED")
    assert table.rows == [
        (1, "0.000s", "ExecutionStarted", "", ""),
        (2, "1.500s", "TaskScheduled", "", "bill"),
        (3, "2.000s", "TaskStateExited", "Bill", ""),
        (4, "2.000s", "ExecutionFailed", "", "HTTP500"),
    ]
    assert history_table([]).rows == []
