"""The local Step Functions API as boto3 sees it: Express workflows and StartSyncExecution with the
host prefix boto3 adds, TestState, RedriveExecution, and a Distributed Map reading the local S3.

Pages: https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html,
https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html,
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html,
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import poll, remove_named

pytestmark = pytest.mark.localcloud
PREFIXES = ("m-", "items-", "redrive-")  # of the resources these tests create


@pytest.fixture(scope="module", autouse=True)
def _leave_nothing_behind(front_door_client: Callable[[str], Any]) -> Any:
    """moto's backends are the process's: what these tests create must not be seen by later tests
    that count what a cloud holds."""
    yield
    remove_named(front_door_client, PREFIXES)

ROLE = "arn:aws:iam::123456789012:role/states"


def create(client: Any, definition: dict[str, Any], kind: str = "STANDARD") -> str:
    name = f"m-{uuid.uuid4().hex[:8]}"
    return str(client.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE,
                                           type=kind)["stateMachineArn"])


def wait_for(client: Any, arn: str) -> dict[str, Any]:
    for _ in range(1200):
        answer: dict[str, Any] = client.describe_execution(executionArn=arn)
        if answer["status"] != "RUNNING":
            return answer
        time.sleep(0.05)
    raise AssertionError(f"{arn} still running")


@pytest.fixture(scope="module")
def sfn(front_door_client: Callable[[str], Any]) -> Any:
    return front_door_client("stepfunctions")


@pytest.fixture(scope="module")
def sync_client(front_door: Any) -> Any:
    import boto3

    return boto3.client("stepfunctions", endpoint_url=front_door.sync_url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


GREET = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format("
                                                                                  "'Hello {}', $.name)"}, "End": True}}}


def test_an_express_workflow_runs_synchronously_through_boto3_with_its_host_prefix(sfn: Any, sync_client: Any) -> None:
    arn = create(sfn, GREET, "EXPRESS")
    answer = sync_client.start_sync_execution(stateMachineArn=arn, input='{"name": "Ann"}')
    assert answer["status"] == "SUCCEEDED" and json.loads(answer["output"]) == {"greeting": "Hello Ann"}
    assert ":express:" in answer["executionArn"] and answer["stateMachineArn"] == arn
    assert answer["billingDetails"]["billedDurationInMilliseconds"] % 100 == 0
    assert "redriveCount" not in answer
    # As on AWS, an Express execution is not described, listed, stopped nor given a history: its logs
    # tell what happened (DescribeExecution, GetExecutionHistory, StopExecution: "not supported by EXPRESS
    # state machines"; AWS's InvalidArn reads "Invalid Arn: 'Resource type not valid in this context: ...'").
    for operation in (sfn.describe_execution, sfn.get_execution_history, sfn.stop_execution):
        with pytest.raises(sfn.exceptions.InvalidArn, match="Resource type not valid in this context: express"):
            operation(executionArn=answer["executionArn"])
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.list_executions(stateMachineArn=arn)


def test_the_plain_endpoint_cannot_carry_the_sync_prefix_so_boto3_never_sends_it(sfn: Any, front_door: Any) -> None:
    """Why ``sync_url`` exists: boto3 prefixes the host, and sync-127.0.0.1 names no host."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import EndpointConnectionError

    plain = boto3.client("stepfunctions", endpoint_url=front_door.url, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing",
                         config=Config(retries={"total_max_attempts": 1}))  # the failure is certain: no retry
    with pytest.raises(EndpointConnectionError, match=r"sync-127\.0\.0\.1"):
        plain.start_sync_execution(stateMachineArn=create(sfn, GREET, "EXPRESS"))


def test_a_handler_reaches_start_sync_execution_through_its_environment(front_door: Any) -> None:
    from coworks.cloud.local.frontdoor import sync_endpoint

    assert front_door.sync_url == sync_endpoint(front_door.url) == f"http://coworks@127.0.0.1:{front_door.port}"
    assert sync_endpoint(front_door.sync_url) == front_door.sync_url


LONG_WAIT = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600, "Next": "After"},
                                          "After": {"Type": "Pass", "End": True}}}


@pytest.fixture
def simulated(front_door: Any) -> Any:
    """The local Step Functions of this front door's Lambdas on simulated clocks: 5 minutes pass at once."""
    from coworks.biz.engine.clock import SimulatedClock
    from coworks.cloud.local.stepfunctions import LocalStepFunctions

    return LocalStepFunctions(front_door.app.lambdas, clock=SimulatedClock)


