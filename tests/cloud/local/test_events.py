"""The scheduler and the event bus against rules stored in moto, with fake Lambda and Step Functions
services recording what they were handed, on an explicit clock."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from coworks.cloud.local.events import LocalEvents

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:shop-dev:dev"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:orders-dev"
T0 = 1_800_000_000.0


class FakeLambdas:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []

    def invoke(self, function: str, payload: bytes, **options: Any) -> None:
        self.calls.append((function, json.loads(payload), options))


class FakeStates:
    def __init__(self) -> None:
        self.started: list[dict[str, Any]] = []

    def start_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        self.started.append(request)
        return {"executionArn": "arn", "startDate": T0}


def local(clock: float = T0) -> tuple[LocalEvents, FakeLambdas, FakeStates]:
    lambdas, states = FakeLambdas(), FakeStates()
    return LocalEvents(lambdas, states, clock=lambda: clock), lambdas, states  # type: ignore[arg-type]


def rule(events: Any, name: str, target: dict[str, Any], **params: Any) -> str:
    arn: str = events.put_rule(Name=name, State=params.pop("State", "ENABLED"), **params)["RuleArn"]
    bus = {"EventBusName": params["EventBusName"]} if "EventBusName" in params else {}
    events.put_targets(Rule=name, Targets=[{"Id": "coworks", **target}], **bus)
    return arn


def test_a_rate_rule_fires_once_per_period_with_the_scheduled_event(events: Any) -> None:
    arn = rule(events, "shop-dev-beat", {"Arn": FUNCTION}, ScheduleExpression="rate(1 minute)")
    scheduler, lambdas, _ = local()
    assert scheduler.tick(T0) == []  # first seen: its first fire is a period later
    assert scheduler.tick(T0 + 59) == []
    delivered = scheduler.tick(T0 + 61)
    assert [(d.rule, d.target, d.when, d.ok) for d in delivered] == [("shop-dev-beat", FUNCTION, T0 + 60, True)]
    function, event, options = lambdas.calls[0]
    assert (function, options["invocation_type"]) == (FUNCTION, "Event")
    assert {k: v for k, v in event.items() if k != "id"} == {
        "version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
        "time": "2027-01-15T08:01:00Z", "region": "us-east-1", "resources": [arn], "detail": {}}
    assert scheduler.tick(T0 + 62) == [] and scheduler.tick(T0 + 119) == []
    assert len(scheduler.tick(T0 + 120)) == 1
    assert list(scheduler.deliveries) == [*delivered, scheduler.deliveries[-1]]


def test_fires_missed_while_stopped_are_not_replayed(events: Any) -> None:
    rule(events, "shop-dev-beat", {"Arn": FUNCTION}, ScheduleExpression="rate(1 minute)")
    scheduler, lambdas, _ = local()
    scheduler.tick(T0)
    assert len(scheduler.tick(T0 + 600)) == 1  # ten periods late: one fire
    assert scheduler.tick(T0 + 601) == [] and len(scheduler.tick(T0 + 660)) == 1
    assert len(lambdas.calls) == 2


def test_a_cron_rule_starts_its_state_machine_with_the_targets_input(events: Any) -> None:
    rule(events, "orders-dev-cron", {"Arn": MACHINE, "RoleArn": "arn:aws:iam::123456789012:role/r",
                                     "Input": '{"hello": 1}'}, ScheduleExpression="cron(0 12 * * ? *)")
    scheduler, _, states = local()
    morning = 1_800_000_000.0 - 1_800_000_000.0 % 86400 + 6 * 3600  # 06:00 UTC
    assert scheduler.tick(morning) == []
    assert scheduler.tick(morning + 6 * 3600 - 1) == []
    assert [d.when for d in scheduler.tick(morning + 6 * 3600)] == [morning + 6 * 3600]
    assert states.started == [{"stateMachineArn": MACHINE, "input": '{"hello": 1}'}]


def test_disabled_refused_and_undeliverable_rules_never_stop_the_others(events: Any,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    rule(events, "off", {"Arn": FUNCTION}, ScheduleExpression="rate(1 minute)", State="DISABLED")
    rule(events, "plural", {"Arn": FUNCTION}, ScheduleExpression="rate(1 minutes)")  # moto stores it, AWS would not
    rule(events, "to-sqs", {"Arn": "arn:aws:sqs:us-east-1:123456789012:q"}, ScheduleExpression="rate(1 minute)")
    rule(events, "good", {"Arn": FUNCTION}, ScheduleExpression="rate(1 minute)")
    scheduler, lambdas, _ = local()
    with caplog.at_level(logging.WARNING, logger="coworks.cloud.local.events"):
        scheduler.tick(T0)
        scheduler.tick(T0 + 1)  # the refusal is logged once
        delivered = {d.rule: d for d in scheduler.tick(T0 + 60)}
    assert set(delivered) == {"to-sqs", "good"} and delivered["good"].ok
    assert not delivered["to-sqs"].ok and delivered["to-sqs"].error == (
        "Target arn:aws:sqs:us-east-1:123456789012:q of rule to-sqs is not one the local cloud delivers to: "
        "use a Lambda function or a state machine.")
    skipped = [r.getMessage() for r in caplog.records if "is skipped" in r.getMessage()]
    assert skipped == ["Rule plural is skipped: Bad schedule 'rate(1 minutes)': write rate(1 minute), "
                       "the unit being singular for 1 and plural above."]
    assert [c[0] for c in lambdas.calls] == [FUNCTION]


def test_a_rule_changed_or_removed_starts_over(events: Any) -> None:
    rule(events, "beat", {"Arn": FUNCTION}, ScheduleExpression="rate(1 minute)")
    scheduler, lambdas, _ = local()
    scheduler.tick(T0)
    events.put_rule(Name="beat", ScheduleExpression="rate(5 minutes)", State="ENABLED")
    assert scheduler.tick(T0 + 60) == []  # a new expression: first seen again
    assert scheduler.tick(T0 + 299) == [] and len(scheduler.tick(T0 + 360)) == 1
    events.remove_targets(Rule="beat", Ids=["coworks"])
    events.delete_rule(Name="beat")
    assert scheduler.tick(T0 + 3600) == [] and len(lambdas.calls) == 1


def test_put_events_reach_the_targets_of_matching_rules_only(events: Any) -> None:
    events.create_event_bus(Name="orders")
    rule(events, "shop", {"Arn": MACHINE}, EventPattern=json.dumps({"source": ["shop"]}))
    rule(events, "big", {"Arn": FUNCTION}, EventPattern=json.dumps(
        {"source": [{"prefix": "sh"}], "detail": {"amount": [{"numeric": [">", 100]}]}}))
    rule(events, "other-bus", {"Arn": FUNCTION}, EventPattern=json.dumps({"source": ["shop"]}), EventBusName="orders")
    rule(events, "off", {"Arn": FUNCTION}, EventPattern=json.dumps({"source": ["shop"]}), State="DISABLED")
    scheduler, lambdas, states = local()
    delivered = scheduler.put_events([
        {"Source": "shop", "DetailType": "order placed", "Detail": json.dumps({"amount": 5})},
        {"Source": "shop", "DetailType": "order placed", "Detail": json.dumps({"amount": 500})},
        {"Source": "elsewhere", "DetailType": "noise", "Detail": "{}"},
    ], ids=["e1", "e2", "e3"])
    assert [(d.rule, d.ok) for d in delivered] == [("shop", True), ("shop", True), ("big", True)]
    started = [json.loads(s["input"]) for s in states.started]
    assert [(e["id"], e["detail"]) for e in started] == [("e1", {"amount": 5}), ("e2", {"amount": 500})]
    assert {k: started[0][k] for k in ("source", "detail-type", "account", "region", "resources")} == {
        "source": "shop", "detail-type": "order placed", "account": "123456789012", "region": "us-east-1",
        "resources": []}
    assert [(c[1]["id"], c[2]["invocation_type"]) for c in lambdas.calls] == [("e2", "Event")]
    on_bus = scheduler.put_events([{"Source": "shop", "DetailType": "x", "Detail": "{}", "EventBusName": "orders"}])
    assert [d.rule for d in on_bus] == ["other-bus"]
