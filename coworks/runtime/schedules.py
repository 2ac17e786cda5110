"""``@schedule`` methods: run by EventBridge scheduled rules, routed by the rule's name.

The expressions' grammar (rate and cron, their checks and next-fire times) is ``cron.py``, loaded
by ``check_expression`` on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

SCHEDULE_ATTR = "__coworks_schedule__"


class Schedule:
    """One scheduled method and its EventBridge expression."""

    __slots__ = ("name", "expression", "func", "description")

    def __init__(self, name: str, expression: str, func: Callable[..., Any]) -> None:
        self.name = name
        self.expression = expression
        self.func = func
        self.description = (func.__doc__ or "").strip()

    def __repr__(self) -> str:
        return f"<Schedule {self.name} {self.expression}>"


def check_expression(expression: str) -> str:
    """The expression (stripped) once EventBridge's grammar accepts it, so that what EventBridge
    would refuse at deploy time is refused at class creation; otherwise a ``ScheduleError`` (a
    ``RouteDefinitionError``) in one sentence naming what to write instead."""
    from .cron import parse_schedule  # the grammar loads only for services that have schedules

    parse_schedule(expression)
    return expression.strip()


def schedule(expression: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the method on an EventBridge schedule: ``@schedule("rate(1 hour)")``."""
    checked = check_expression(expression)

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        setattr(func, SCHEDULE_ATTR, checked)
        return func

    return mark


def schedules_of(cls: type) -> list[Schedule]:
    found: dict[str, Schedule] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            expression = getattr(value, SCHEDULE_ATTR, None)
            if expression is not None:
                found[attr] = Schedule(attr, expression, value)
    return list(found.values())


def rule_name(function_name: str, schedule_name: str) -> str:
    """The EventBridge rule name for a schedule; the Lambda recognises it by this suffix."""
    suffix = "-" + schedule_name.replace("_", "-")
    return (function_name[: 64 - len(suffix)] + suffix) if len(function_name) + len(suffix) > 64 else (
        function_name + suffix
    )


def find_schedule(schedules: list[Schedule], rule_arns: list[Any], *, scheduled: bool = True) -> Schedule | None:
    """The schedule a scheduled event is for, from its rule ARN (``.../rule/<name>``).

    A rule not named for any schedule falls back to a service's only schedule when the event is a
    scheduled one (``"detail-type": "Scheduled Event"`` from ``aws.events``, as EventBridge sends a
    schedule's fire); any other event (``scheduled=False``) runs no schedule at all."""
    for arn in rule_arns:
        if not isinstance(arn, str):
            continue
        rule = arn.rsplit("/", 1)[-1]
        for item in sorted(schedules, key=lambda s: -len(s.name)):  # longest suffix wins
            if rule.endswith("-" + item.name.replace("_", "-")) or rule == item.name:
                return item
    return schedules[0] if len(schedules) == 1 and scheduled else None


def scheduled_event(rule_arn: str, *, when: float, account: str, region: str, event_id: str) -> dict[str, Any]:
    """The event EventBridge sends when the rule's schedule fires (what ``find_schedule`` reads):
    one definition for the local cloud's scheduler and the test builders."""
    import time

    return {
        "version": "0",
        "id": event_id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }
