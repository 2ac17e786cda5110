"""Through the front door: boto3 sees real Lambda results, the HTTP API answers from the
deployed zip, and every invocation lands in CloudWatch Logs like Lambda's."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.localcloud

ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture(scope="module")
def deployed(front_door_client: Any, front_door: Any, inventory_zip: bytes) -> dict[str, Any]:
    """The sample service deployed by hand: function, version, alias, HTTP API with an authorizer."""
    iam = front_door_client("iam")
    role = iam.create_role(RoleName="inventory-dev", AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]
    lam = front_door_client("lambda")
    lam.create_function(FunctionName="inventory-dev", Runtime="python3.11", Role=role, Handler="inventory.app",
                        Code={"ZipFile": inventory_zip}, Timeout=5, Environment={"Variables": {"TOKEN": "t0k"}})
    version = lam.publish_version(FunctionName="inventory-dev")["Version"]
    alias = lam.create_alias(FunctionName="inventory-dev", Name="dev", FunctionVersion=version)["AliasArn"]
    gw = front_door_client("apigatewayv2")
    api = gw.create_api(Name="inventory-dev", ProtocolType="HTTP")["ApiId"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{alias}/invocations"
    integration = gw.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=alias,
                                        PayloadFormatVersion="2.0")["IntegrationId"]
    authorizer = gw.create_authorizer(ApiId=api, AuthorizerType="REQUEST", Name="token", AuthorizerUri=uri,
                                      IdentitySource=["$request.header.Authorization"],
                                      AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True)["AuthorizerId"]
    for key in ("GET /", "GET /item/{item_id}", "POST /item", "GET /fail"):
        extra = {} if key == "GET /" else {"AuthorizationType": "CUSTOM", "AuthorizerId": authorizer}
        gw.create_route(ApiId=api, RouteKey=key, Target=f"integrations/{integration}", **extra)
    gw.create_stage(ApiId=api, StageName="dev")
    return {"url": f"{front_door.url}/_aws/execute-api/{api}/dev", "alias": alias}


def test_http_api_answers_from_the_deployed_zip(deployed: dict[str, Any]) -> None:
    url = deployed["url"]
    assert requests.get(url + "/").text == "ready"
    answer = requests.get(url + "/item/3", headers={"Authorization": "t0k"})
    assert (answer.status_code, answer.json()) == (200, {"id": 3})
    created = requests.post(url + "/item", json={"name": "pen", "qty": 2}, headers={"Authorization": "t0k"})
    assert (created.status_code, created.json()) == (201, {"name": "pen", "qty": 2})
    bad = requests.get(url + "/item/x", headers={"Authorization": "t0k"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "item_id"


def test_unknown_routes_get_api_gateways_404(deployed: dict[str, Any]) -> None:
    answer = requests.get(deployed["url"] + "/nowhere")
    assert (answer.status_code, answer.text) == (404, '{"message":"Not Found"}')
    assert requests.delete(deployed["url"] + "/item/3").status_code == 404  # HTTP APIs have no 405


def test_the_authorizer_runs_before_the_route(deployed: dict[str, Any]) -> None:
    url = deployed["url"] + "/item/3"
    assert (requests.get(url).status_code, requests.get(url).json()) == (401, {"message": "Unauthorized"})
    wrong = requests.get(url, headers={"Authorization": "nope"})
    assert (wrong.status_code, wrong.json()) == (403, {"message": "Forbidden"})


def test_an_exception_in_the_service_is_its_own_500_with_a_request_id(deployed: dict[str, Any]) -> None:
    answer = requests.get(deployed["url"] + "/fail", headers={"Authorization": "t0k"})
    assert answer.status_code == 500 and answer.json()["request_id"]
    assert "Traceback" not in answer.text


def test_boto3_invoke_runs_the_function(front_door_client: Any, deployed: dict[str, Any]) -> None:
    lam = front_door_client("lambda")
    event = {"method": "GET", "path": "/item/7"}
    result = lam.invoke(FunctionName="inventory-dev", Qualifier="dev", Payload=json.dumps(event), LogType="Tail")
    assert json.loads(result["Payload"].read()) == {"id": 7}
    assert result["ExecutedVersion"] == "1"
    tail = base64.b64decode(result["LogResult"]).decode()
    assert "START RequestId:" in tail and "looking up 7" in tail and "REPORT RequestId:" in tail
    failed = lam.invoke(FunctionName="inventory-dev", Qualifier="dev", Payload=json.dumps({"method": "GET",
                                                                                           "path": "/nope"}))
    assert failed["FunctionError"] == "Unhandled"
    error = json.loads(failed["Payload"].read())
    assert error["errorType"] == "HTTP404" and "stackTrace" in error
    queued = lam.invoke(FunctionName="inventory-dev", Qualifier="dev", InvocationType="Event", Payload=b"{}")
    assert queued["StatusCode"] == 202


def test_unknown_function_is_boto3s_resource_not_found(front_door_client: Any, front_door: Any) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        front_door_client("lambda").invoke(FunctionName="nothing-here", Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_every_invocation_is_logged_like_lambda(front_door_client: Any, deployed: dict[str, Any]) -> None:
    requests.get(deployed["url"] + "/item/41", headers={"Authorization": "t0k"})
    logs = front_door_client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/inventory-dev")["logStreams"]
    assert streams and all("/[1]" in s["logStreamName"] for s in streams)
    messages = [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/inventory-dev")["events"]]
    assert any(m == "looking up 41" for m in messages)
    assert any(m.startswith("START RequestId:") and m.endswith("Version: 1") for m in messages)
    assert any(m.startswith("REPORT RequestId:") and "Billed Duration:" in m for m in messages)


def test_head_through_the_gateway_is_framed_once_and_has_no_body(deployed: dict[str, Any]) -> None:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(deployed["url"] + "/")
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("HEAD", url.path)
    answer = connection.getresponse()
    # The local gateway routes HEAD only to a HEAD or ANY route (routes match their verb exactly).
    assert answer.read() == b"" and answer.status == 404
    assert len(answer.msg.get_all("Content-Length") or []) == 1
    connection.close()
