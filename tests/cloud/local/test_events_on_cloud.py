"""Scheduled rules and put events on an embedded LocalCloud: a deployed ``@schedule`` method runs
when the scheduler's clock says so, and a workflow's event trigger starts an execution.

The scheduler is driven by hand (its own LocalEvents on the cloud's Lambda and Step Functions
services, explicit times); only the asynchronous work it hands over is awaited, by bounded polls.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from coworks.biz import Pass, Succeed, Workflow
from coworks.cloud.local.events import LocalEvents
from tests.support import poll

pytestmark = pytest.mark.localcloud


@pytest.fixture(scope="module")
def cloud() -> Iterator[Any]:
    from coworks.cloud import LocalCloud

    with LocalCloud(shared=False, sleep=lambda s: None) as local:
        yield local


def test_a_scheduled_method_runs_when_its_rate_comes_round(cloud: Any) -> None:
    from sample_ticker import app

    from coworks.cloud.deploy.names import function_name
    from coworks.runtime.schedules import rule_name

    cloud.deploy(app, stage="dev").apply()
    scheduler = LocalEvents(cloud._lambdas, cloud._server.app.states)
    rule = rule_name(function_name("ev-ticker", "dev"), "beat")
    t0 = time.time()
    assert [d for d in scheduler.tick(t0) if d.rule == rule] == []
    delivered = [d for d in scheduler.tick(t0 + 61) if d.rule == rule]
    assert [(d.ok, d.target.rsplit(":", 2)[-2:]) for d in delivered] == [(True, ["ev-ticker-dev", "dev"])]
    records = poll(lambda: [r for r in cloud.logs(app, since="5m") if "ticker beat" in r.message])
    assert len(records) == 1
    assert [d for d in scheduler.tick(t0 + 62) if d.rule == rule] == []


def test_a_put_event_starts_the_workflow_its_trigger_matches(cloud: Any) -> None:
    flow = Workflow("ev-shop", Pass("Take", parameters={"order.$": "$.detail.order", "from.$": "$.source"})
                    >> Succeed("Done"))
    deployment = cloud.deploy_workflow(flow, stage="dev", triggers=[{"source": ["shop"]}])
    deployment.apply()
    events = cloud.session.client("events", endpoint_url=cloud.endpoint_url)
    answer = events.put_events(Entries=[
        {"Source": "shop", "DetailType": "order placed", "Detail": json.dumps({"order": 7})},
        {"Source": "shop", "DetailType": "order placed"},  # no Detail: refused, as AWS does
    ])
    assert answer["FailedEntryCount"] == 1 and answer["Entries"][0]["EventId"]
    assert answer["Entries"][1]["ErrorCode"] == "InvalidArgument"
    started = poll(lambda: cloud.list_executions(flow, "dev"))
    assert len(started) == 1
    ended = cloud.wait_execution(started[0].arn, timeout=20, interval=0.05)
    assert (ended.status, ended.output) == ("SUCCEEDED", {"order": 7, "from": "shop"})
    assert ended.input["id"] == answer["Entries"][0]["EventId"]  # the event id the client was given

    # An event no rule matches gets its id and starts nothing; a request AWS refuses whole is moto's to refuse.
    other = events.put_events(Entries=[{"Source": "elsewhere", "DetailType": "noise", "Detail": "{}"}])
    assert other["FailedEntryCount"] == 0 and other["Entries"][0]["EventId"]
    with pytest.raises(events.exceptions.ClientError, match="Member must have length less than or equal to 10"):
        events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": "{}"}] * 11)
    delivered = poll(lambda: list(cloud._server.app.events.deliveries))  # recorded once the execution started
    assert [(d.rule, d.ok) for d in delivered] == [("ev-shop-dev-event", True)]
    assert len(cloud.list_executions(flow, "dev")) == 1
    cloud.destroy_workflow(flow, "dev")


def test_the_scheduler_ticks_with_the_front_door_and_stops_with_it() -> None:
    from coworks.cloud import LocalCloud

    def tickers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "coworks-local-events" and t.is_alive()]

    before = len(tickers())
    with LocalCloud(shared=False) as local:
        assert len(tickers()) == before + 1
        assert local._server.app.events.deliveries is not None
    assert len(tickers()) == before
