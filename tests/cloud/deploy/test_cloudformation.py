"""The CloudFormation and SAM templates: the plan's resources and no others, cfn-lint finds no
error, and on the local cloud's CloudFormation (moto) the types it implements are created with the
template's properties and the function answers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from coworks.cloud.deploy import cloudformation, exports
from tests.cloud.deploy.exported import planned, service, workflow


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("cloudformation")
    package, model = service()
    found = {
        "service": cloudformation.export(model, "dev", package.data, package_hash=package.sha256),
        "sam": cloudformation.export(model, "dev", package.data, sam=True, package_hash=package.sha256),
        "workflow": cloudformation.export(workflow(), "dev"),
    }
    for name, export in found.items():
        export.write(folder / name)
    return {"folder": folder, "package": package, **found}


def test_every_resource_stands_for_a_planned_one_and_every_planned_one_is_exported(templates: dict[str, Any]) -> None:
    for name in ("service", "sam", "workflow"):
        export = templates[name]
        exported = {pair for r in export.resources for pair in r.stands_for}
        assert exported == planned(export.model) - {("s3 eventbridge", "uploads")}, name
    notice = json.loads(templates["workflow"].files[cloudformation.TEMPLATE])["Metadata"]["Coworks"]["NotManaged"]
    assert notice.startswith("Turn on EventBridge notifications of the bucket uploads yourself")


def test_the_template_has_parameters_outputs_tags_and_no_token(templates: dict[str, Any]) -> None:
    document = json.loads(templates["service"].files[cloudformation.TEMPLATE])
    assert exports.tokens_left(document) == []
    assert set(document["Parameters"]) == {"Stage", "CodeBucket", "CodeKey"}
    assert {"Url", "FunctionArn", "AliasArn", "RoleArn"} <= set(document["Outputs"])
    function = document["Resources"]["Function"]["Properties"]
    assert function["FunctionName"] == {"Fn::Sub": "inventory-${Stage}"}
    assert function["TracingConfig"] == {"Mode": "Active"} and function["ReservedConcurrentExecutions"] == 10
    assert {"Key": "coworks:stage", "Value": {"Fn::Sub": "${Stage}"}} in function["Tags"]
    version = templates["package"].sha256[:10]
    assert document["Resources"][f"Version{version}"]["Type"] == "AWS::Lambda::Version"  # a new package, a new version
    sam = json.loads(templates["sam"].files[cloudformation.TEMPLATE])
    assert sam["Transform"] == "AWS::Serverless-2016-10-31"
    assert sam["Resources"]["Function"]["Properties"]["CodeUri"] == "service.zip"
    assert sam["Resources"]["Function"]["Properties"]["AutoPublishAlias"] == {"Ref": "Stage"}


def test_a_literal_substitution_in_a_value_is_escaped() -> None:
    assert cloudformation._sub("${x} in @@region@@") == {"Fn::Sub": "${!x} in ${AWS::Region}"}


def cfn_lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), *map(str, paths)], capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.mark.checkers
def test_cfn_lint_finds_no_error_and_would_find_one(templates: dict[str, Any], tmp_path: Path) -> None:
    folder = templates["folder"]
    done = cfn_lint(*(folder / name / cloudformation.TEMPLATE for name in ("service", "sam", "workflow")))
    assert done.returncode == 0, done.stdout + done.stderr
    broken = json.loads(templates["service"].files[cloudformation.TEMPLATE])
    broken["Resources"]["Function"]["Properties"]["MemorySiz"] = 256
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    refused = cfn_lint(tmp_path / "broken.json")
    assert refused.returncode == 2 and "Did you mean 'MemorySize'?" in refused.stdout


#: What moto's CloudFormation implements of the template's types (it has no AWS::ApiGatewayV2::*,
#: AWS::Lambda::Alias, AWS::SNS::Subscription, AWS::SQS::QueuePolicy nor AWS::Pipes::Pipe).
MOTO = {"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::Logs::LogGroup", "AWS::Lambda::Function", "AWS::Lambda::Version",
        "AWS::Lambda::Permission", "AWS::Events::Rule", "AWS::StepFunctions::StateMachine", "AWS::SQS::Queue"}


def _names(value: Any) -> set[str]:
    """The logical ids a value refers to (Ref, GetAtt, Sub)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return {value["Ref"]}
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        if "Fn::Sub" in value:
            return {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", value["Fn::Sub"])}
        return set().union(*map(_names, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_names, value)) if value else set()
    return set()


def for_moto(template: dict[str, Any]) -> dict[str, Any]:
    """The template's resources of the types moto implements, with their properties; what refers to
    the stage alias (which moto lacks) refers to the function instead, and what refers to a type
    moto lacks (the HTTP API's permission) is left out with it."""
    def alias_to_function(value: Any) -> Any:
        if value == {"Ref": "Alias"}:
            return {"Fn::GetAtt": ["Function", "Arn"]}
        if isinstance(value, dict):
            return {k: alias_to_function(v) for k, v in value.items()}
        return [alias_to_function(v) for v in value] if isinstance(value, list) else value

    kept = {n: alias_to_function(r) for n, r in template["Resources"].items() if r["Type"] in MOTO}
    while True:
        known = set(kept) | set(template["Parameters"])
        dropped = [n for n, r in kept.items() if any(x not in known and not x.startswith("AWS::") for x in _names(r))]
        if not dropped:
            break
        for name in dropped:
            del kept[name]
    return {**{k: v for k, v in template.items() if k not in ("Resources", "Outputs")}, "Resources": kept}


@pytest.mark.localcloud
def test_on_the_local_cloud_the_stack_makes_what_moto_implements_and_the_function_answers(
        cloud: Any, templates: dict[str, Any]) -> None:
    template = for_moto(json.loads(templates["service"].files[cloudformation.TEMPLATE]))
    assert {r["Type"] for r in template["Resources"].values()} == {
        "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::Logs::LogGroup", "AWS::Lambda::Function", "AWS::Lambda::Version",
        "AWS::Lambda::Permission", "AWS::Events::Rule"}
    s3, stacks = cloud.clients.client("s3"), cloud.clients.client("cloudformation")
    s3.create_bucket(Bucket="coworks-packages")
    s3.put_object(Bucket="coworks-packages", Key="inventory/service.zip", Body=templates["package"].data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto warns of every type it does not implement
        stacks.create_stack(StackName="inventory-cfn", TemplateBody=json.dumps(template),
                            Capabilities=["CAPABILITY_NAMED_IAM"], Parameters=[
                                {"ParameterKey": "Stage", "ParameterValue": "cfn"},
                                {"ParameterKey": "CodeBucket", "ParameterValue": "coworks-packages"},
                                {"ParameterKey": "CodeKey", "ParameterValue": "inventory/service.zip"}])
    made = {r["LogicalResourceId"]: r for r in stacks.list_stack_resources(StackName="inventory-cfn")[
        "StackResourceSummaries"]}
    assert set(made) == set(template["Resources"]) and {r["ResourceStatus"] for r in made.values()} == {
        "CREATE_COMPLETE"}
    lam = cloud.clients.client("lambda")
    found = lam.get_function(FunctionName="inventory-cfn")
    config = found["Configuration"]  # moto's CloudFormation passes on these properties of a function (not
    # TracingConfig, EphemeralStorage, Layers, Architectures nor Tags: moto/awslambda/models.py)
    assert (config["MemorySize"], config["Timeout"], config["Handler"]) == (256, 20, templates["package"].handler)
    assert config["Environment"]["Variables"] == {"LEVEL": "info"}
    assert config["VpcConfig"]["SubnetIds"] == ["subnet-0a1b2c3d"]
    assert found["Concurrency"] == {"ReservedConcurrentExecutions": 10}
    assert config["Role"].endswith(":role/coworks/inventory-cfn-role")
    assert config["CodeSha256"] == templates["package"].code_sha256  # the very zip a deploy uploads
    rule = cloud.clients.client("events").describe_rule(Name="inventory-cfn-tick")
    assert rule["ScheduleExpression"] == "rate(5 minutes)"
    answer = lam.invoke(FunctionName="inventory-cfn", Payload=json.dumps({"method": "GET", "path": "/item/7"}))
    assert json.loads(answer["Payload"].read()) == {"id": 7}
    stacks.delete_stack(StackName="inventory-cfn")


@pytest.mark.localcloud
def test_on_the_local_cloud_a_workflow_stack_makes_its_state_machine_roles_and_rules(
        cloud: Any, templates: dict[str, Any]) -> None:
    template = for_moto(json.loads(templates["workflow"].files[cloudformation.TEMPLATE]))
    assert {"AWS::StepFunctions::StateMachine", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::Events::Rule",
            "AWS::Logs::LogGroup", "AWS::SQS::Queue"} <= {r["Type"] for r in template["Resources"].values()}
    stacks = cloud.clients.client("cloudformation")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stacks.create_stack(StackName="orders-cfn", TemplateBody=json.dumps(template),
                            Capabilities=["CAPABILITY_NAMED_IAM"],
                            Parameters=[{"ParameterKey": "Stage", "ParameterValue": "cfn"}])
    made = stacks.list_stack_resources(StackName="orders-cfn")["StackResourceSummaries"]
    assert {r["LogicalResourceId"] for r in made} == set(template["Resources"])
    arn = next(r["PhysicalResourceId"] for r in made if r["ResourceType"] == "AWS::StepFunctions::StateMachine")
    machine = cloud.clients.client("stepfunctions").describe_state_machine(stateMachineArn=arn)
    assert machine["name"] == "orders-cfn" and machine["roleArn"].endswith(":role/coworks/orders-cfn-states")
    task = json.loads(machine["definition"])["States"]["Fetch"]
    assert task["Parameters"]["FunctionName"] == "arn:aws:lambda:us-east-1:123456789012:function:inventory-cfn:cfn"
    targets = cloud.clients.client("events").list_targets_by_rule(Rule="orders-cfn-rate")["Targets"]
    assert targets[0]["Arn"] == arn and targets[0]["RoleArn"].endswith(":role/coworks/orders-cfn-events")
    stacks.delete_stack(StackName="orders-cfn")
