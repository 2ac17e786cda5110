"""S3, SQS and SNS start workflows on an embedded LocalCloud, from the boto3 call a user makes:
``put_object`` under the trigger's prefix, ``send_message`` on its queue, ``publish`` on its topic.

The pipes are polled by hand (the cloud's own poller is stopped for this module), so which poll
delivers what is exact; the S3 event is delivered in the background, as AWS does, and awaited.
The module uses the process's one LocalCloud (tests/conftest.py): moto's state is the process's,
so a second cloud's poller would read the same queues and start the executions on its own side.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from coworks.biz import Pass, Workflow
from coworks.cloud import Trigger
from tests.support import poll

pytestmark = pytest.mark.localcloud


@pytest.fixture(scope="module", autouse=True)
def _polled_by_hand(cloud: Any) -> Iterator[None]:
    cloud._server.app.notifications.stop()
    yield
    cloud._server.app.notifications.start()


@pytest.fixture(scope="module")
def sources(cloud: Any) -> dict[str, Any]:
    """A bucket, a queue and a topic of the user's, and a workflow deployed with one trigger on each."""
    s3, sqs, sns = (cloud.session.client(n, endpoint_url=cloud.endpoint_url) for n in ("s3", "sqs", "sns"))
    s3.create_bucket(Bucket="nt-uploads")
    queue = sqs.create_queue(QueueName="nt-orders")["QueueUrl"]
    topic = sns.create_topic(Name="nt-shop")["TopicArn"]
    flow = Workflow("nt-echo", Pass("Echo"))
    triggers = [Trigger.s3("nt-uploads", prefix="incoming/"), Trigger.sqs("nt-orders"), Trigger.sns(topic)]
    deployment = cloud.deploy_workflow(flow, triggers=triggers)
    deployment.apply()
    return {"s3": s3, "sqs": sqs, "sns": sns, "queue": queue, "topic": topic, "flow": flow, "triggers": triggers,
            "arn": deployment.arn}


def executions(cloud: Any, arn: str) -> list[Any]:
    return [cloud.describe_execution(e.arn) for e in cloud.list_executions(arn)]


def inputs(cloud: Any, arn: str, done: int) -> list[Any]:
    """The inputs of the workflow's executions once ``done`` of them succeeded, oldest first."""
    found = poll(lambda: (lambda all: all if sum(e.status == "SUCCEEDED" for e in all) >= done else None)(
        executions(cloud, arn)))
    return [e.input for e in sorted(found, key=lambda e: e.start)]


def test_the_deployed_sources_converge_and_a_replan_changes_nothing(cloud: Any, sources: dict[str, Any]) -> None:
    again = cloud.deploy_workflow(sources["flow"], triggers=sources["triggers"]).plan()
    assert again.is_empty, str(again)  # the bucket's EventBridge setting reads back as AWS answers it


def test_an_object_created_under_the_prefix_starts_the_workflow_with_s3s_event(cloud: Any,
                                                                              sources: dict[str, Any]) -> None:
    before = len(cloud.list_executions(sources["arn"]))
    sources["s3"].put_object(Bucket="nt-uploads", Key="elsewhere/skip.txt", Body=b"no")
    sources["s3"].put_object(Bucket="nt-uploads", Key="incoming/invoice 7.pdf", Body=b"%PDF-1.7")
    event = inputs(cloud, sources["arn"], before + 1)[-1]
    assert (event["source"], event["detail-type"], event["resources"]) == (
        "aws.s3", "Object Created", ["arn:aws:s3:::nt-uploads"])
    assert event["detail"]["bucket"] == {"name": "nt-uploads"}
    assert {k: event["detail"]["object"][k] for k in ("key", "size")} == {"key": "incoming/invoice 7.pdf", "size": 8}
    assert event["detail"]["reason"] == "PutObject"
    assert len(cloud.list_executions(sources["arn"])) == before + 1  # the other prefix started nothing


def test_a_message_on_the_queue_and_one_on_the_topic_start_the_workflow_through_their_pipes(
        cloud: Any, sources: dict[str, Any]) -> None:
    notifications = cloud._server.app.notifications
    before = len(cloud.list_executions(sources["arn"]))
    sources["sqs"].send_message(QueueUrl=sources["queue"], MessageBody=json.dumps({"order": 7}))
    sources["sns"].publish(TopicArn=sources["topic"], Message=json.dumps({"order": 8}))
    delivered = notifications.tick()
    assert sorted((d.rule, d.ok) for d in delivered) == [("nt-echo-dev-sns", True), ("nt-echo-dev-sqs", True)]
    assert notifications.tick() == []  # each message once: deleted once its execution started
    batches = inputs(cloud, sources["arn"], before + 2)[-2:]
    records = sorted((batch[0] for batch in batches), key=lambda r: r["eventSourceARN"])
    assert [len(batch) for batch in batches] == [1, 1]  # a batch of one, as the pipes are made
    assert [json.loads(r["body"]) for r in records] == [{"order": 8}, {"order": 7}]  # the topic's own queue first
    assert {r["eventSource"] for r in records} == {"aws:sqs"}
    assert records[1]["eventSourceARN"].endswith(":nt-orders")
    attributes = sources["sqs"].get_queue_attributes(QueueUrl=sources["queue"], AttributeNames=["All"])["Attributes"]
    waiting = (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"])
    assert waiting == ("0", "0")


def test_a_message_whose_execution_cannot_start_stays_in_the_queue(cloud: Any, sources: dict[str, Any]) -> None:
    notifications = cloud._server.app.notifications
    states = notifications.stepfunctions
    sources["sqs"].send_message(QueueUrl=sources["queue"], MessageBody="kept")

    def refuse(request: dict[str, Any]) -> Any:
        raise RuntimeError("the state machine is being replaced")

    original, states.start_execution = states.start_execution, refuse
    try:
        assert [(d.rule, d.ok) for d in notifications.tick()] == [("nt-echo-dev-sqs", False)]
    finally:
        states.start_execution = original
    attributes = sources["sqs"].get_queue_attributes(QueueUrl=sources["queue"], AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"  # in flight, back after its visibility timeout


def test_destroying_the_workflow_removes_its_pipes_queue_and_subscription(cloud: Any, sources: dict[str, Any]) -> None:
    cloud.destroy_workflow(sources["flow"])
    pipes = cloud.session.client("pipes", endpoint_url=cloud.endpoint_url)
    assert pipes.list_pipes()["Pipes"] == []
    assert sources["sns"].list_subscriptions_by_topic(TopicArn=sources["topic"])["Subscriptions"] == []
    queues = [u.rsplit("/", 1)[-1] for u in sources["sqs"].list_queues().get("QueueUrls", [])]
    assert "nt-echo-dev-sns" not in queues and "nt-orders" in queues
