"""The AWS CLI sees the same local cloud as cws: the real ``aws`` (awscli from PyPI, run as a
process) against the front door.

- Filter patterns: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
- ApiEndpoint: https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
- ExecutedVersion: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
- Malformed signatures and faults: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
  and https://docs.aws.amazon.com/general/latest/gr/api-retries.html (InternalFailure, the common errors)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support import remove_named

pytestmark = pytest.mark.localcloud
PREFIXES = ("cli-", "bad-")  # of the resources these tests create


@pytest.fixture(scope="module", autouse=True)
def _leave_nothing_behind(front_door_client: Callable[[str], Any]) -> Any:
    """moto's backends are the process's: what these tests create must not be seen by later tests
    that count what a cloud holds."""
    yield
    remove_named(front_door_client, PREFIXES)


def aws(endpoint: str, *args: str, cwd: Path | None = None) -> Any:
    env = {"PATH": os.environ.get("PATH", ""), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "HOME": str(cwd or Path.cwd())}
    done = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_filter_log_events_with_a_json_pattern_filters_like_cloudwatch(
        front_door: Any, front_door_client: Callable[[str], Any]) -> None:
    logs = front_door_client("logs")
    group = f"/aws/lambda/cli-{uuid.uuid4().hex[:6]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    lines = [{"status": 200, "path": "/"}, {"status": 404, "path": "/nowhere"}, "START RequestId: x", {"status": 500}]
    now = int(time.time() * 1000) - 60_000
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now + i, "message": line if isinstance(line, str) else json.dumps(line)}
        for i, line in enumerate(lines)])
    found = aws(front_door.url, "logs", "filter-log-events", "--log-group-name", group,
                "--filter-pattern", "{ $.status = 404 }")
    assert [json.loads(e["message"]) for e in found["events"]] == [{"status": 404, "path": "/nowhere"}]
    words = aws(front_door.url, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "START")
    assert [e["message"] for e in words["events"]] == ["START RequestId: x"]
    everything = aws(front_door.url, "logs", "filter-log-events", "--log-group-name", group)
    assert len(everything["events"]) == 4


def test_a_filtered_page_holds_limit_matching_events_and_the_next_token_goes_on(
        front_door: Any, front_door_client: Callable[[str], Any]) -> None:
    logs = front_door_client("logs")
    group = f"/aws/lambda/cli-{uuid.uuid4().hex[:6]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000) - 60_000
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now + i, "message": json.dumps({"n": i, "status": 404 if i % 2 else 200})} for i in range(9)])
    first = logs.filter_log_events(logGroupName=group, filterPattern="{ $.status = 404 }", limit=3)
    assert [json.loads(e["message"])["n"] for e in first["events"]] == [1, 3, 5]  # limit counts matches only
    rest = logs.filter_log_events(logGroupName=group, filterPattern="{ $.status = 404 }", limit=3,
                                  nextToken=first["nextToken"])
    assert [json.loads(e["message"])["n"] for e in rest["events"]] == [7] and "nextToken" not in rest
    paged = aws(front_door.url, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern",
                "{ $.status = 404 }", "--page-size", "2")
    assert [json.loads(e["message"])["n"] for e in paged["events"]] == [1, 3, 5, 7]  # the CLI follows the tokens


def test_a_malformed_pattern_is_refused_as_cloudwatch_refuses_it(front_door: Any,
                                                                 front_door_client: Callable[[str], Any]) -> None:
    logs = front_door_client("logs")
    group = f"/aws/lambda/bad-{uuid.uuid4().hex[:6]}"
    logs.create_log_group(logGroupName=group)
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.filter_log_events(logGroupName=group, filterPattern="{ $.status = }")


def test_get_apis_reports_the_local_invoke_url(front_door: Any, front_door_client: Callable[[str], Any]) -> None:
    created = front_door_client("apigatewayv2").create_api(Name=f"cli-{uuid.uuid4().hex[:6]}", ProtocolType="HTTP")
    local = f"{front_door.url}/_aws/execute-api/{created['ApiId']}"
    assert created["ApiEndpoint"] == local
    listed = aws(front_door.url, "apigatewayv2", "get-apis")
    assert {a["ApiId"]: a["ApiEndpoint"] for a in listed["Items"]}[created["ApiId"]] == local
    assert aws(front_door.url, "apigatewayv2", "get-api", "--api-id", created["ApiId"])["ApiEndpoint"] == local


def test_an_alias_invocation_names_the_version_it_resolved_to(front_door: Any, inventory_zip: bytes,
                                                              front_door_client: Callable[[str], Any],
                                                              tmp_path: Path) -> None:
    client = front_door_client("lambda")
    name = f"cli-{uuid.uuid4().hex[:6]}"
    statement = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    trust = {"Version": "2012-10-17", "Statement": [statement]}
    role = front_door_client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    client.create_function(FunctionName=name, Runtime="python3.11", Role=role["Arn"],
                           Handler="inventory.app", Code={"ZipFile": inventory_zip}, Timeout=30)
    first = client.publish_version(FunctionName=name)["Version"]
    client.update_function_code(FunctionName=name, ZipFile=inventory_zip)
    second = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=first)
    event = '{"method": "GET", "path": "/"}'
    answer = aws(front_door.url, "lambda", "invoke", "--function-name", name, "--qualifier", "live",
                 "--payload", event, str(tmp_path / "out.json"),
                 cwd=tmp_path)
    assert answer["ExecutedVersion"] == first != second and answer["StatusCode"] == 200
    assert json.loads((tmp_path / "out.json").read_text()) == "ready"
    client.update_alias(FunctionName=name, Name="live", FunctionVersion=second)
    moved = client.invoke(FunctionName=name, Qualifier="live", Payload=event.encode())
    assert moved["ExecutedVersion"] == second
    assert client.invoke(FunctionName=name, Payload=event.encode())["ExecutedVersion"] == "$LATEST"


def test_start_sync_execution_from_the_cli_on_the_sync_endpoint(front_door: Any,
                                                                 front_door_client: Callable[[str], Any]) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
    arn = front_door_client("stepfunctions").create_state_machine(
        name=f"cli-{uuid.uuid4().hex[:6]}", definition=json.dumps(definition), type="EXPRESS",
        roleArn="arn:aws:iam::123456789012:role/states")["stateMachineArn"]
    answer = aws(front_door.sync_url, "stepfunctions", "start-sync-execution", "--state-machine-arn", arn)
    assert answer["status"] == "SUCCEEDED" and json.loads(answer["output"]) == {"ok": True}


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({"Authorization": "Bearer abc"}, 400, "IncompleteSignatureException"),
    ({"Authorization": "AWS4-HMAC-SHA256 Credential=garbage"}, 400, "IncompleteSignatureException"),
    ({"Authorization": "AWS4-HMAC-SHA256 Credential=garbage, SignedHeaders=host, Signature=00",
      "X-Amz-Date": "20240101T000000Z"}, 400, "IncompleteSignatureException"),
    ({"X-Amz-Target": "Logs_20140328.DescribeLogGroups"}, 403, "MissingAuthenticationTokenException"),
])
def test_odd_requests_get_aws_shaped_errors_never_a_traceback(front_door: Any, headers: dict[str, str],
                                                              status: int, code: str) -> None:
    import requests

    answer = requests.post(front_door.url + "/", headers=headers, data="{}", timeout=30)
    assert answer.status_code == status
    assert answer.json()["__type"] == code and answer.headers["x-amzn-ErrorType"] == code
    assert "abc" not in answer.text and "Traceback" not in answer.text


def test_unknown_paths_answer_as_aws_does(front_door: Any) -> None:
    import requests

    for path in ("/nowhere", "/2015-03-31/functions/nope/invocations", "/_aws/execute-api/nope/dev/x"):
        answer = requests.get(front_door.url + path, timeout=30)
        assert answer.status_code in (403, 404) and "Traceback" not in answer.text
        assert answer.headers["Content-Type"].startswith(("application/xml", "application/json"))
