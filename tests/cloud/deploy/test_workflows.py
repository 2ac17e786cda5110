"""Deploying a workflow on moto: plan, apply, converge, destroy exactly what is tagged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from coworks.biz import Pass, Workflow
from coworks.cloud.errors import ConfigurationError
from tests.support import Calls, tagged_for

TRIGGERS = ["rate(1 hour)", {"source": ["shop"]}]


@pytest.fixture
def aws(aws: Any) -> Any:
    """The moto cloud with the two sample services the workflow calls deployed at ``dev``."""
    from sample_inventory import app as inventory
    from sample_invoicing import app as invoicing

    for service in (inventory, invoicing):
        aws.deploy(service, stage="dev").apply()
    return aws


def test_first_deploy_makes_the_state_machine_its_role_logs_and_triggers_all_tagged(aws: Any) -> None:
    from sample_flow import flow

    deployment = aws.deploy_workflow(flow, stage="dev", triggers=TRIGGERS)
    plan = deployment.plan()
    assert [(a.verb, a.kind, a.name) for a in plan.actions] == [
        ("create", "iam role", "wf-orders-dev-states"),
        ("create", "log group", "/aws/vendedlogs/states/wf-orders-dev"),
        ("create", "state machine", "wf-orders-dev"),
        ("create", "iam role", "wf-orders-dev-events"),
        ("create", "eventbridge rule", "wf-orders-dev-rate"),
        ("create", "eventbridge rule", "wf-orders-dev-event"),
    ]
    deployment.apply()
    assert tagged_for(aws.session, "wf-orders", "dev") == [
        ("log group", "/aws/vendedlogs/states/wf-orders-dev"), ("role", "wf-orders-dev-events"),
        ("role", "wf-orders-dev-states"), ("rule", "wf-orders-dev-event"), ("rule", "wf-orders-dev-rate"),
        ("state machine", "wf-orders-dev")]
    states = aws.session.client("stepfunctions")
    described = states.describe_state_machine(stateMachineArn=deployment.arn)
    tasks = json.loads(described["definition"])["States"]["Each order"]["ItemProcessor"]["States"]
    assert tasks["get_item"]["Parameters"]["FunctionName"].endswith(":function:wf-inventory-dev:dev")
    assert described["roleArn"].endswith(":role/coworks/wf-orders-dev-states")
    assert described["loggingConfiguration"]["level"] == "ALL"
    events = aws.session.client("events")
    target = events.list_targets_by_rule(Rule="wf-orders-dev-rate")["Targets"][0]
    assert target["Arn"] == deployment.arn == aws.state_machine_arn(flow)
    assert target["RoleArn"].endswith(":role/coworks/wf-orders-dev-events")
    assert json.loads(events.describe_rule(Name="wf-orders-dev-event")["EventPattern"]) == {"source": ["shop"]}


def test_unchanged_redeploy_makes_no_mutating_call(aws: Any) -> None:
    from sample_flow import flow

    aws.deploy_workflow(flow, triggers=TRIGGERS).apply()
    calls = Calls()
    aws.clients.watch(calls)
    try:
        again = aws.deploy_workflow(flow, triggers=TRIGGERS)
        assert again.plan().is_empty
        again.apply()
    finally:
        aws.clients.unwatch(calls)
    assert calls.mutating == []


def test_changes_touch_only_what_changed(aws: Any) -> None:
    from sample_flow import flow

    aws.deploy_workflow(flow, triggers=TRIGGERS).apply()
    calls = Calls()
    aws.clients.watch(calls)
    try:
        aws.deploy_workflow(flow, triggers=["rate(2 hours)"], log_level="ERROR").apply()
    finally:
        aws.clients.unwatch(calls)
    assert calls.mutating == ["UpdateStateMachine", "PutRule", "PutTargets", "RemoveTargets", "DeleteRule"]
    aws.deploy_workflow(flow).apply()  # no trigger left: the rules and EventBridge's role go
    assert tagged_for(aws.session, "wf-orders", "dev") == [
        ("log group", "/aws/vendedlogs/states/wf-orders-dev"), ("role", "wf-orders-dev-states"),
        ("state machine", "wf-orders-dev")]


def test_destroy_deletes_exactly_what_is_tagged_for_the_workflow_and_stage(aws: Any) -> None:
    from sample_flow import flow

    aws.deploy_workflow(flow, triggers=TRIGGERS).apply()
    other = Workflow("wf-orders", Pass("Noop"))
    aws.deploy_workflow(other, stage="test").apply()
    plan = aws.destroy_workflow_plan("wf-orders", "dev")
    assert {a.verb for a in plan.actions} == {"delete"} and len(plan.actions) == 6
    aws.destroy_workflow(flow, "dev")
    assert tagged_for(aws.session, "wf-orders", "dev") == []
    assert tagged_for(aws.session, "wf-orders", "test") != []
    assert {name for kind, name in tagged_for(aws.session, "wf-inventory", "dev")} >= {"wf-inventory-dev-role"}
    assert aws.destroy_workflow("wf-orders", "dev").is_empty


def test_a_workflow_is_not_deployed_before_its_services(aws: Any) -> None:
    from sample_flow import flow

    with pytest.raises(ConfigurationError, match=r"calls wf-inventory-prod:prod, wf-invoicing-prod:prod, not "
                                                 r"deployed: deploy those services at stage prod first"):
        aws.deploy_workflow(flow, stage="prod").plan()


def test_a_state_machine_not_made_by_coworks_is_never_taken_over(aws: Any) -> None:
    iam = aws.session.client("iam")
    role = iam.create_role(RoleName="hand", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    aws.session.client("stepfunctions").create_state_machine(
        name="mine-dev", definition=json.dumps(Workflow("mine", Pass("Noop")).to_asl()), roleArn=role)
    with pytest.raises(ConfigurationError, match="state machine mine-dev exists but is not managed by Coworks"):
        aws.deploy_workflow(Workflow("mine", Pass("Noop"))).plan()
    with pytest.raises(ConfigurationError, match="not managed by Coworks"):
        aws.destroy_workflow("mine", "dev")


def test_deploy_takes_a_module_attribute_string(aws: Any) -> None:
    deployment = aws.deploy_workflow("sample_flow:flow")
    assert deployment.name == "wf-orders" and deployment.arn.endswith(":stateMachine:wf-orders-dev")
    with pytest.raises(ConfigurationError, match="is not a workflow"):
        aws.deploy_workflow("sample_inventory:app")
    with pytest.raises(ConfigurationError, match="is a workflow: deploy it with deploy_workflow"):
        aws.deploy(deployment.workflow)


def test_triggers_declared_on_the_workflow_are_deployed(aws: Any) -> None:
    from sample_flow import flow

    declared = Workflow("wf-declared", Pass("P"), triggers=["cron(0 8 * * ? *)"])
    assert declared.triggers == ("cron(0 8 * * ? *)",)
    assert "triggers" not in json.dumps(declared.to_asl())  # not ASL: the deploy makes rules of them
    deployment = aws.deploy_workflow(declared, stage="dev", triggers=[{"source": ["shop"]}])
    kinds = [(a.kind, a.name) for a in deployment.plan().actions if a.kind == "eventbridge rule"]
    assert kinds == [("eventbridge rule", "wf-declared-dev-cron"), ("eventbridge rule", "wf-declared-dev-event")]
    assert flow.triggers == ()


def test_a_service_and_a_workflow_sharing_a_name_keep_their_own_rules(aws: Any) -> None:
    from sample_clock import app as clock
    from sample_flow import flow

    aws.deploy(clock, stage="dev").apply()
    aws.deploy_workflow(flow, stage="dev", triggers=TRIGGERS).apply()
    again = aws.deploy(clock, stage="dev").plan()
    assert [a.verb for a in again.actions if a.verb != "no-op"] == []  # the workflow's rules are not the service's
    assert {a.verb for a in aws.deploy_workflow(flow, stage="dev", triggers=TRIGGERS).plan().actions} == {"no-op"}
    aws.destroy(clock, stage="dev")
    rules = {r["Name"] for r in aws.session.client("events").list_rules()["Rules"]}
    assert {"wf-orders-dev-rate", "wf-orders-dev-event"} <= rules and "wf-orders-dev-tick" not in rules
    assert aws.session.client("stepfunctions").describe_state_machine(stateMachineArn=aws.state_machine_arn(flow))


def test_s3_sqs_and_sns_triggers_deploy_least_privilege_converge_and_go_with_the_workflow(aws: Any) -> None:
    from sample_flow import flow

    from coworks.cloud import Trigger

    s3, sqs, sns = (aws.session.client(n) for n in ("s3", "sqs", "sns"))
    s3.create_bucket(Bucket="wf-invoices")
    queue_arn = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName="wf-orders-in")["QueueUrl"],
                                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="wf-shop")["TopicArn"]
    triggers = [Trigger.s3("wf-invoices", prefix="incoming/"), Trigger.sqs("wf-orders-in"), Trigger.sns(topic)]
    deployment = aws.deploy_workflow(flow, triggers=triggers)
    assert [(a.verb, a.kind, a.name) for a in deployment.plan().actions] == [
        ("create", "iam role", "wf-orders-dev-states"),
        ("create", "log group", "/aws/vendedlogs/states/wf-orders-dev"),
        ("create", "state machine", "wf-orders-dev"),
        ("create", "iam role", "wf-orders-dev-events"),
        ("create", "iam role", "wf-orders-dev-pipes"),
        ("create", "sqs queue", "wf-orders-dev-sns"),
        ("create", "sns subscription", "wf-shop -> wf-orders-dev-sns"),
        ("update", "s3 eventbridge", "wf-invoices"),
        ("create", "eventbridge rule", "wf-orders-dev-s3"),
        ("create", "eventbridge pipe", "wf-orders-dev-sqs"),
        ("create", "eventbridge pipe", "wf-orders-dev-sns"),
    ]
    deployment.apply()
    from coworks.cloud.local.controlplane import sends_to_eventbridge

    # moto's GetBucketNotificationConfiguration leaves the setting out (AWS answers it, and so does
    # the local cloud's front door: tests/cloud/local/test_notifications.py); moto holds it.
    assert sends_to_eventbridge("wf-invoices")
    rule = aws.session.client("events").describe_rule(Name="wf-orders-dev-s3")
    assert json.loads(rule["EventPattern"]) == {
        "source": ["aws.s3"], "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["wf-invoices"]}, "object": {"key": [{"prefix": "incoming/"}]}}}
    pipes = aws.session.client("pipes")
    pipe = pipes.describe_pipe(Name="wf-orders-dev-sqs")
    assert (pipe["Source"], pipe["Target"]) == (queue_arn, deployment.arn)
    own = sqs.get_queue_url(QueueName="wf-orders-dev-sns")["QueueUrl"]
    own_arn = sqs.get_queue_attributes(QueueUrl=own, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert pipes.describe_pipe(Name="wf-orders-dev-sns")["Source"] == own_arn
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["Endpoint"] for s in subscriptions] == [own_arn]
    policy = aws.session.client("iam").get_role_policy(RoleName="wf-orders-dev-pipes",
                                                       PolicyName="coworks")["PolicyDocument"]
    assert {r for s in policy["Statement"] for r in s["Resource"]} == {queue_arn, own_arn, deployment.arn}
    queue_policy = json.loads(sqs.get_queue_attributes(QueueUrl=own, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert queue_policy["Statement"][0]["Condition"] == {"ArnEquals": {"aws:SourceArn": topic}}

    again = aws.deploy_workflow(flow, triggers=triggers).plan()
    assert [(a.verb, a.kind) for a in again.changes] == [("update", "s3 eventbridge")]  # the moto gap above

    aws.destroy_workflow(flow)
    assert tagged_for(aws.session, "wf-orders", "dev") == []
    assert pipes.list_pipes()["Pipes"] == []
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    assert [u.rsplit("/", 1)[-1] for u in sqs.list_queues().get("QueueUrls", [])] == ["wf-orders-in"]  # the user's
    assert sends_to_eventbridge("wf-invoices")  # left on: the bucket's setting, others may rely on it


@pytest.mark.parametrize(("trigger", "says"), [
    ("s3://Invoices/x", "is not an S3 bucket name"),
    ("sqs:bad name", "is not an SQS queue"),
    ("arn:aws:sns:us-east-1:topic", "is not an SNS topic ARN"),
])
def test_a_bad_source_trigger_is_one_sentence(trigger: str, says: str) -> None:
    from coworks.cloud import ConfigurationError, Trigger

    with pytest.raises(ConfigurationError, match=says):
        Trigger.of(trigger)
