"""One schedule grammar: the same expressions, valid and invalid, given to ``@schedule`` at class
creation and to the local cloud's scheduler (rules put in moto, fired by ``tick()``), are accepted
and refused alike, and what both accept fires when the grammar says.

The grammar itself is tested against EventBridge's pages in tests/runtime/test_schedules.py.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError

from coworks import RouteDefinitionError, TechMicroService, schedule
from coworks.cloud.local.events import LocalEvents
from coworks.runtime.cron import parse_schedule

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:clock-dev:dev"
T0 = 1_800_000_000.0  # Friday 15 January 2027, 08:00 UTC

VALID = [
    "rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(30 days)",
    "cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)", "cron(0/10 * ? * MON-FRI *)", "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)",
    "cron(0 0 L * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)", "cron(0 0 ? * 5L *)", "cron(0 0 ? * L *)",
    "cron(0 12 ? * 3#2 *)", "cron(*/20 * ? * sat,sun *)", "cron(0 6 1 JAN-MAR ? 2028-2030)",
    "cron(0 0 31 2 ? *)",  # accepted, never due
]
INVALID = [
    "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(2 weeks)", "rate(5)",
    "cron(0 12 ? * ? *)", "cron(0 12 * * * *)", "cron(0 12 1 * 1 *)", "cron(0 12 * * ?)", "cron(? 0 * * ? *)",
    "cron(0 24 * * ? *)", "cron(0 0 * FOO ? *)", "cron(0 0 ? * 3#1,6#3 *)", "cron(0 0 ? * MON/2 *)",
    "cron(0 0 L,15 * ? *)", "cron(5L 0 * * ? *)", "cron(30-10 0 * * ? *)", "cron(0 0 1 * ? 2200)",
    "every day", "at(2027-01-01T00:00:00)",
]


class Calls:
    """A stand-in for the local Lambda service: the functions it was asked to invoke."""

    def __init__(self) -> None:
        self.functions: list[str] = []

    def invoke(self, function: str, payload: bytes, **options: Any) -> None:
        self.functions.append(function)


def accepted_by_the_decorator(expression: str) -> bool:
    try:
        class Clock(TechMicroService):
            @schedule(expression)
            def tick(self) -> None: ...
    except RouteDefinitionError:
        return False
    return True


def accepted_by_the_local_cloud(events: Any, expressions: list[str],
                                caplog: pytest.LogCaptureFixture) -> tuple[dict[str, bool], LocalEvents]:
    """Each expression as a rule: refused by PutRule (moto's check), skipped by the scheduler, or planned."""
    names: dict[str, str] = {}
    verdict: dict[str, bool] = {}
    for i, expression in enumerate(expressions):
        try:
            events.put_rule(Name=f"r{i}", ScheduleExpression=expression, State="ENABLED")
        except ClientError:
            verdict[expression] = False
            continue
        events.put_targets(Rule=f"r{i}", Targets=[{"Id": "coworks", "Arn": FUNCTION, "Input": json.dumps(i)}])
        names[f"r{i}"] = expression
    scheduler = LocalEvents(Calls(), None, clock=lambda: T0)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="coworks.cloud.local.events"):
        assert scheduler.tick(T0) == []  # a rule seen for the first time only gets its first time planned
    skipped = {r.getMessage().split()[1] for r in caplog.records if "is skipped" in r.getMessage()}
    verdict.update({expression: name not in skipped for name, expression in names.items()})
    return verdict, scheduler


def test_the_decorator_and_the_local_cloud_accept_and_refuse_the_same_expressions(
        events: Any, caplog: pytest.LogCaptureFixture) -> None:
    by_the_cloud, _ = accepted_by_the_local_cloud(events, VALID + INVALID, caplog)
    by_the_decorator = {e: accepted_by_the_decorator(e) for e in VALID + INVALID}
    assert by_the_decorator == by_the_cloud
    assert by_the_decorator == {**{e: True for e in VALID}, **{e: False for e in INVALID}}


def test_the_two_old_disagreements_are_settled_as_eventbridge_settles_them(
        events: Any, caplog: pytest.LogCaptureFixture) -> None:
    for expression in ("cron(0 12 ? * ? *)", "rate(1 minutes)"):
        with pytest.raises(RouteDefinitionError, match="Bad schedule"):
            schedule(expression)
    by_the_cloud, _ = accepted_by_the_local_cloud(events, ["cron(0 12 ? * ? *)", "rate(1 minutes)"], caplog)
    assert by_the_cloud == {"cron(0 12 ? * ? *)": False, "rate(1 minutes)": False}
    skipped = [r.getMessage() for r in caplog.records if "is skipped" in r.getMessage()]
    assert skipped == [
        "Rule r0 is skipped: Bad schedule 'cron(0 12 ? * ? *)': '?' goes in one of day-of-month and day-of-week, "
        "never both, so write cron(0 12 * * ? *) for every day.",
        "Rule r1 is skipped: Bad schedule 'rate(1 minutes)': write rate(1 minute), the unit being singular for 1 "
        "and plural above.",
    ]


@pytest.mark.parametrize("expression", [e for e in VALID if e != "cron(0 0 31 2 ? *)"])
def test_the_local_cloud_fires_what_both_accept_when_the_grammar_says(
        events: Any, caplog: pytest.LogCaptureFixture, expression: str) -> None:
    _, scheduler = accepted_by_the_local_cloud(events, [expression], caplog)
    due = parse_schedule(expression).next_after(T0, T0)
    assert due is not None and due > T0
    assert scheduler.tick(due - 1) == []
    fired = scheduler.tick(due)
    assert [(d.rule, d.when, d.ok) for d in fired] == [("r0", due, True)]
    assert scheduler.tick(due) == []  # once per due time


def test_a_schedule_with_no_time_left_is_planned_and_never_fires(events: Any, caplog: pytest.LogCaptureFixture) -> None:
    verdict, scheduler = accepted_by_the_local_cloud(events, ["cron(0 0 31 2 ? *)"], caplog)
    assert verdict == {"cron(0 0 31 2 ? *)": True}
    assert scheduler.tick(T0 + 10 * 366 * 86400) == []
