"""The execution calls of a cloud, over a fake client: shapes, paging, and a bounded wait."""

from __future__ import annotations

from typing import Any

import pytest

from coworks.cloud.clients import Clients
from coworks.cloud.errors import CloudError
from coworks.cloud.executions import CloudExecution, Executions

ARN = "arn:aws:states:us-east-1:123456789012:execution:wf-orders-dev:first"


class FakeClients(Clients):
    def __init__(self, answers: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__(session=None)
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, service: str, method: str, resource: str | None, /, **params: Any) -> Any:
        self.calls.append((method, params))
        answers = self.answers[method]
        return answers.pop(0) if len(answers) > 1 else answers[0]


class Cloud:
    """The executions of a cloud, as AwsCloud holds them, with a fake clock."""

    def __init__(self, clients: FakeClients) -> None:
        self.clients = clients
        self.now = 0.0
        self.sleeps: list[float] = []
        self.executions = Executions(clients, self.state_machine_arn, sleep=self.sleep, clock=self.clock)
        self.start_execution, self.execution_history = self.executions.start, self.executions.history
        self.list_executions, self.wait_execution = self.executions.of, self.executions.wait

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def state_machine_arn(self, workflow: Any, stage: str = "dev") -> str:
        return f"arn:aws:states:us-east-1:123456789012:stateMachine:{workflow}-{stage}"


def test_an_execution_reads_its_json_input_and_output() -> None:
    ex = CloudExecution.from_aws({"executionArn": ARN, "status": "SUCCEEDED", "input": '{"a": 1}',
                                  "output": '{"b": 2}', "ResponseMetadata": {}})
    assert (ex.name, ex.input, ex.output, ex.done, ex.succeeded) == ("first", {"a": 1}, {"b": 2}, True, True)
    assert "ResponseMetadata" not in ex.raw


def test_start_sends_the_input_as_json_to_the_stage_state_machine() -> None:
    cloud = Cloud(FakeClients({"start_execution": [{"executionArn": ARN}]}))
    assert cloud.start_execution("wf-orders", {"orders": []}, stage="prod", name="first") == ARN
    assert cloud.clients.calls == [("start_execution", {
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:wf-orders-prod",
        "input": '{"orders": []}', "name": "first"})]


def test_history_and_listings_follow_every_page() -> None:
    cloud = Cloud(FakeClients({
        "get_execution_history": [{"events": [{"id": 1}], "nextToken": "1"}, {"events": [{"id": 2}]}],
        "list_executions": [{"executions": [{"executionArn": ARN, "status": "RUNNING"}]}],
    }))
    assert [e["id"] for e in cloud.execution_history(ARN)] == [1, 2]
    assert cloud.clients.calls[1] == ("get_execution_history", {"executionArn": ARN, "maxResults": 1000,
                                                                "nextToken": "1"})
    assert [e.status for e in cloud.list_executions("wf-orders", status="RUNNING")] == ["RUNNING"]


def test_waiting_polls_until_the_end_and_gives_up_in_one_sentence() -> None:
    running = {"executionArn": ARN, "status": "RUNNING"}
    cloud = Cloud(FakeClients({"describe_execution": [running, running, {**running, "status": "FAILED",
                                                                         "error": "Boom"}]}))
    assert cloud.wait_execution(ARN, timeout=10, interval=2).error == "Boom"
    assert cloud.sleeps == [2, 2]
    stuck = Cloud(FakeClients({"describe_execution": [running]}))
    with pytest.raises(CloudError, match=r"wf-orders-dev:first is still running after 5 s: wait longer or stop it"):
        stuck.wait_execution(ARN, timeout=5, interval=1)
    assert stuck.now == 6
