"""Running deployed workflows: start, describe, stop, list executions and read their history.

The same boto3 ``stepfunctions`` calls reach AWS or the local cloud (whose front door runs the
executions with the Coworks executor), so an execution looks the same on both: a
``CloudExecution`` with the fields of ``run_local``'s result, and a history of
GetExecutionHistory events that ``Workflow.graph(history=...)`` draws. ``AwsCloud`` holds one
``Executions`` and answers ``start_execution`` and the rest through it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import CloudError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from .clients import Clients

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


class Executions:
    """The executions of a cloud's deployed workflows; ``arn_of(workflow, stage)`` names the state
    machine (the cloud's deploy side knows its account and region)."""

    def __init__(self, clients: Clients, arn_of: Callable[[Any, str], str], *,
                 sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
        self.clients = clients
        self.arn_of = arn_of
        self.sleep = sleep
        self.clock = clock

    def start(self, workflow: Any, input: Any = None, *, stage: str = "dev", name: str | None = None) -> str:
        """Start the workflow deployed at ``stage`` (a ``Workflow``, its name, ``module:attr`` or the
        state machine ARN) with ``input`` (JSON data); returns the execution's ARN."""
        arn = self.arn_of(workflow, stage)
        params: dict[str, Any] = {"stateMachineArn": arn, "input": json.dumps({} if input is None else input)}
        if name:
            params["name"] = name
        return str(self.clients.call("stepfunctions", "start_execution", arn.rsplit(":", 1)[-1],
                                     **params)["executionArn"])

    def describe(self, execution_arn: str) -> CloudExecution:
        """The execution's status, and its output or error once it ended."""
        answer = self.clients.call("stepfunctions", "describe_execution", _short(execution_arn),
                                   executionArn=execution_arn)
        return CloudExecution.from_aws(answer)

    def stop(self, execution_arn: str, error: str | None = None, cause: str | None = None) -> CloudExecution:
        """Abort a running execution (its status becomes ABORTED); returns it as described after."""
        params = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        self.clients.call("stepfunctions", "stop_execution", _short(execution_arn), executionArn=execution_arn,
                          **params)
        return self.describe(execution_arn)

    def of(self, workflow: Any, stage: str = "dev", status: str | None = None) -> list[CloudExecution]:
        """The executions of the workflow at ``stage``, newest first (``status`` filters, e.g. RUNNING)."""
        arn = self.arn_of(workflow, stage)
        params: dict[str, Any] = {"stateMachineArn": arn, **({"statusFilter": status} if status else {})}
        pages = self.clients.pages("stepfunctions", "list_executions", arn.rsplit(":", 1)[-1], **params)
        return [CloudExecution.from_aws(item) for page in pages for item in page.get("executions", [])]

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every history event of the execution, oldest first, as GetExecutionHistory gives them."""
        pages = self.clients.pages("stepfunctions", "get_execution_history", _short(execution_arn),
                                   executionArn=execution_arn, maxResults=1000)
        return [event for page in pages for event in page.get("events", [])]

    def wait(self, execution_arn: str, timeout: float = 300.0, interval: float = 1.0) -> CloudExecution:
        """Poll until the execution ends (at most ``timeout`` seconds); returns it as described then."""
        deadline = self.clock() + timeout
        while True:
            execution = self.describe(execution_arn)
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
