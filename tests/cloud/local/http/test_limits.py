"""AWS's limits on the front door, through boto3 (its retries counted), the AWS CLI and raw
sockets: Lambda Invoke's 6 MB and its payloads that are no JSON, code over 50 MB or unpacking
past 250 MB, code that is no zip, and requests no HTTP server should run (garbage, huge heads,
smuggling shapes, odd Authorization headers), each answered as AWS answers it, never a 500.

AWS's pages: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (Errors),
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (6 MB, 50 MB, 250 MB),
https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (Errors)."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import SLOW, deploy_by_hand, raw_answers, service_zip

pytestmark = pytest.mark.localcloud

FUNCTION = "limits-dev"
UNZIPPED = "Unzipped size must be smaller than 262144000 bytes"
NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."


class Sent:
    """Requests botocore sent (its retries included), counted on its before-send event."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, **_: Any) -> None:
        self.count += 1


@pytest.fixture(scope="module")
def deployed(front_door: Any, front_door_client: Any) -> str:
    return deploy_by_hand(front_door_client, FUNCTION, service_zip(SLOW), url=front_door.url)


@pytest.fixture
def counted(front_door_client: Callable[[str], Any]) -> Iterator[tuple[Any, Sent]]:
    """A Lambda client with botocore's default retries, and what it sent."""
    client, sent = front_door_client("lambda"), Sent()
    client.meta.events.register("before-send.lambda", sent)
    yield client, sent


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """Under 1 MB of zip that unpacks to 251 MiB (263,192,576 bytes), over Lambda's 262,144,000."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as out:
            block = bytes(1 << 20)
            for _ in range(251):
                out.write(block)
    assert len(buffer.getvalue()) < 1_000_000
    return buffer.getvalue()


def refused(call: Callable[[], Any]) -> tuple[str, str, int]:
    """(code, message, status) of the ClientError ``call`` raises."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as error:
        call()
    answer = error.value.response
    return answer["Error"]["Code"], answer["Error"]["Message"], answer["ResponseMetadata"]["HTTPStatusCode"]


def aws_cli(front_door: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).with_name("aws")), "--endpoint-url", front_door.url, *args],
                          capture_output=True, text=True, timeout=120, env={**os.environ})


# -- Invoke ------------------------------------------------------------------------------------


def test_an_invoke_payload_over_6_mb_is_request_too_large_sent_once(front_door: Any, deployed: str,
                                                                    counted: tuple[Any, Sent], tmp_path: Path) -> None:
    client, sent = counted
    served = front_door.http.served
    payload = json.dumps({"text": "x" * 6_291_457}).encode()
    assert refused(lambda: client.invoke(FunctionName=FUNCTION, Payload=payload)) == (
        "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation", 413)
    assert sent.count == 1  # botocore retries no 413
    assert front_door.http.served == served  # refused from its head: the function never ran
    fits = json.dumps({"text": "x" * 6_291_500}).encode()[:6_291_456]  # at the limit: read, then refused as no JSON
    assert refused(lambda: client.invoke(FunctionName=FUNCTION, Payload=fits))[0] == "InvalidRequestContentException"
    (tmp_path / "big.json").write_bytes(payload)
    shown = aws_cli(front_door, "lambda", "invoke", "--function-name", FUNCTION, "--payload",
                    f"fileb://{tmp_path / 'big.json'}", str(tmp_path / "out.json"))
    assert shown.returncode != 0
    assert "(RequestTooLargeException)" in shown.stderr and "smaller than 6291456 bytes" in shown.stderr


@pytest.mark.parametrize(("payload", "detail"), [(b"{not json", "Expecting property name"),
                                                 (b'"caf\xe9"', "can't decode byte 0xe9")])
