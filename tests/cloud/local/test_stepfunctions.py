"""Workflows on the local cloud: deployed, then executed by the Coworks executor against the
deployed Lambdas, seen through boto3's stepfunctions client on the local endpoint.

One local cloud per module; every test deploys what it needs (an unchanged deploy is cheap), so
a moto test running in between on the same worker cannot disturb it. Waiting for a background
execution is a bounded poll of its status.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from coworks.biz import Fail, Pass, Task, Wait, Workflow
from tests.support import ORDERS, tagged_for

pytestmark = pytest.mark.localcloud


@pytest.fixture(scope="module")
def local() -> Iterator[Any]:
    from coworks.cloud import LocalCloud

    with LocalCloud(shared=False) as cloud:
        yield cloud


def deploy_services(cloud: Any) -> None:
    from sample_inventory import app as inventory
    from sample_invoicing import app as invoicing

    for service in (inventory, invoicing):
        cloud.deploy(service, stage="dev").apply()


def stepfunctions(cloud: Any) -> Any:
    from botocore.config import Config

    # StartSyncExecution has the host prefix "sync-": an IP endpoint must not get it.
    return cloud.session.client("stepfunctions", endpoint_url=cloud.endpoint_url,
                                config=Config(inject_host_prefix=False))


def wait_for(client: Any, arn: str, polls: int = 1200) -> dict[str, Any]:
    for _ in range(polls):
        answer: dict[str, Any] = client.describe_execution(executionArn=arn)
        if answer["status"] != "RUNNING":
            return answer
        time.sleep(0.05)
    raise AssertionError(f"{arn} still running")


def steps(history: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each event's type and the state it is about: what a local and a deployed run share."""
    out = []
    for event in history:
        details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        out.append((event["type"], details.get("name", "")))
    return out


