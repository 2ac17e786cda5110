"""Reading an execution's history: each state's status, and the events as a table.

The history is GetExecutionHistory's list of events, from a local run (``Execution.history``,
or an ``on_event`` callback's events so far) or from AWS, so a local run and a deployed one read
the same: the graph colours states by their status, the notebook's live view does too, and the
table has the same columns in a terminal (``cws run-workflow``) and in a notebook.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from coworks.runtime.describe.tables import Table


def history_table(history: list[dict[str, Any]], title: str = "") -> Table:
    """The events of an execution: id, time since the start, type, state and detail."""
    start = history[0]["timestamp"] if history else None
    rows = []
    for event in history:
        details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
        when = event["timestamp"]
        offset = f"{(when - start).total_seconds():.3f}s" if isinstance(when, datetime) and start else ""
        detail = details.get("error") or _function(details.get("parameters"))
        rows.append((event["id"], offset, event["type"], details.get("name", ""), detail))
    return Table(("id", "at", "event", "state", "detail"), rows, title)


def _function(parameters: Any) -> str:
    """The function a Lambda Task calls, from TaskScheduled's parameters (JSON text)."""
    try:
        name = json.loads(parameters).get("FunctionName", "") if isinstance(parameters, str) else ""
    except (ValueError, AttributeError):
        return ""
    return str(name).split(":function:")[-1] if isinstance(name, str) else ""


_TASK_EVENTS = ("TaskScheduled", "LambdaFunctionScheduled")
_TASK_FAILURES = (
    "TaskFailed",
    "TaskTimedOut",
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "MapStateFailed",
    "ParallelStateFailed",
)


def state_statuses(history: list[dict[str, Any]]) -> dict[str, str]:
    """Each state's status from GetExecutionHistory-shaped events (local or AWS).

    ``succeeded`` (exited), ``retried`` (exited after a failed attempt was retried), ``caught``
    (failed, then exited through a Catch), ``failed`` (failed and not recovered), ``running``
    (entered, not yet exited). States absent from the result have not started.
    """
    status: dict[str, str] = {}
    failed: set[str] = set()
    retried: set[str] = set()
    open_states: list[str] = []
    for event in history:
        kind = event.get("type", "")
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            status[name] = "running"
            failed.discard(name)
            retried.discard(name)
            open_states.append(name)
            if kind == "FailStateEntered":
                status[name] = "failed"
        elif kind.endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            status[name] = "caught" if name in failed else ("retried" if name in retried else "succeeded")
            if name in open_states:
                open_states.reverse()
                open_states.remove(name)
                open_states.reverse()
        elif kind in _TASK_FAILURES and open_states:
            failed.add(_owner(open_states, status))
        elif kind in _TASK_EVENTS and open_states:
            owner = _owner(open_states, status)
            if owner in failed:
                failed.discard(owner)
                retried.add(owner)
        elif kind in ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
            for name in open_states:
                if status.get(name) == "running":
                    status[name] = "failed"
    return status


def _owner(open_states: list[str], status: dict[str, str]) -> str:
    for name in reversed(open_states):
        if status.get(name) == "running":
            return name
    return open_states[-1]
