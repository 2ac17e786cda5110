"""Running deployed workflows: start, describe, stop, list executions and read their history.

The same boto3 ``stepfunctions`` calls reach AWS or the local cloud (whose front door runs the
executions with the Coworks executor), so an execution looks the same on both: a
``CloudExecution`` with the fields of ``run_local``'s result, and a history of
GetExecutionHistory events that ``Workflow.graph(history=...)`` draws.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import CloudError

FINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass(frozen=True)
class CloudExecution:
    """One execution on a cloud: ``status`` is RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED."""

    arn: str
    name: str
    status: str
    state_machine_arn: str = ""
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    start: datetime | None = None
    stop: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_aws(cls, answer: dict[str, Any]) -> CloudExecution:
        """From a DescribeExecution (or ListExecutions item) answer."""
        return cls(
            arn=answer["executionArn"],
            name=answer.get("name", answer["executionArn"].rsplit(":", 1)[-1]),
            status=answer.get("status", "RUNNING"),
            state_machine_arn=answer.get("stateMachineArn", ""),
            input=_json(answer.get("input")),
            output=_json(answer.get("output")),
            error=answer.get("error"),
            cause=answer.get("cause"),
            start=answer.get("startDate"),
            stop=answer.get("stopDate"),
            raw={k: v for k, v in answer.items() if k != "ResponseMetadata"},
        )

    @property
    def done(self) -> bool:
        return self.status in FINAL

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class WorkflowExecutions:
    """The execution half of a cloud (mixed into ``AwsCloud``)."""

    clients: Any
    sleep: Any
    clock: Any

    def state_machine_arn(self, workflow: Any, stage: str = "dev") -> str:  # pragma: no cover - WorkflowDeploys
        raise NotImplementedError

    def start_execution(self, workflow: Any, input: Any = None, *, stage: str = "dev", name: str | None = None) -> str:
        """Start the workflow deployed at ``stage`` (a ``Workflow``, its name, ``module:attr`` or the
        state machine ARN) with ``input`` (JSON data); returns the execution's ARN."""
        arn = self.state_machine_arn(workflow, stage)
        params: dict[str, Any] = {"stateMachineArn": arn, "input": json.dumps({} if input is None else input)}
        if name:
            params["name"] = name
        return str(self.clients.call("stepfunctions", "start_execution", arn.rsplit(":", 1)[-1],
                                     **params)["executionArn"])

    def describe_execution(self, execution_arn: str) -> CloudExecution:
        """The execution's status, and its output or error once it ended."""
        answer = self.clients.call("stepfunctions", "describe_execution", _short(execution_arn),
                                   executionArn=execution_arn)
        return CloudExecution.from_aws(answer)

    def stop_execution(self, execution_arn: str, error: str | None = None, cause: str | None = None) -> CloudExecution:
        """Abort a running execution (its status becomes ABORTED); returns it as described after."""
        params = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        self.clients.call("stepfunctions", "stop_execution", _short(execution_arn), executionArn=execution_arn,
                          **params)
        return self.describe_execution(execution_arn)

    def list_executions(self, workflow: Any, stage: str = "dev", status: str | None = None) -> list[CloudExecution]:
        """The executions of the workflow at ``stage``, newest first (``status`` filters, e.g. RUNNING)."""
        arn = self.state_machine_arn(workflow, stage)
        found: list[CloudExecution] = []
        token = None
        while True:
            params: dict[str, Any] = {"stateMachineArn": arn}
            if status:
                params["statusFilter"] = status
            if token:
                params["nextToken"] = token
            page = self.clients.call("stepfunctions", "list_executions", arn.rsplit(":", 1)[-1], **params)
            found += [CloudExecution.from_aws(item) for item in page.get("executions", [])]
            token = page.get("nextToken")
            if not token:
                return found

    def execution_history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every history event of the execution, oldest first, as GetExecutionHistory gives them."""
        events: list[dict[str, Any]] = []
        token = None
        while True:
            params: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
            if token:
                params["nextToken"] = token
            page = self.clients.call("stepfunctions", "get_execution_history", _short(execution_arn), **params)
            events += page.get("events", [])
            token = page.get("nextToken")
            if not token:
                return events

    def wait_execution(self, execution_arn: str, timeout: float = 300.0, interval: float = 1.0) -> CloudExecution:
        """Poll until the execution ends (at most ``timeout`` seconds); returns it as described then."""
        deadline = self.clock() + timeout
        while True:
            execution = self.describe_execution(execution_arn)
            if execution.done:
                return execution
            if self.clock() > deadline:
                raise CloudError(f"The execution {_short(execution_arn)} is still running after {timeout:.0f} s: "
                                 "wait longer or stop it.", resource=execution_arn, code="Timeout")
            self.sleep(interval)


def _short(arn: str) -> str:
    """``workflow-dev:name`` from an execution ARN, for messages."""
    parts = arn.split(":")
    return ":".join(parts[-2:]) if len(parts) > 2 else arn
