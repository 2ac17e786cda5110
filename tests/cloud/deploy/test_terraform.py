"""The Terraform module: the plan's resources and no others, in the AWS provider's types, checked
by checkov (no Terraform binary can be installed here: see the README)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coworks.cloud.deploy import exports, terraform
from tests.cloud.deploy.exported import planned, service, workflow

#: The checks checkov fails on a module that declares all it can, each with why it stays (the README lists them).
ACCEPTED = {
    "CKV_AWS_158": "log groups use CloudWatch's own encryption; a KMS key is the account's to manage",
    "CKV_AWS_116": "no dead-letter queue: HTTP and workflow invocations are synchronous and answer their errors",
    "CKV_AWS_272": "no code signing: the zip is built and hashed by the deploy itself",
    "CKV_AWS_173": "environment values are not secrets: secrets travel as ARNs, read at run time",
    "CKV_AWS_76": "no API access log: the function writes one JSON access-log line per request",
    "CKV_AWS_284": "no X-Ray on state machines: Coworks does not declare it for workflows yet",
    "CKV_AWS_309": "a route without authorization is public by its author's choice (no auth method, or no_auth=True)",
}
#: Types checkov has no check for (so none of their resources shows in its results).
UNCHECKED = {"aws_lambda_alias", "aws_apigatewayv2_integration", "aws_apigatewayv2_authorizer",
             "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sfn_state_machine",
             "aws_sns_topic_subscription", "aws_s3_bucket_notification", "aws_pipes_pipe"}


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("terraform")
    package, model = service()
    found = {"service": terraform.export(model, "dev", package.data), "workflow": terraform.export(workflow(), "dev")}
    for name, export in found.items():
        export.write(folder / name)
    return {"folder": folder, **found}


def test_every_resource_stands_for_a_planned_one_and_every_planned_one_is_exported(modules: dict[str, Any]) -> None:
    for name in ("service", "workflow"):
        export = modules[name]
        exported = {pair for r in export.resources for pair in r.stands_for}
        assert all(r.stands_for for r in export.resources)
        assert exported == planned(export.model), name


def test_the_module_is_plain_json_with_variables_outputs_tags_and_no_token(modules: dict[str, Any]) -> None:
    document = json.loads(modules["service"].files[terraform.MODULE])
    assert exports.tokens_left(document) == []
    assert set(document["variable"]) == {"stage", "package"} and document["variable"]["stage"]["default"] == "dev"
    assert {"url", "function_arn", "alias_arn", "role_arn"} <= set(document["output"])
    function = document["resource"]["aws_lambda_function"]["function"]
    assert function["function_name"] == "inventory-${var.stage}" and function["publish"] is True
    assert function["tracing_config"] == {"mode": "Active"} and function["reserved_concurrent_executions"] == 10
    assert function["vpc_config"] == {"subnet_ids": ["subnet-0a1b2c3d"], "security_group_ids": ["sg-0c2d3e4f"]}
    assert function["filename"] == "${local.package}" and function["source_code_hash"].startswith("${filebase64sha256")
    assert function["tags"] == {"coworks:service": "inventory", "coworks:stage": "${var.stage}",
                                "coworks:managed": "true", "coworks:kind": "service"}
    policy = document["resource"]["aws_iam_role_policy"]["role_policy"]["policy"]
    assert "${data.aws_caller_identity.current.account_id}" in policy and "${data.aws_region.current.name}" in policy
    assert modules["service"].files[exports.PACKAGE][:2] == b"PK"
    machine = json.loads(modules["workflow"].files[terraform.MODULE])["resource"]["aws_sfn_state_machine"]["machine"]
    assert ":function:inventory-${var.stage}:${var.stage}" in machine["definition"]


def test_a_literal_interpolation_in_a_value_is_escaped() -> None:
    assert terraform._text("cost ${x} for %{y} in @@region@@") == (
        "cost $${x} for %%{y} in ${data.aws_region.current.name}")


def checkov(folder: Path) -> dict[str, Any]:
    """checkov on the folder's Terraform JSON, offline; its JSON report."""
    binary = Path(sys.executable).with_name("checkov")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR"}
    done = subprocess.run([str(binary), "-d", str(folder), "--framework", "terraform_json", "-o", "json",
                           "--skip-download", "--compact"], capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: some checks failed
    report = json.loads(done.stdout)
    return report[0] if isinstance(report, list) else report


@pytest.mark.checkers
def test_checkov_recognises_every_resource_and_fails_only_the_accepted_checks(modules: dict[str, Any]) -> None:
    report = checkov(modules["folder"])
    assert report["summary"]["parsing_errors"] == 0
    results = report["results"]
    failed = {c["check_id"] for c in results.get("failed_checks", [])}
    assert failed <= set(ACCEPTED), {c: [r["resource"] for r in results["failed_checks"] if r["check_id"] == c]
                                     for c in failed - set(ACCEPTED)}
    checked = {c["resource"].split(".", 1)[1] for c in results.get("passed_checks", []) + results.get(
        "failed_checks", [])}
    for name in ("service", "workflow"):
        for resource in modules[name].resources:
            assert resource.name in checked or resource.type in UNCHECKED, (resource.type, resource.name)
    assert {"CKV_AWS_50", "CKV_AWS_117", "CKV_AWS_115", "CKV_AWS_338"} <= {
        c["check_id"] for c in results["passed_checks"]}  # X-Ray, VPC, concurrency, retention: declared, so passed