@pytest.mark.parametrize("kind", ["RequestResponse", "Event"])
def test_a_payload_that_is_no_json_is_invalid_request_content_sent_once(
        front_door: Any, deployed: str, counted: tuple[Any, Sent], tmp_path: Path, payload: bytes, detail: str,
        kind: str) -> None:
    client, sent = counted
    code, message, status = refused(lambda: client.invoke(FunctionName=FUNCTION, Payload=payload,
                                                          InvocationType=kind))
    assert (code, status, sent.count) == ("InvalidRequestContentException", 400, 1)
    assert message.startswith("Could not parse request body into json: Could not parse payload into json: ")
    assert detail in message
    (tmp_path / "bad.json").write_bytes(payload)
    shown = aws_cli(front_door, "lambda", "invoke", "--function-name", FUNCTION, "--invocation-type", kind,
                    "--payload", f"fileb://{tmp_path / 'bad.json'}", str(tmp_path / "out.json"))
    assert shown.returncode != 0 and "(InvalidRequestContentException)" in shown.stderr and detail in shown.stderr


# -- code --------------------------------------------------------------------------------------


def unpacked(front_door: Any) -> set[str]:
    return {p.name for p in front_door.app.lambdas.cache_dir.rglob("*")}


def test_code_over_50_mb_is_request_entity_too_large_sent_once(front_door: Any, counted: tuple[Any, Sent]) -> None:
    client, sent = counted
    served = front_door.http.served
    code = os.urandom(50 * 1024 * 1024 + 1)  # the zip's bytes: base64 in the JSON body
    assert refused(lambda: client.create_function(
        FunctionName="limits-huge", Runtime="python3.11", Role="arn:aws:iam::123456789012:role/limits-dev",
        Handler="inventory.app", Code={"ZipFile": code})) == (
        "RequestEntityTooLargeException",
        "Request must be smaller than 69905067 bytes for the CreateFunction operation", 413)
    assert (sent.count, front_door.http.served) == (1, served)


def test_a_zip_bomb_is_refused_for_every_code_operation_and_never_unpacked(
        front_door: Any, front_door_client: Callable[[str], Any], deployed: str, counted: tuple[Any, Sent],
        bomb: bytes) -> None:
    client, sent = counted
    before, code = unpacked(front_door), client.get_function(FunctionName=FUNCTION)["Configuration"]["CodeSha256"]
    sent.count = 0
    s3 = front_door_client("s3")
    s3.create_bucket(Bucket="limits-code")
    s3.put_object(Bucket="limits-code", Key="bomb.zip", Body=bomb)
    role = "arn:aws:iam::123456789012:role/limits-dev"
    calls: list[Callable[[], Any]] = [
        lambda: client.create_function(FunctionName="limits-bomb", Runtime="python3.11", Role=role,
                                       Handler="inventory.app", Code={"ZipFile": bomb}),
        lambda: client.create_function(FunctionName="limits-bomb", Runtime="python3.11", Role=role,
                                       Handler="inventory.app", Code={"S3Bucket": "limits-code", "S3Key": "bomb.zip"}),
        lambda: client.update_function_code(FunctionName=FUNCTION, ZipFile=bomb),
        lambda: client.update_function_code(FunctionName=FUNCTION, S3Bucket="limits-code", S3Key="bomb.zip"),
        lambda: client.publish_layer_version(LayerName="limits-bomb", Content={"ZipFile": bomb}),
        lambda: client.publish_layer_version(LayerName="limits-bomb", Content={"S3Bucket": "limits-code",
                                                                               "S3Key": "bomb.zip"}),
    ]
    for call in calls:
        assert refused(call) == ("InvalidParameterValueException", UNZIPPED, 400)
    assert sent.count == len(calls)
    assert client.get_function(FunctionName=FUNCTION)["Configuration"]["CodeSha256"] == code
    assert "limits-bomb" not in [f["FunctionName"] for f in client.list_functions()["Functions"]]
    assert client.list_layer_versions(LayerName="limits-bomb")["LayerVersions"] == []
    assert unpacked(front_door) == before