def test_a_sync_express_execution_past_five_minutes_answers_timed_out(sfn: Any, simulated: Any) -> None:
    """Express: "Maximum duration 5 minutes" (choosing-workflow-type.html); StartSyncExecution's
    status is then TIMED_OUT (API_StartSyncExecution.html, status: SUCCEEDED | FAILED | TIMED_OUT)."""
    answer = simulated.start_sync_execution({"stateMachineArn": create(sfn, LONG_WAIT, "EXPRESS")})
    assert (answer["status"], answer["error"]) == ("TIMED_OUT", "States.Timeout")
    assert answer["stopDate"] - answer["startDate"] == 300 and "output" not in answer
    assert answer["billingDetails"]["billedDurationInMilliseconds"] == 300_000
    standard = simulated.start_sync_execution  # the same machine as STANDARD would wait its 10 minutes
    with pytest.raises(Exception, match="not supported by this type"):
        standard({"stateMachineArn": create(sfn, LONG_WAIT)})


def test_an_async_express_execution_past_five_minutes_logs_its_time_out(
        sfn: Any, simulated: Any, front_door_client: Callable[[str], Any]) -> None:
    """An asynchronous Express execution is told by its logs only (concepts-express-synchronous.html:
    "To get the result, you must poll the service's CloudWatch Logs")."""
    logs = front_door_client("logs")
    group = f"m-logs-{uuid.uuid4().hex[:8]}"
    group_arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{group}:*"
    logs.create_log_group(logGroupName=group)
    try:
        arn = sfn.create_state_machine(
            name=f"m-{uuid.uuid4().hex[:8]}", definition=json.dumps(LONG_WAIT), roleArn=ROLE, type="EXPRESS",
            loggingConfiguration={"level": "ALL", "includeExecutionData": True, "destinations": [{
                "cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}]},
        )["stateMachineArn"]
        execution = simulated.start_execution({"stateMachineArn": arn})["executionArn"]
        messages = poll(lambda: [json.loads(e["message"])
                                 for e in logs.filter_log_events(logGroupName=group)["events"]])
        assert [m["type"] for m in messages][-1] == "ExecutionTimedOut"
        assert {m["execution_arn"] for m in messages} == {execution}
    finally:
        logs.delete_log_group(logGroupName=group)


def test_start_sync_execution_refuses_a_standard_machine(sfn: Any, sync_client: Any) -> None:
    with pytest.raises(sync_client.exceptions.StateMachineTypeNotSupported):
        sync_client.start_sync_execution(stateMachineArn=create(sfn, GREET))


def test_a_failed_sync_execution_answers_its_error(sfn: Any, sync_client: Any) -> None:
    arn = create(sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Nope", "Cause": "no stock"}}},
                 "EXPRESS")
    answer = sync_client.start_sync_execution(stateMachineArn=arn)
    assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "Nope", "no stock")


def test_test_state_runs_one_state(sync_client: Any) -> None:
    sfn = sync_client  # TestState has the same host prefix as StartSyncExecution
    passed = sfn.test_state(definition=json.dumps({"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Later"}),
                            roleArn=ROLE, input='{"n": 3, "noise": 1}')
    assert (passed["status"], json.loads(passed["output"]), passed["nextState"]) == ("SUCCEEDED", {"n": 3}, "Later")
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 2, "Next": "Big"}],
              "Default": "Small"}
    assert sfn.test_state(definition=json.dumps(choice), roleArn=ROLE, input='{"n": 3}')["nextState"] == "Big"
    assert sfn.test_state(definition=json.dumps(choice), roleArn=ROLE, input='{"n": 1}')["nextState"] == "Small"
    failed = sfn.test_state(definition=json.dumps({"Type": "Fail", "Error": "E", "Cause": "c"}), roleArn=ROLE)
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "E", "c")


def test_test_state_reports_caught_and_retriable_errors(sync_client: Any) -> None:
    sfn = sync_client
    failing = {"Type": "Task", "Resource": "arn:aws:states:::s3:getObject", "End": True,
               "Parameters": {"Bucket": "no-such-bucket", "Key": "k"}}
    caught = sfn.test_state(roleArn=ROLE, definition=json.dumps(
        {**failing, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]}))
    assert caught["status"] == "CAUGHT_ERROR" and caught["nextState"] == "Handle" and caught["error"] == "S3.NoSuchKey"
    retriable = sfn.test_state(roleArn=ROLE, definition=json.dumps(
        {**failing, "Retry": [{"ErrorEquals": ["S3.NoSuchKey"]}]}))
    assert retriable["status"] == "RETRIABLE" and retriable["error"] == "S3.NoSuchKey"
    flow = {"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id", "kind": "order"},
            "ResultPath": "$.copy", "End": True}
    debug = sfn.test_state(roleArn=ROLE, definition=json.dumps(flow), input='{"order": {"id": 7}}',
                           inspectionLevel="DEBUG")
    seen = {k: json.loads(v) for k, v in debug["inspectionData"].items() if isinstance(v, str)}
    assert seen == {"input": {"order": {"id": 7}}, "afterInputPath": {"id": 7},
                    "afterParameters": {"id": 7, "kind": "order"}, "result": {"id": 7, "kind": "order"},
                    "afterResultSelector": {"id": 7, "kind": "order"},
                    "afterResultPath": {"order": {"id": 7}, "copy": {"id": 7, "kind": "order"}}}  # into the raw input
    assert "inspectionData" not in sfn.test_state(roleArn=ROLE, definition=json.dumps(flow), input='{"order": {}}',
                                                  inspectionLevel="INFO")


