"""What a deployed service sees and gives through LocalCloud: Lambda's timeout, error payload,
warm and fresh workers, and the logs Lambda writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from coworks.cloud import CloudError

pytestmark = pytest.mark.localcloud


def test_the_sample_answers_from_the_deployed_zip(cloud: Any, probe: Any) -> None:
    assert cloud.embedded  # no `cws cloud` runs for this COWORKS_HOME: LocalCloud() started its own
    answer = requests.get(probe.url + "/echo/3", params={"tag": "x"}, timeout=10)
    assert (answer.status_code, answer.json()) == (200, {"n": 3, "tag": "x"})
    assert requests.get(probe.url + "/nowhere", timeout=10).json() == {"message": "Not Found"}


def test_handlers_reach_the_local_cloud_never_aws(cloud: Any, probe: Any) -> None:
    seen = requests.get(probe.url + "/environment", timeout=10).json()
    assert seen["endpoint"] == cloud.endpoint_url and seen["path"]


def test_the_configured_timeout_kills_the_worker(cloud: Any, probe: Any) -> None:
    lam = cloud.session.client("lambda", endpoint_url=cloud.endpoint_url)
    assert lam.get_function_configuration(FunctionName="probe-dev")["Timeout"] == 1
    event = {"method": "GET", "path": "/sleep"}
    answer = lam.invoke(FunctionName="probe-dev", Qualifier="dev", Payload=json.dumps(event))
    error = json.loads(answer["Payload"].read())
    assert answer["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Sandbox.Timedout" and "Task timed out after 1." in error["errorMessage"]
    through_gateway = requests.get(probe.url + "/sleep", timeout=10)
    assert through_gateway.status_code == 500
    assert through_gateway.json() == {"message": "Internal Server Error"}


def test_a_raising_handler_gives_lambdas_error_payload(cloud: Any, probe: Any) -> None:
    lam = cloud.session.client("lambda", endpoint_url=cloud.endpoint_url)
    answer = lam.invoke(FunctionName="probe-dev", Qualifier="dev", Payload=json.dumps({"method": "GET",
                                                                                      "path": "/boom"}))
    error = json.loads(answer["Payload"].read())
    assert answer["FunctionError"] == "Unhandled"
    assert set(error) >= {"errorMessage", "errorType", "stackTrace"} and error["errorType"] == "HTTP500"
    with pytest.raises(CloudError, match="probe-dev:dev answered GET /boom with an error"):
        cloud.invoke("probe", "dev", "/boom")


def test_a_worker_stays_warm_and_a_new_version_gets_fresh_ones(cloud: Any, probe: Any, tmp_path: Any) -> None:
    from tests.support import PROBE, write_module

    first = cloud.invoke("probe", "dev", "/pid")
    assert cloud.invoke("probe", "dev", "/pid") == first  # the same warm process
    changed = write_module(tmp_path, PROBE.replace('"""Answers with', f'"""Version {tmp_path.name}: answers with'))
    cloud.deploy(changed, stage="dev").apply()
    second = cloud.invoke("probe", "dev", "/pid")
    assert int(second["version"]) == int(first["version"]) + 1 and second["pid"] != first["pid"]
    assert cloud.invoke("probe", "dev", "/pid") == second
    logs = cloud.logs("probe", since="10m", pattern="REPORT")
    assert any("Init Duration:" in r.message for r in logs)  # cold starts report their init
    assert any("Init Duration:" not in r.message for r in logs)  # warm ones do not


def test_logs_hold_start_end_report_and_what_the_handler_printed(cloud: Any, probe: Any) -> None:
    requests.get(probe.url + "/echo/42", params={"tag": "logged"}, timeout=10)
    requests.get(probe.url + "/boom", timeout=10)
    records = cloud.logs("probe", since="10m")
    messages = [r.message for r in records]
    assert "echo 42 logged" in messages
    line = messages.index("echo 42 logged")  # in Lambda's order, though the lines share a millisecond
    start = max(i for i in range(line) if messages[i].startswith("START RequestId: "))
    request_id = messages[start].split()[2]
    end = messages.index(f"END RequestId: {request_id}")
    assert start < line < end and messages[end + 1].startswith(f"REPORT RequestId: {request_id}\t")
    assert any(m.startswith("START RequestId:") for m in messages)
    assert any(m.startswith("END RequestId:") for m in messages)
    assert any(m.startswith("REPORT RequestId:") and "Max Memory Used:" in m for m in messages)
    assert all(r.stream.startswith(records[0].time.strftime("%Y/%m/%d/[")) for r in records)
    errors = cloud.logs("probe", since="10m", pattern='{ $.level = "ERROR" }')
    found = [r.json for r in errors]
    assert {"level": "ERROR", "what": "about to fail"} in found  # printed by the handler
    assert all(f and f["level"] == "ERROR" for f in found)  # and the runtime's own error records
