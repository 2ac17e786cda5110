"""Which endpoint reaches the local Step Functions: boto3 prefixes StartSyncExecution's and TestState's
host with ``sync-`` (their ``endpoint`` trait, "hostPrefix": "sync-"), and ``sync-127.0.0.1`` names no
host. A LocalCloud's own clients, a deployed function's boto3 and a user's boto3 given the values the
README names (``cloud.sync_endpoint_url`` or ``AWS_ENDPOINT_URL_SFN``) reach every operation there.

Pages: https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html,
https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html (service-specific endpoints:
``AWS_ENDPOINT_URL_SFN``, the service id of Step Functions being ``SFN``)
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

import pytest

from tests.support import deploy_by_hand, poll, remove_named

pytestmark = pytest.mark.localcloud
ROLE = "arn:aws:iam::123456789012:role/states"
PREFIXES = ("sfnend-",)
GREET = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Parameters": {
    "greeting.$": "States.Format('Hello {}', $.name)"}, "End": True}}}
FAIL = {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope", "Cause": "not yet"}}}


@pytest.fixture(scope="module", autouse=True)
def _leave_nothing_behind(cloud: Any) -> Any:
    yield
    remove_named(cloud.clients.client, PREFIXES)


def create(sfn: Any, definition: dict[str, Any], kind: str = "STANDARD") -> str:
    return str(sfn.create_state_machine(name=f"sfnend-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                        roleArn=ROLE, type=kind)["stateMachineArn"])


def every_operation(sfn: Any) -> None:
    """The Step Functions operations a workflow's life takes, each through ``sfn`` alone."""
    standard = create(sfn, GREET)
    assert sfn.describe_state_machine(stateMachineArn=standard)["type"] == "STANDARD"
    execution = sfn.start_execution(stateMachineArn=standard, input='{"name": "Ann"}')["executionArn"]
    done = poll(lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d)
    assert json.loads(done["output"]) == {"greeting": "Hello Ann"}
    assert [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]][-1] == "ExecutionSucceeded"
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=standard)["executions"]] == [execution]
    express = create(sfn, GREET, "EXPRESS")
    synced = sfn.start_sync_execution(stateMachineArn=express, input='{"name": "Bo"}')
    assert (synced["status"], json.loads(synced["output"])) == ("SUCCEEDED", {"greeting": "Hello Bo"})
    tested = sfn.test_state(definition=json.dumps({"Type": "Pass", "Result": 1, "End": True}), roleArn=ROLE)
    assert (tested["status"], tested["output"]) == ("SUCCEEDED", "1")
    failing = sfn.start_execution(stateMachineArn=create(sfn, FAIL))["executionArn"]
    poll(lambda: sfn.describe_execution(executionArn=failing)["status"] == "FAILED")
    assert "redriveDate" in sfn.redrive_execution(executionArn=failing)
    poll(lambda: sfn.describe_execution(executionArn=failing)["status"] == "FAILED")
    assert sfn.describe_execution(executionArn=failing)["redriveCount"] == 1
    sfn.delete_state_machine(stateMachineArn=standard)


def test_the_clouds_own_step_functions_client_reaches_every_operation(cloud: Any) -> None:
    """A LocalCloud's clients need no endpoint from their user, StartSyncExecution and TestState included."""
    sfn = cloud.clients.client("stepfunctions")
    assert sfn.meta.endpoint_url == cloud.sync_endpoint_url
    every_operation(sfn)


def test_plain_boto3_on_the_sync_endpoint_reaches_every_operation(cloud: Any) -> None:
    import boto3

    every_operation(boto3.client("stepfunctions", endpoint_url=cloud.sync_endpoint_url))


def test_plain_boto3_reads_the_step_functions_endpoint_from_its_environment(
        cloud: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``cws cloud`` tells other clients to export: AWS_ENDPOINT_URL for every service, and
    AWS_ENDPOINT_URL_SFN for Step Functions; boto3 then takes no endpoint_url at all."""
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL", str(cloud.endpoint_url))
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", cloud.sync_endpoint_url)
    sfn = boto3.Session().client("stepfunctions")
    assert sfn.meta.endpoint_url == cloud.sync_endpoint_url
    every_operation(sfn)


HANDLER = '''
import json
import os

import boto3


def handler(event, context):
    sfn = boto3.client("stepfunctions")  # no endpoint: the function's environment names it
    answer = sfn.start_sync_execution(stateMachineArn=event["arn"], input=json.dumps(event["input"]))
    return {"status": answer["status"], "output": json.loads(answer["output"]),
            "endpoint": os.environ["AWS_ENDPOINT_URL_SFN"]}
'''


def test_a_deployed_function_starts_a_sync_execution_with_plain_boto3(cloud: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("starter.py", HANDLER)
    name = f"sfnend-{uuid.uuid4().hex[:8]}"
    deploy_by_hand(cloud.clients.client, name, buffer.getvalue(), handler="starter.handler")
    express = create(cloud.clients.client("stepfunctions"), GREET, "EXPRESS")
    answer = cloud.clients.client("lambda").invoke(FunctionName=f"{name}:dev", Payload=json.dumps(
        {"arn": express, "input": {"name": "Cy"}}))
    payload = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, payload
    assert payload == {"status": "SUCCEEDED", "output": {"greeting": "Hello Cy"}, "endpoint": cloud.sync_endpoint_url}


def test_the_aws_cli_reads_both_endpoints_from_its_environment(cloud: Any, tmp_path: Any) -> None:
    """The two variables ``cws cloud`` would have other clients export, and no --endpoint-url: the
    AWS CLI's StartSyncExecution then goes through its sync- host prefix, its other calls to the cloud."""
    import os
    import subprocess
    import sys

    express = create(cloud.clients.client("stepfunctions"), GREET, "EXPRESS")
    env = {"PATH": os.environ.get("PATH", ""), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "HOME": str(tmp_path), "AWS_ENDPOINT_URL": str(cloud.endpoint_url),
           "AWS_ENDPOINT_URL_SFN": cloud.sync_endpoint_url}

    def aws(*args: str) -> Any:
        done = subprocess.run([sys.executable, "-m", "awscli", "--output", "json", *args], capture_output=True,
                              text=True, env=env, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    answer = aws("stepfunctions", "start-sync-execution", "--state-machine-arn", express, "--input", '{"name": "Di"}')
    assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", {"greeting": "Hello Di"})
    assert express in {m["stateMachineArn"] for m in aws("stepfunctions", "list-state-machines")["stateMachines"]}
    assert "Functions" in aws("lambda", "list-functions")