def _reader_map(resource: str, parameters: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    reader: dict[str, Any] = {"Resource": resource, "Parameters": parameters}
    if config:
        reader["ReaderConfig"] = config
    return {"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Result": {"started": True}, "ResultPath": "$.prepared", "Next": "Each"},
        "Each": {"Type": "Map", "ItemReader": reader, "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}}}}}


def test_a_distributed_map_reads_its_items_from_the_local_s3(sfn: Any, front_door_client: Callable[[str], Any]) -> None:
    s3 = front_door_client("s3")
    bucket = f"items-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="orders.csv", Body=b"id,qty\n1,2\n3,4\n")
    s3.put_object(Bucket=bucket, Key="lines.jsonl", Body=b'{"id": 1}\n{"id": 2}\n')
    csv_arn = create(sfn, _reader_map("arn:aws:states:::s3:getObject", {"Bucket": bucket, "Key": "orders.csv"},
                                      {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}))
    done = wait_for(sfn, sfn.start_execution(stateMachineArn=csv_arn)["executionArn"])
    assert json.loads(done["output"]) == [{"id": "1", "qty": "2"}, {"id": "3", "qty": "4"}]
    jsonl = create(sfn, _reader_map("arn:aws:states:::s3:getObject", {"Bucket": bucket, "Key": "lines.jsonl"},
                                    {"InputType": "JSONL", "MaxItems": 1}))
    assert json.loads(wait_for(sfn, sfn.start_execution(stateMachineArn=jsonl)["executionArn"])["output"]) == [
        {"id": 1}]
    listing = create(sfn, _reader_map("arn:aws:states:::s3:listObjectsV2", {"Bucket": bucket, "Prefix": "orders"}))
    items = json.loads(wait_for(sfn, sfn.start_execution(stateMachineArn=listing)["executionArn"])["output"])
    assert [(i["Key"], i["Size"], i["StorageClass"]) for i in items] == [("orders.csv", 15, "STANDARD")]
    assert items[0]["Etag"].startswith('"') and isinstance(items[0]["LastModified"], int)


def test_a_failed_execution_is_redriven_from_the_state_that_failed(sfn: Any,
                                                                   front_door_client: Callable[[str], Any]) -> None:
    s3 = front_door_client("s3")
    bucket = f"redrive-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    arn = create(sfn, _reader_map("arn:aws:states:::s3:getObject", {"Bucket": bucket, "Key": "later.json"}))
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": 7}')["executionArn"]
    failed = wait_for(sfn, execution)
    assert failed["status"] == "FAILED" and failed["error"] == "S3.NoSuchKey"
    assert failed["redriveStatus"] == "REDRIVABLE" and failed["redriveCount"] == 0
    s3.put_object(Bucket=bucket, Key="later.json", Body=b'[{"n": 1}]')
    assert "redriveDate" in sfn.redrive_execution(executionArn=execution)
    done = wait_for(sfn, execution)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == [{"n": 1}]
    assert done["redriveCount"] == 1 and done["redriveStatus"] == "NOT_REDRIVABLE"
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    kinds = [e["type"] for e in events]
    assert kinds.count("ExecutionStarted") == 1 and kinds.count("ExecutionRedriven") == 1
    after = kinds[kinds.index("ExecutionRedriven"):]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    assert entered.count("Prepare") == 1 and after[1] == "MapStateEntered"  # Prepare is not run again
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=execution)


def test_an_express_workflow_is_deployed_as_one_and_cannot_change_type_in_place(tmp_path: Any) -> None:
    from coworks.biz import Pass, Workflow
    from coworks.cloud import LocalCloud
    from coworks.cloud.errors import ConfigurationError

    wf = Workflow("typed", Pass("Answer", result={"answer": 42}))
    with LocalCloud(shared=False) as cloud:
        with pytest.raises(ConfigurationError, match="neither STANDARD nor EXPRESS"):
            cloud.deploy_workflow(wf, type="express").plan()
        express = cloud.deploy_workflow(wf, type="EXPRESS")
        express.apply()
        synced = cloud.session.client("stepfunctions", endpoint_url=cloud.sync_endpoint_url).start_sync_execution(
            stateMachineArn=express.arn)
        assert json.loads(synced["output"]) == {"answer": 42}
        described = cloud.session.client("stepfunctions", endpoint_url=cloud.endpoint_url).describe_state_machine(
            stateMachineArn=express.arn)
        assert described["type"] == "EXPRESS"
        assert cloud.deploy_workflow(wf, type="EXPRESS").plan().is_empty
        with pytest.raises(ConfigurationError, match="AWS cannot change a machine's type: destroy the workflow"):
            cloud.deploy_workflow(wf).plan()
        cloud.destroy_workflow(wf)
