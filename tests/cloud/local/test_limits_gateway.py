"""The local gateway and Lambda under load and misbehaving services, on a running local cloud:
requests don't queue behind busy workers, a function's reserved concurrency throttles as Lambda
does (Invoke: 429 TooManyRequestsException; an HTTP API: API Gateway's 500), an Event invocation
waits for a slot, a slow integration gets API Gateway's timeout answer, and a header value with
CR or LF never reaches the wire (response splitting)."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.support import SLOW, deploy_by_hand, poll, raw_answers, remove_named, service_zip

pytestmark = pytest.mark.localcloud

SPLIT = '''
from coworks import TechMicroService, entry


class Split(TechMicroService):
    @entry
    def get_moved(self, *, to: str = "/"):
        return "moved", 302, {"Location": to}


app = Split()
'''

RAW = '''
def handler(event, context):
    return {"statusCode": 200, "headers": {"X-Raw": "a\\r\\nSet-Cookie: evil=1"}, "body": "raw"}
'''


@pytest.fixture(scope="module", autouse=True)
def _clean(front_door_client: Callable[[str], Any]) -> Iterator[None]:
    yield
    remove_named(front_door_client, ("gwlimits-",))


def in_threads(count: int, call: Callable[[], Any]) -> tuple[list[threading.Thread], list[Any]]:
    answers: list[Any] = []
    threads = [threading.Thread(target=lambda: answers.append(call())) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, answers


def test_a_fast_request_is_answered_while_slow_ones_run(front_door: Any, front_door_client: Any) -> None:
    name = "gwlimits-busy"
    url = deploy_by_hand(front_door_client, name, service_zip(SLOW), url=front_door.url)
    threads, answers = in_threads(3, lambda: requests.get(url + "/sleep/3", timeout=60).status_code)
    poll(lambda: front_door.app.lambdas.running(name) == 3)
    assert requests.get(url + "/sleep/0", timeout=60).json() == {"slept": 0}  # a fourth worker, at once
    assert front_door.app.lambdas.running(name) == 3 and answers == []  # the slow ones still run
    for thread in threads:
        thread.join()
    assert answers == [200, 200, 200]


def test_reserved_concurrency_throttles_invoke_and_the_http_api_and_events_wait(
        front_door: Any, front_door_client: Any) -> None:
    """Lambda: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (TooManyRequestsException,
    429, Reason ReservedFunctionConcurrentInvocationLimitExceeded). The HTTP API in front answers
    500 Internal Server Error: a throttled proxy integration is an integration failure
    (https://repost.aws/knowledge-center/api-gateway-internal-server-error, "Throttling occurs")."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    name = "gwlimits-reserved"
    url = deploy_by_hand(front_door_client, name, service_zip(SLOW), url=front_door.url, reserved=2)
    threads, answers = in_threads(2, lambda: requests.get(url + "/sleep/3", timeout=60).status_code)
    poll(lambda: front_door.app.lambdas.running(name) == 2)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    once = session.client("lambda", endpoint_url=front_door.url, config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as throttled:
        once.invoke(FunctionName=name, Qualifier="dev", Payload=b"{}")
    error = throttled.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("TooManyRequestsException", 429)
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    answer = requests.get(url + "/sleep/0", timeout=60)
    assert (answer.status_code, answer.json()) == (500, {"message": "Internal Server Error"})
    queued = once.invoke(FunctionName=name, Qualifier="dev", InvocationType="Event", Payload=b"{}")
    assert queued["StatusCode"] == 202  # accepted, to run once a slot is free
    request_id = queued["ResponseMetadata"]["RequestId"]
    assert front_door.app.lambdas.running(name) == 2 and answers == []
    for thread in threads:
        thread.join()
    assert answers == [200, 200]
    logs = front_door_client("logs")

    def started() -> bool:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        return any(f"START RequestId: {request_id}" in e["message"] for e in events)

    poll(started)


@pytest.fixture(scope="module")
def impatient_door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A front door whose integrations time out after 0.5 s instead of an HTTP API's 30 s."""
    from coworks.cloud.local.frontdoor import start_front_door

    server, lambdas = start_front_door(tmp_path_factory.mktemp("impatient"))
    server.app.gateway.integration_timeout = 0.5
    yield server
    server.stop()
    lambdas.close()


def test_an_integration_past_its_timeout_gets_api_gateways_answer(impatient_door: Any) -> None:
    import boto3

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    def client(service: str) -> Any:
        return session.client(service, endpoint_url=impatient_door.url)

    url = deploy_by_hand(client, "gwlimits-late", service_zip(SLOW), url=impatient_door.url)
    client("lambda").invoke(FunctionName="gwlimits-late", Qualifier="dev", Payload=b"{}")  # warm, past no gateway
    assert requests.get(url + "/sleep/0", timeout=60).status_code == 200
    answer = requests.get(url + "/sleep/3", timeout=60)
    assert (answer.status_code, answer.json()) == (503, {"message": "Service Unavailable"})
    assert answer.headers["content-type"] == "application/json"


def test_a_header_with_a_line_break_never_reaches_the_wire(front_door: Any, front_door_client: Any) -> None:
    url = deploy_by_hand(front_door_client, "gwlimits-split", service_zip(SPLIT), url=front_door.url)
    path = "/" + url.split("/", 3)[3]
    answers = raw_answers(front_door.port, f"GET {path}/moved?to=/a%0d%0aSet-Cookie:%20evil=1 HTTP/1.1\r\n"
                                           "Host: 127.0.0.1\r\n\r\n".encode())
    status, headers, body = answers[0]
    assert status == 500 and "set-cookie" not in headers and "location" not in headers
    assert "Location holds a CR, LF or NUL" in json.loads(body)["message"]  # the runtime names it, in Lambda
    assert requests.get(url + "/moved", params={"to": "/b"}, allow_redirects=False, timeout=60).headers[
        "location"] == "/b"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("raw.py", RAW)
    url = deploy_by_hand(front_door_client, "gwlimits-raw", buffer.getvalue(), handler="raw.handler",
                         url=front_door.url)
    path = "/" + url.split("/", 3)[3]
    wire = f"GET {path}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    status, headers, body = raw_answers(front_door.port, wire)[0]
    # a handler without the runtime: the gateway refuses the answer as API Gateway refuses a malformed one
    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})
    assert "set-cookie" not in headers and "x-raw" not in headers