def test_code_that_is_no_zip_is_refused_with_lambdas_sentence(deployed: str, counted: tuple[Any, Sent]) -> None:
    client, _ = counted
    assert refused(lambda: client.create_function(
        FunctionName="limits-text", Runtime="python3.11", Role="arn:aws:iam::123456789012:role/limits-dev",
        Handler="inventory.app", Code={"ZipFile": b"not a zip at all"})) == (
        "InvalidParameterValueException", NOT_A_ZIP, 400)
    assert refused(lambda: client.update_function_code(FunctionName=FUNCTION, ZipFile=b"PK\x03\x04 cut")) == (
        "InvalidParameterValueException", NOT_A_ZIP, 400)
    assert refused(lambda: client.publish_layer_version(LayerName="limits-text", Content={
        "ZipFile": base64.b64encode(b"twice encoded")})) == ("InvalidParameterValueException", NOT_A_ZIP, 400)


# -- what no HTTP server should run: AWS-shaped answers, never a 500 ----------------------------

SIGNED = ("Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/states/aws4_request, "
          "SignedHeaders=host;x-amz-date, Signature=00\r\nX-Amz-Date: 20260101T000000Z\r\n")


def answer_to(front_door: Any, wire: bytes) -> tuple[int, dict[str, str], bytes]:
    answers = raw_answers(front_door.port, wire)
    assert answers, f"no answer to {wire[:60]!r}"
    return answers[0]


@pytest.mark.parametrize(("wire", "status", "words"), [
    (b"GARBAGE\r\n\r\n", 400, "is not 'METHOD target HTTP/1.1'"),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400, ""),  # a TLS hello on the plain port
    (b"GET /\r\n\r\n", 400, "HTTP/0.9"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431, ""),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(300)) + b"\r\n", 431, ""),
    (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "disagree"),
    (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     400, "both Transfer-Encoding and Content-Length"),
    (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "not chunked"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n\r\n", 400, "folded"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n", 400, "exactly one Host"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n", 400, "not a number"),
])
def test_a_malformed_request_is_a_json_4xx_naming_the_problem(front_door: Any, wire: bytes, status: int,
                                                              words: str) -> None:
    got, headers, body = answer_to(front_door, wire)
    assert got == status and headers["content-type"] == "application/json"
    assert words in json.loads(body)["message"]


def test_a_header_name_with_an_underscore_never_passes_for_its_dashed_twin(front_door: Any) -> None:
    call = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n" + SIGNED
            + "{target}: AWSStepFunctions.ListStateMachines\r\nContent-Length: 2\r\n\r\n{{}}")
    status, _, body = answer_to(front_door, call.format(target="X-Amz-Target").encode())
    assert status == 200 and "stateMachines" in json.loads(body)
    status, _, body = answer_to(front_door, call.format(target="X_Amz_Target").encode())
    assert status != 500 and b"stateMachines" not in body


@pytest.mark.parametrize("authorization", [
    "Bearer abc", "Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=", "AWS4-HMAC-SHA256 ,,,==",
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/lambda, SignedHeaders=host, Signature=00",
    "AWS abc:def", "\u00e9t\u00e9",
])
def test_an_odd_authorization_header_is_incomplete_signature(front_door: Any, authorization: str) -> None:
    status, headers, body = answer_to(front_door, (
        "GET /2015-03-31/functions/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Date: 20260101T000000Z\r\n"
        f"Authorization: {authorization}\r\n\r\n").encode("latin-1"))
    assert (status, headers["x-amzn-errortype"]) == (400, "IncompleteSignatureException")
    assert json.loads(body)["message"]


@pytest.mark.parametrize("target", ["/no/such/thing", "/2015-03-31/functions/nope/whatever", "/%ff%fe",
                                    "/2015-03-31/functions/" + "a" * 3000 + "/invocations"])
def test_an_unknown_path_is_an_aws_error_never_a_500(front_door: Any, target: str) -> None:
    status, headers, body = answer_to(front_door, (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host, Signature=00\r\nX-Amz-Date: 20260101T000000Z\r\nContent-Length: 2\r\n\r\n{}").encode())
    assert 400 <= status < 500 and b"Traceback" not in body and b"<html" not in body
    assert headers.get("x-amzn-errortype") or b"<Code>" in body