def test_the_sample_workflow_runs_locally_renders_deploys_and_executes_on_the_local_cloud(local: Any) -> None:
    """The issue's 'done when': two services, a Retry, a Catch, a Choice and a Map, everywhere."""
    from sample_flow import flow
    from sample_inventory import app as inventory
    from sample_invoicing import app as invoicing

    here = flow.run_local(ORDERS, services=[inventory, invoicing])
    assert here.status == "SUCCEEDED"
    orders = here.output["orders"]
    assert orders[0]["invoice"] == {"body": {"item": 3, "amount": 3, "status": "sent"}}
    assert "invoice" not in orders[1]  # out of stock: the Choice skipped the invoice
    assert orders[2] == {"id": 503, "error": "HTTP503", "status": "backorder"}  # retried, then caught
    svg = flow.graph().pipe(format="svg").decode()
    assert "<svg" in svg and "In stock?" in svg and "Backorder" in svg

    deploy_services(local)
    deployment = local.deploy_workflow(flow, stage="dev")
    deployment.apply()
    client = stepfunctions(local)
    started = client.start_execution(stateMachineArn=deployment.arn, name="first", input=json.dumps(ORDERS))
    assert started["executionArn"].endswith(":execution:wf-orders-dev:first")
    answer = wait_for(client, started["executionArn"])
    assert answer["status"] == "SUCCEEDED", answer
    assert json.loads(answer["output"]) == here.output
    assert answer["stopDate"] >= answer["startDate"]

    history = client.get_execution_history(executionArn=started["executionArn"], maxResults=1000)["events"]
    assert steps(history) == steps(here.history)
    kinds = [e["type"] for e in history]
    assert kinds[0] == "ExecutionStarted" and kinds[-1] == "ExecutionSucceeded"
    assert kinds.count("TaskSucceeded") == 3 and kinds.count("TaskFailed") == 2  # 503, then its retry
    assert {"MapStateEntered", "ChoiceStateEntered", "TaskStateEntered", "PassStateEntered"} <= set(kinds)
    assert history[0]["executionStartedEventDetails"]["roleArn"].endswith(":role/coworks/wf-orders-dev-states")
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))
    failed = next(e for e in history if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert failed["error"] == "HTTP503" and "unavailable" in failed["cause"]
    assert local.execution_history(started["executionArn"]) == history
    assert "<svg" in flow.graph(history=history).pipe(format="svg").decode()

    records = local.logs("/aws/vendedlogs/states/wf-orders-dev", since="1h")
    logged = [json.loads(r.message) for r in records]
    assert [m["type"] for m in logged] == kinds and {m["execution_arn"] for m in logged} == {answer["executionArn"]}

    local.destroy_workflow(flow, "dev")
    assert tagged_for(local.session, "wf-orders", "dev", local.endpoint_url) == []


def test_a_failing_execution_has_the_error_and_cause_of_the_service(local: Any) -> None:
    from sample_inventory import app as inventory

    deploy_services(local)
    wf = Workflow("lookup", Task(inventory.get_item, item_id=404) >> Pass("Never"))
    local.deploy_workflow(wf).apply()
    arn = local.start_execution(wf, {})
    execution = local.wait_execution(arn, timeout=60, interval=0.05)
    assert (execution.status, execution.error) == ("FAILED", "HTTP404")
    assert "no item 404" in (execution.cause or "")
    # The cause is Lambda's error payload, as Step Functions passes it on (concepts-error-handling.html).
    assert list(json.loads(execution.cause or "{}")) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert local.execution_history(arn)[-1]["type"] == "ExecutionFailed"

    refused = Workflow("refused", Fail("No", error="Refused", cause="out of hours"))
    local.deploy_workflow(refused).apply()
    done = local.wait_execution(local.start_execution(refused), timeout=60, interval=0.05)
    assert (done.status, done.error, done.cause) == ("FAILED", "Refused", "out of hours")


def test_stop_aborts_a_waiting_execution_and_its_thread_ends(local: Any) -> None:
    wf = Workflow("sleepy", Wait("Nap", seconds=3600) >> Pass("After"))
    local.deploy_workflow(wf).apply()
    arn = local.start_execution(wf, {"n": 1}, name="nap")
    for _ in range(1200):
        if any(e["type"] == "WaitStateEntered" for e in local.execution_history(arn)):
            break
        time.sleep(0.05)
    stopped = local.stop_execution(arn, error="Bored", cause="an hour is too long")
    assert (stopped.status, stopped.error, stopped.cause) == ("ABORTED", "Bored", "an hour is too long")
    for _ in range(1200):
        if not any(t.name == "coworks-execution-nap" for t in threading.enumerate()):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the execution's thread is still running")
    history = local.execution_history(arn)
    assert [e["type"] for e in history][-2:] == ["WaitStateEntered", "ExecutionAborted"]
    assert history[-1]["executionAbortedEventDetails"] == {"error": "Bored", "cause": "an hour is too long"}
    assert local.stop_execution(arn).status == "ABORTED"  # stopping again changes nothing


def test_list_start_sync_and_errors_answer_in_the_shapes_boto3_expects(local: Any) -> None:
    from botocore.exceptions import ClientError

    from coworks.cloud.errors import AwsError

    wf = Workflow("quick", Pass("Answer", result={"answer": 42}))
    deployment = local.deploy_workflow(wf)
    deployment.apply()
    express = local.deploy_workflow(Workflow("quick-sync", Pass("Answer", result={"answer": 42})), type="EXPRESS")
    express.apply()  # StartSyncExecution is for Express machines only, as on AWS
    client = stepfunctions(local)
    synced = client.start_sync_execution(stateMachineArn=express.arn, input="{}")
    assert (synced["status"], json.loads(synced["output"])) == ("SUCCEEDED", {"answer": 42})
    assert ":express:" in synced["executionArn"]
    arns = [deployment.start() for _ in range(3)]
    for arn in arns:
        wait_for(client, arn)
    pages = client.get_paginator("list_executions").paginate(stateMachineArn=deployment.arn,
                                                             statusFilter="SUCCEEDED", PaginationConfig={"PageSize": 2})
    listed = [e["executionArn"] for page in pages for e in page["executions"]]
    assert set(arns) == set(listed) and len(listed) == 3
    assert [e.arn for e in local.list_executions(wf, status="RUNNING")] == []
    reversed_history = client.get_execution_history(executionArn=arns[0], reverseOrder=True)["events"]
    assert reversed_history[0]["type"] == "ExecutionSucceeded"

    with pytest.raises(ClientError) as missing:
        client.describe_execution(executionArn=arns[0] + "-nope")
    assert missing.value.response["Error"]["Code"] == "ExecutionDoesNotExist"
    with pytest.raises(ClientError) as twice:
        client.start_execution(stateMachineArn=deployment.arn, name=arns[0].rsplit(":", 1)[1])
    assert twice.value.response["Error"]["Code"] == "ExecutionAlreadyExists"
    with pytest.raises(AwsError) as nowhere:
        local.start_execution("never-deployed", {})
    assert nowhere.value.code == "StateMachineDoesNotExist"
    assert "never-deployed-dev" in str(nowhere.value)


def test_cws_run_workflow_starts_an_execution_on_the_cloud_and_waits(local: Any) -> None:
    from click.testing import CliRunner

    from coworks.cli.app import cli

    deploy_services(local)
    local.deploy_workflow("sample_flow:flow").apply()
    result = CliRunner().invoke(cli, ["run-workflow", "sample_flow:flow", "--input", json.dumps(ORDERS),
                                      "--endpoint-url", local.endpoint_url, "--region", "us-east-1"])
    assert result.exit_code == 0, result.output
    assert "Status: SUCCEEDED" in result.output and '"status": "backorder"' in result.output
    assert "TaskFailed" in result.output and "ExecutionSucceeded" in result.output


def test_cws_deploys_and_destroys_a_workflow(local: Any) -> None:
    from click.testing import CliRunner

    from coworks.cli.app import cli

    where = ["--endpoint-url", local.endpoint_url, "--region", "us-east-1", "--stage", "cli"]
    for service in ("sample_inventory:app", "sample_invoicing:app"):
        local.deploy(service, stage="cli").apply()
    result = CliRunner().invoke(cli, ["deploy-workflow", "sample_flow:flow", "--trigger", "rate(1 hour)",
                                      "--trigger", '{"source": ["shop"]}', *where])
    assert result.exit_code == 0, result.output
    assert "eventbridge rule" in result.output and ":stateMachine:wf-orders-cli" in result.output
    assert ("rule", "wf-orders-cli-rate") in tagged_for(local.session, "wf-orders", "cli", local.endpoint_url)
    bad = CliRunner().invoke(cli, ["deploy-workflow", "sample_flow:flow", "--trigger", "every hour", *where])
    assert bad.exit_code == 2 and "is not rate(...), cron(...), s3://bucket/prefix" in bad.output
    gone = CliRunner().invoke(cli, ["destroy-workflow", "sample_flow:flow", "--yes", *where])
    assert gone.exit_code == 0, gone.output
    assert tagged_for(local.session, "wf-orders", "cli", local.endpoint_url) == []
