"""The exports of a service declared with ``api="rest"``: CloudFormation, SAM and Terraform hold the
plan's REST API resources and no others, the real checkers pass them, and the function made from the
CloudFormation template answers through its REST API on the local cloud.

Resource types as AWS documents them:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_ApiGateway.html
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
import requests

from coworks.cloud import build_package
from coworks.cloud.deploy import cloudformation, exports, terraform
from tests.cloud.deploy import test_cloudformation
from tests.cloud.deploy.exported import planned
from tests.cloud.deploy.test_cloudformation import cfn_lint, for_moto
from tests.cloud.deploy.test_terraform import ACCEPTED, UNCHECKED, checkov
from tests.support import cell

#: A REST service with everything its API may carry: an authorizer, keys, a usage plan, X-Ray.
PARTNERS = '''
from coworks import Lambda, TechMicroService, entry

class Partners(TechMicroService):
    """Stock for partners."""

    settings = Lambda(api="rest", api_keys=["acme", "zenith"], tracing="Active", log_retention=365,
                      reserved_concurrency=10, subnets=["subnet-0a1b2c3d"], security_groups=["sg-0c2d3e4f"],
                      usage_plan={"rate": 10, "burst": 20, "quota": 10000, "period": "MONTH"})

    def auth(self, token):
        return token == "letmein"

    @entry
    def get_item(self, item_id: int):
        return {"id": item_id}

    @entry
    def post_item(self, *, name: str):
        return {"name": name}, 201

    @entry(no_auth=True)
    def get(self):
        return "ready"
'''

#: What moto's CloudFormation implements of a REST API (no Stage, Authorizer, UsagePlan nor ApiKey).
OPEN = '''
from coworks import Lambda, TechMicroService, entry

class Counter(TechMicroService):
    """Counts."""

    settings = Lambda(api="rest")

    @entry
    def get_count(self, start: int):
        return {"next": start + 1}
'''

#: The REST API types moto's CloudFormation implements.
MOTO_REST = {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method",
             "AWS::ApiGateway::Deployment"}
REST_TYPES = {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method",
              "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
              "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlanKey"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("rest-exports")
    package = build_package(cell(PARTNERS, "partners"))
    model = exports.service_model(package, "dev")
    found = {"cloudformation": cloudformation.export(model, "dev", package.data, package_hash=package.sha256),
             "sam": cloudformation.export(model, "dev", package.data, sam=True, package_hash=package.sha256),
             "terraform": terraform.export(model, "dev", package.data)}
    for name, export in found.items():
        export.write(folder / name)
    return {"folder": folder, "package": package, **found}


def test_every_exported_resource_stands_for_a_planned_one_and_back(exported: dict[str, Any]) -> None:
    for name in ("cloudformation", "sam", "terraform"):
        export = exported[name]
        assert {pair for r in export.resources for pair in r.stands_for} == planned(export.model), name
    assert {k for k, _ in planned(exported["cloudformation"].model)} >= {
        "rest api", "rest resource", "rest method", "rest authorizer", "rest deployment", "rest stage", "usage plan",
        "api key"}


def test_the_template_holds_the_rest_api_its_keys_and_its_plan(exported: dict[str, Any]) -> None:
    document = json.loads(exported["cloudformation"].files[cloudformation.TEMPLATE])
    resources = document["Resources"]
    assert REST_TYPES <= {r["Type"] for r in resources.values()}
    assert not any(r["Type"].startswith("AWS::ApiGatewayV2::") for r in resources.values())
    assert document["Outputs"]["Url"]["Value"] == {
        "Fn::Sub": "https://${RestApi}.execute-api.${AWS::Region}.amazonaws.com/${ApiStage}"}
    methods = {(r["Properties"]["HttpMethod"], r["Properties"]["AuthorizationType"], r["Properties"]["ApiKeyRequired"])
               for r in resources.values() if r["Type"] == "AWS::ApiGateway::Method"}
    assert methods == {("GET", "CUSTOM", True), ("POST", "CUSTOM", True), ("GET", "NONE", False)}
    plan = next(r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::UsagePlan")
    assert (plan["Throttle"], plan["Quota"]) == ({"RateLimit": 10, "BurstLimit": 20}, {"Limit": 10000,
                                                                                      "Period": "MONTH"})
    authorizer = next(r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Authorizer")
    assert (authorizer["Type"], authorizer["IdentitySource"]) == ("TOKEN", "method.request.header.Authorization")
    module = json.loads(exported["terraform"].files[terraform.MODULE])
    assert {"aws_api_gateway_rest_api", "aws_api_gateway_stage", "aws_api_gateway_usage_plan",
            "aws_api_gateway_api_key", "aws_api_gateway_usage_plan_key"} <= set(module["resource"])
    assert exports.tokens_left(module) == [] and exports.tokens_left(document) == []


@pytest.mark.checkers
def test_cfn_lint_finds_no_error_in_the_rest_templates(exported: dict[str, Any]) -> None:
    folder: Path = exported["folder"]
    done = cfn_lint(*(folder / name / cloudformation.TEMPLATE for name in ("cloudformation", "sam")))
    assert done.returncode == 0, done.stdout + done.stderr


#: What checkov fails on a REST API beyond the HTTP API's accepted checks, and why it stays.
REST_ACCEPTED = {
    "CKV_AWS_120": "no API Gateway cache: answers are the function's, a cache cluster is billed by the hour",
    "CKV_AWS_59": "a method without authorization is public by its author's choice (no auth method, or no_auth=True)",
    "CKV2_AWS_29": "no WAF: a web ACL is the account's to attach to the stage",
    "CKV2_AWS_51": "no client certificate: the integration is a Lambda proxy, not an HTTP backend",
    "CKV2_AWS_4": "no stage method settings: the function writes its own access log",
    "CKV2_AWS_53": "no request validation: the service validates its parameters itself",
}


@pytest.mark.checkers
def test_checkov_recognises_the_rest_resources_and_fails_only_accepted_checks(exported: dict[str, Any]) -> None:
    report = checkov(exported["folder"] / "terraform")
    assert report["summary"]["parsing_errors"] == 0
    results = report["results"]
    failed = {c["check_id"] for c in results.get("failed_checks", [])}
    accepted = set(ACCEPTED) | set(REST_ACCEPTED)
    assert failed <= accepted, {c: [r["resource"] for r in results["failed_checks"] if r["check_id"] == c]
                                for c in failed - accepted}
    assert set(REST_ACCEPTED) <= failed  # each one listed fails indeed
    checked = {c["resource"].split(".", 1)[1] for c in results.get("passed_checks", []) + results.get(
        "failed_checks", [])}
    unchecked = UNCHECKED | {"aws_api_gateway_resource", "aws_api_gateway_integration", "aws_api_gateway_authorizer",
                             "aws_api_gateway_deployment", "aws_api_gateway_usage_plan_key",
                             "aws_api_gateway_usage_plan", "aws_api_gateway_api_key"}
    for resource in exported["terraform"].resources:
        assert resource.name in checked or resource.type in unchecked, (resource.type, resource.name)
    assert "CKV_AWS_73" in {c["check_id"] for c in results["passed_checks"]}  # X-Ray on the stage: declared


@pytest.mark.localcloud
def test_the_function_made_from_the_template_answers_through_its_rest_api_on_the_local_cloud(
        cloud: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's CloudFormation makes the REST API, its resources, methods (with their Lambda proxy
    integrations) and a deployment, but no AWS::ApiGateway::Stage: the test names the stage on the
    deployment (its StageName property, which makes the stage) instead."""
    monkeypatch.setattr(test_cloudformation, "MOTO", test_cloudformation.MOTO | MOTO_REST)
    package = build_package(cell(OPEN, "cfncounter"))
    export = cloudformation.export(exports.service_model(package, "dev"), "dev", package.data,
                                   package_hash=package.sha256)
    template = for_moto(json.loads(export.files[cloudformation.TEMPLATE]))
    resources = template["Resources"]
    assert {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method",
            "AWS::ApiGateway::Deployment", "AWS::Lambda::Function"} <= {r["Type"] for r in resources.values()}
    deployment = next(r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Deployment")
    deployment["Properties"]["StageName"] = {"Ref": "Stage"}
    s3, stacks = cloud.clients.client("s3"), cloud.clients.client("cloudformation")
    s3.create_bucket(Bucket="coworks-rest-packages")
    s3.put_object(Bucket="coworks-rest-packages", Key="cfncounter/service.zip", Body=package.data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto warns of every type it does not implement
        stacks.create_stack(StackName="cfncounter-cfn", TemplateBody=json.dumps(template),
                            Capabilities=["CAPABILITY_NAMED_IAM"], Parameters=[
                                {"ParameterKey": "Stage", "ParameterValue": "cfn"},
                                {"ParameterKey": "CodeBucket", "ParameterValue": "coworks-rest-packages"},
                                {"ParameterKey": "CodeKey", "ParameterValue": "cfncounter/service.zip"}])
    try:
        made = stacks.list_stack_resources(StackName="cfncounter-cfn")["StackResourceSummaries"]
        api_id = next(r["PhysicalResourceId"] for r in made if r["ResourceType"] == "AWS::ApiGateway::RestApi")
        answer = requests.get(cloud.api_url(api_id, "cfn") + "/count/41", timeout=30)
        assert (answer.status_code, answer.json()) == (200, {"next": 42})
        missing = requests.get(cloud.api_url(api_id, "cfn") + "/nothing", timeout=30)
        assert (missing.status_code, missing.json()) == (403, {"message": "Missing Authentication Token"})
    finally:
        stacks.delete_stack(StackName="cfncounter-cfn")
        for item in s3.list_objects_v2(Bucket="coworks-rest-packages").get("Contents", []):
            s3.delete_object(Bucket="coworks-rest-packages", Key=item["Key"])
        s3.delete_bucket(Bucket="coworks-rest-packages")
