"""Plan, apply, update and destroy against moto in this process, asserting on what moto holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from coworks.cloud import CloudError, ConfigurationError
from coworks.cloud.packaging.settings import Secret
from tests.support import SAMPLE, Calls, cell, tagged_for, untagged

WITH_AUTH_AND_SCHEDULE = SAMPLE + '''
    @entry(no_auth=True)
    def get_health(self):
        return "ok"

    @schedule("rate(5 minutes)")
    def tick(self):
        return None

    def auth(self, token):
        return token == "secret"
'''


def test_first_deploy_creates_every_resource_tagged(aws: Any) -> None:
    app = cell(WITH_AUTH_AND_SCHEDULE, "inventory")
    deployment = aws.deploy(app, stage="dev")
    plan = deployment.plan()
    assert {a.verb for a in plan.actions} == {"create"}
    assert [a.kind for a in plan.actions][:5] == ["iam role", "log group", "lambda function", "version", "alias"]
    steps: list[tuple[int, int, str]] = []
    deployment.apply(progress=lambda i, n, action, status: steps.append((i, n, status)))
    assert steps[-1] == (len(plan.actions), len(plan.actions), "done")

    session = aws.session
    assert untagged(session) == []
    assert {kind for kind, _ in tagged_for(session, "inventory", "dev")} == {
        "role", "log group", "function", "api", "api stage", "rule"}

    lam = session.client("lambda")
    config = lam.get_function_configuration(FunctionName="inventory-dev", Qualifier="dev")
    assert config["Handler"] == "inventory.app" and config["CodeSha256"] == deployment.package.code_sha256
    assert lam.get_alias(FunctionName="inventory-dev", Name="dev")["FunctionVersion"] == "1"
    policy = json.loads(lam.get_policy(FunctionName="inventory-dev", Qualifier="dev")["Policy"])
    assert {s["Sid"] for s in policy["Statement"]} == {"coworks-api", "coworks-rule-inventory-dev-tick"}

    iam = session.client("iam")
    document = iam.get_role_policy(RoleName="inventory-dev-role", PolicyName="coworks")["PolicyDocument"]
    actions = [a for s in document["Statement"] for a in s["Action"]]
    assert all("*" not in a for a in actions)
    assert document["Statement"][0]["Resource"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/inventory-dev:*"]

    api = session.client("apigatewayv2")
    api_id = deployment.ids["api_id"]
    routes = {r["RouteKey"]: r for r in api.get_routes(ApiId=api_id)["Items"]}
    assert set(routes) == {r.key for r in app.routes}
    assert routes["GET /health"]["AuthorizationType"] == "NONE"
    assert routes["GET /item/{item_id}"]["AuthorizationType"] == "CUSTOM"
    authorizer = api.get_authorizer(ApiId=api_id, AuthorizerId=routes["GET /"]["AuthorizerId"])
    assert authorizer["AuthorizerType"] == "REQUEST" and authorizer["EnableSimpleResponses"] is True
    assert authorizer["AuthorizerPayloadFormatVersion"] == "2.0"
    (integration,) = api.get_integrations(ApiId=api_id)["Items"]
    assert integration["IntegrationUri"].endswith(":function:inventory-dev:dev")
    assert integration["PayloadFormatVersion"] == "2.0"
    assert deployment.url == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev"
    from coworks.runtime.schedules import rule_name

    target = session.client("events").list_targets_by_rule(Rule=rule_name("inventory-dev", "tick"))["Targets"]
    assert target[0]["Arn"].endswith(":function:inventory-dev:dev")


def test_unchanged_redeploy_makes_no_mutating_call(aws: Any, calls: Calls) -> None:
    aws.deploy(cell(WITH_AUTH_AND_SCHEDULE, "inventory")).apply()
    aws.clients.watch(calls)
    deployment = aws.deploy(cell(WITH_AUTH_AND_SCHEDULE, "inventory"))
    plan = deployment.plan()
    assert plan.is_empty and "no changes" in str(plan), [(a.verb, a.kind, a.changes) for a in plan.changes]
    deployment.apply()
    assert calls.mutating == []


def test_code_only_change_updates_code_publishes_and_moves_the_alias(aws: Any, calls: Calls) -> None:
    aws.deploy(cell(SAMPLE, "inventory")).apply()
    aws.clients.watch(calls)
    deployment = aws.deploy(cell(SAMPLE.replace('"ready"', '"steady"'), "inventory"))
    plan = deployment.plan()
    assert [(a.verb, a.kind, a.changes) for a in plan.changes] == [
        ("update", "lambda function", ("code",)), ("create", "version", ()), ("update", "alias", ("new version",))]
    deployment.apply()
    assert calls.mutating == ["UpdateFunctionCode", "PublishVersion", "UpdateAlias"]
    lam = aws.session.client("lambda")
    assert lam.get_alias(FunctionName="inventory-dev", Name="dev")["FunctionVersion"] == "2"


def test_routes_auth_and_schedules_follow_the_class(aws: Any) -> None:
    aws.deploy(cell(WITH_AUTH_AND_SCHEDULE, "inventory")).apply()
    plain = cell(SAMPLE.replace("    @entry\n    def get(self):", "    @entry\n    def get_stock(self):"), "inventory")
    deployment = aws.deploy(plain)
    plan = deployment.plan()
    summary = {(a.verb, a.kind, a.name) for a in plan.changes}
    assert ("create", "route", "GET /stock") in summary and ("delete", "route", "GET /") in summary
    assert ("delete", "eventbridge rule", "inventory-dev-tick") in summary
    assert ("delete", "authorizer", "inventory-auth") in summary
    assert ("update", "route", "GET /item/{item_id}") in summary
    deployment.apply()
    assert deployment.plan().is_empty
    api = aws.session.client("apigatewayv2")
    routes = api.get_routes(ApiId=deployment.ids["api_id"])["Items"]
    assert {r["RouteKey"] for r in routes} == {r.key for r in plain.routes}
    assert {r["AuthorizationType"] for r in routes} == {"NONE"}
    assert aws.session.client("events").list_rules()["Rules"] == []


def test_stage_environment_and_secrets_by_reference(aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LEVEL=info\nGREETING='hello there'\n")
    (tmp_path / ".env.prod").write_text("LEVEL=warning\n")
    arn = "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db-password"
    deployment = aws.deploy(cell(SAMPLE, "inventory"), stage="prod", settings={"DB": Secret(arn), "MODE": "x"})
    printed = str(deployment.plan()) + deployment.plan()._repr_html_()
    assert "hello there" not in printed and "warning" not in printed and arn not in printed
    deployment.apply()
    variables = aws.session.client("lambda").get_function_configuration(FunctionName="inventory-prod")[
        "Environment"]["Variables"]
    assert variables == {"LEVEL": "warning", "GREETING": "hello there", "DB": arn, "MODE": "x"}
    document = aws.session.client("iam").get_role_policy(RoleName="inventory-prod-role", PolicyName="coworks")
    assert {"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": [arn]} in document["PolicyDocument"][
        "Statement"]
    assert repr(Secret(arn)) == "Secret(...)"
    changed = aws.deploy(cell(SAMPLE, "inventory"), stage="prod", settings={"DB": Secret(arn), "MODE": "y"})
    assert [(a.kind, a.changes) for a in changed.plan().changes][0] == ("lambda function", ("environment",))


def test_destroy_removes_exactly_the_stage(aws: Any) -> None:
    aws.deploy(cell(WITH_AUTH_AND_SCHEDULE, "inventory"), stage="dev").apply()
    aws.deploy(cell(SAMPLE, "inventory"), stage="prod").apply()
    aws.deploy(cell(SAMPLE, "other"), stage="dev").apply()
    plan = aws.destroy("inventory", "dev")
    assert {a.verb for a in plan.actions} == {"delete"}
    session = aws.session
    assert tagged_for(session, "inventory", "dev") == []
    assert len(tagged_for(session, "inventory", "prod")) == 5 and len(tagged_for(session, "other", "dev")) == 5
    assert [(r.service, r.stage) for r in aws.status()] == [("inventory", "prod"), ("other", "dev")]
    assert aws.destroy("inventory", "dev").actions == ()


def test_a_resource_not_made_by_coworks_is_never_taken_over(aws: Any) -> None:
    aws.session.client("logs").create_log_group(logGroupName="/aws/lambda/inventory-dev")
    with pytest.raises(ConfigurationError, match="log group /aws/lambda/inventory-dev exists but is not managed"):
        aws.deploy(cell(SAMPLE, "inventory")).plan()


def test_aws_errors_name_the_resource_and_keep_the_code(aws: Any) -> None:
    from botocore.exceptions import ClientError

    def deny(model: Any = None, **_: Any) -> None:
        if model.name == "CreateFunction":
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, model.name)

    aws.clients.watch(deny)
    with pytest.raises(CloudError) as caught:
        aws.deploy(cell(SAMPLE, "inventory")).apply()
    assert caught.value.code == "AccessDeniedException" and caught.value.resource == "inventory-dev"
    assert str(caught.value).startswith("CreateFunction on inventory-dev failed: not allowed; give your AWS")


def test_no_region_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from coworks.cloud import AwsCloud

    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(ConfigurationError, match="No AWS region is configured: pass region="):
        AwsCloud()
    with pytest.raises(ConfigurationError, match="profile 'nope' does not exist"):
        AwsCloud(profile="nope")


def test_plan_renders_as_a_table(aws: Any) -> None:
    deployment = aws.deploy(cell(SAMPLE, "inventory"))
    html = deployment.plan()._repr_html_()
    assert html.count("<tr>") == 1 + 12 and "<code>inventory-dev</code>" in html
    assert html in deployment._repr_html_() and "KB zipped" in deployment._repr_html_()
    assert repr(aws) == "<AwsCloud us-east-1>"


def test_drift_made_by_hand_is_planned_back_from_what_aws_holds(aws: Any) -> None:
    first = aws.deploy(cell(WITH_AUTH_AND_SCHEDULE, "inventory"))
    first.apply()
    session = aws.session
    api_id = first.ids["api_id"]
    lam, api, logs = session.client("lambda"), session.client("apigatewayv2"), session.client("logs")
    lam.remove_permission(FunctionName="inventory-dev", Qualifier="dev", StatementId="coworks-api")
    route = next(r for r in api.get_routes(ApiId=api_id)["Items"] if r["RouteKey"] == "GET /")
    api.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    logs.put_retention_policy(logGroupName="/aws/lambda/inventory-dev", retentionInDays=1)

    from coworks.cloud import AwsCloud  # another machine: nothing shared but the account

    elsewhere = AwsCloud(region="us-east-1", sleep=lambda s: None)
    deployment = elsewhere.deploy(cell(WITH_AUTH_AND_SCHEDULE, "inventory"))
    assert {(a.verb, a.kind, a.name) for a in deployment.plan().changes} == {
        ("update", "log group", "/aws/lambda/inventory-dev"),
        ("create", "route", "GET /"),
        ("create", "permission", "coworks-api"),
    }
    deployment.apply()
    assert aws.deploy(cell(WITH_AUTH_AND_SCHEDULE, "inventory")).plan().is_empty
    assert lam.get_alias(FunctionName="inventory-dev", Name="dev")["FunctionVersion"] == "1"
