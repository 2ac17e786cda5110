"""Every declaration round-trips on moto: declared, planned, applied, read back, then no change."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from coworks.cloud.deploy.planner import plan_deploy
from tests.support import cell

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
DECLARED = '''
from coworks import Lambda, TechMicroService, entry

class Inventory(TechMicroService):
    """Stock of items."""

    settings = Lambda(memory={memory}, timeout={timeout}, ephemeral_storage={storage}, architecture="arm64",
                      python_version="3.12", layers={layers!r}, subnets={subnets!r},
                      security_groups=["sg-0c2d3e4f"], tracing={tracing!r}, reserved_concurrency={concurrency!r},
                      environment={{"LEVEL": {level!r}}}, secrets={{"DB_PASSWORD": {secret!r}}},
                      log_retention={retention}, permissions=[("s3:GetObject", {bucket!r})], api="http")

    @entry
    def get(self):
        return "ready"
'''


def declared(**changes: Any) -> Any:
    values = {"memory": 256, "timeout": 20, "storage": 1024, "layers": [], "subnets": ["subnet-0a1b2c3d"],
              "tracing": "Active", "concurrency": 5, "level": "info", "secret": SECRET, "retention": 14,
              "bucket": "arn:aws:s3:::stock/*", **changes}
    return cell(DECLARED.format(**values), "inventory")


def layer(aws: Any, name: str) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/helper.py", "VALUE = 1\n")
    published = aws.session.client("lambda").publish_layer_version(LayerName=name,
                                                                   Content={"ZipFile": buffer.getvalue()})
    return str(published["LayerVersionArn"])


class Parameters:
    """The JSON body of each Lambda call, by operation name (botocore's before-call event)."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, model: Any = None, params: Any = None, **_: Any) -> None:
        body = (params or {}).get("body") or {}
        if isinstance(body, (bytes, str)):
            body = json.loads(body) if body[:1] in (b"{", "{") else {}
        self.calls.setdefault(model.name, []).append(body)


def test_every_declaration_is_applied_and_read_back_with_no_change(aws: Any) -> None:
    pg = layer(aws, "pg")
    deployment = aws.deploy(declared(layers=[pg]))
    plan = deployment.plan()
    function = next(a for a in plan.actions if a.kind == "lambda function")
    assert function.changes == ("python3.12", "256 MB", "20 s", "arm64", "/tmp 1024 MB", "1 layer",
                                "in a vpc (1 subnet)", "tracing Active", "reserved concurrency 5")
    deployment.apply()
    lam = aws.session.client("lambda")
    found = lam.get_function(FunctionName="inventory-dev")
    config = found["Configuration"]
    assert (config["MemorySize"], config["Timeout"], config["EphemeralStorage"], config["Architectures"],
            config["Runtime"]) == (256, 20, {"Size": 1024}, ["arm64"], "python3.12")
    assert [layer["Arn"] for layer in config["Layers"]] == [pg]
    assert config["VpcConfig"]["SubnetIds"] == ["subnet-0a1b2c3d"]
    assert config["VpcConfig"]["SecurityGroupIds"] == ["sg-0c2d3e4f"]
    assert config["TracingConfig"] == {"Mode": "Active"}
    assert config["Environment"]["Variables"] == {"LEVEL": "info", "DB_PASSWORD": SECRET}
    assert found["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    version = lam.get_function_configuration(FunctionName="inventory-dev", Qualifier="dev")
    assert version["TracingConfig"] == {"Mode": "Active"} and version["EphemeralStorage"] == {"Size": 1024}
    group = aws.session.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/inventory-dev")
    assert group["logGroups"][0]["retentionInDays"] == 14
    statements = aws.session.client("iam").get_role_policy(RoleName="inventory-dev-role", PolicyName="coworks")[
        "PolicyDocument"]["Statement"]
    granted = {action for s in statements for action in s["Action"]}
    assert {"s3:GetObject", "secretsmanager:GetSecretValue", "ec2:CreateNetworkInterface",
            "xray:PutTraceSegments"} <= granted
    again = aws.deploy(declared(layers=[pg])).plan()
    assert again.is_empty, str(again)


def test_a_changed_declaration_is_in_the_diff_applied_then_no_change(aws: Any) -> None:
    pg, geo = layer(aws, "pg"), layer(aws, "geo")
    aws.deploy(declared(layers=[pg])).apply()
    changed = declared(memory=512, timeout=25, layers=[pg, geo], subnets=["subnet-0e0e0e0e"], concurrency=None,
                       level="debug", retention=30, bucket="arn:aws:s3:::other/*")
    plan = aws.deploy(changed).plan()
    diff = {(a.kind, a.changes) for a in plan.changes}
    assert ("lambda function", ("memory", "timeout", "environment", "layers", "vpc", "code",  # the class changed
                                "reserved concurrency")) in diff
    assert ("version", ()) in diff and ("alias", ("new version",)) in diff
    assert ("log group", ("retention",)) in diff and ("iam role", ("permissions",)) in diff
    parameters = Parameters()
    aws.clients.watch(parameters)
    aws.deploy(changed).apply()
    update = parameters.calls["UpdateFunctionConfiguration"][0]
    assert update["Layers"] == [pg, geo] and update["MemorySize"] == 512
    assert "DeleteFunctionConcurrency" in parameters.calls
    assert aws.deploy(changed).plan().is_empty
    concurrency = aws.deploy(declared(memory=512, timeout=25, layers=[pg, geo], subnets=["subnet-0e0e0e0e"],
                                      concurrency=50, level="debug", retention=30, bucket="arn:aws:s3:::other/*"))
    assert ("lambda function", ("code", "reserved concurrency")) in [(a.kind, a.changes) for a in
                                                                      concurrency.plan().changes]
    concurrency.apply()
    assert parameters.calls["PutFunctionConcurrency"][-1]["ReservedConcurrentExecutions"] == 50


def test_tracing_and_tmp_size_changes_are_sent_to_lambda(aws: Any) -> None:
    """moto keeps TracingConfig and EphemeralStorage from CreateFunction but ignores them in
    UpdateFunctionConfiguration (moto/awslambda/models.py, update_configuration): the update is
    checked on what is sent; AWS applies it."""
    aws.deploy(declared(tracing="PassThrough", storage=512)).apply()
    plan = aws.deploy(declared()).plan()
    changes = dict((a.kind, a.changes) for a in plan.changes)
    assert changes["lambda function"] == ("ephemeral storage", "tracing", "code")
    assert changes["iam role"] == ("permissions",)  # X-Ray's actions granted
    parameters = Parameters()
    aws.clients.watch(parameters)
    aws.deploy(declared()).apply()
    update = parameters.calls["UpdateFunctionConfiguration"][0]
    assert update["TracingConfig"] == {"Mode": "Active"} and update["EphemeralStorage"] == {"Size": 1024}


def test_leaving_the_vpc_sends_an_empty_vpc_configuration(aws: Any) -> None:
    aws.deploy(declared()).apply()
    outside = cell(DECLARED.replace('subnets={subnets!r},\n                      security_groups=["sg-0c2d3e4f"], ', "")
                   .format(memory=256, timeout=20, storage=1024, layers=[], tracing="Active", concurrency=5,
                           level="info", secret=SECRET, retention=14, bucket="arn:aws:s3:::stock/*"), "inventory")
    plan = aws.deploy(outside).plan()
    changes = dict((a.kind, a.changes) for a in plan.changes)
    assert changes["lambda function"] == ("vpc", "code") and changes["iam role"] == ("permissions",)
    parameters = Parameters()
    aws.clients.watch(parameters)
    aws.deploy(outside).apply()
    assert parameters.calls["UpdateFunctionConfiguration"][0]["VpcConfig"] == {"SubnetIds": [], "SecurityGroupIds": []}
    assert aws.deploy(outside).plan().is_empty


def test_each_setting_changed_by_hand_is_the_one_difference_planned() -> None:
    """Pure: what AWS holds differs from the model in one setting; the plan names that one only."""
    from dataclasses import replace

    from tests.cloud.deploy.test_planner import as_deployed

    model = aws_free_model()
    drifts: dict[str, dict[str, Any]] = {
        "memory": {"MemorySize": 512}, "timeout": {"Timeout": 3}, "ephemeral storage": {"EphemeralStorage":
                                                                                       {"Size": 512}},
        "layers": {"Layers": []}, "vpc": {"VpcConfig": {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""}},
        "tracing": {"TracingConfig": {"Mode": "PassThrough"}}, "environment": {"Environment": {"Variables": {}}},
        "architecture": {"Architectures": ["x86_64"]}, "runtime": {"Runtime": "python3.11"},
    }
    def deployed() -> Any:
        current = as_deployed(model)
        assert current.function is not None
        current.function.concurrency = model.function.reserved_concurrency  # as get_function reports it
        assert plan_deploy(model, current).is_empty
        return current

    for label, drift in drifts.items():
        current = deployed()
        config = {**current.function.configuration, **drift}
        current.function = replace(current.function, configuration=config, alias_config=config)
        planned = {a.kind: a.changes for a in plan_deploy(model, current).changes}
        assert planned["lambda function"] == (label,), label
        assert planned["version"] == () and planned["alias"] == ("new version",)  # a version of the fixed config
    current = deployed()
    current.function.concurrency = 3
    assert [(a.kind, a.changes) for a in plan_deploy(model, current).changes] == [
        ("lambda function", ("reserved concurrency",))]  # the function's, not a version's: nothing published


def aws_free_model() -> Any:
    from coworks.cloud import build_package
    from coworks.cloud.deploy.models import build_model

    package = build_package(declared(layers=["arn:aws:lambda:us-east-1:123456789012:layer:pg:3"]))
    return build_model(package, "dev", dict(package.declarations.variables), account="123456789012",
                       region="us-east-1")
