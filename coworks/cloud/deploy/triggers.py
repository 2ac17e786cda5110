"""What starts a workflow by itself: a schedule or an EventBridge event pattern, as declared on the
workflow (``Workflow(..., triggers=[...])``) or given at deploy time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...runtime.schedules import check_expression
from ..errors import ConfigurationError


@dataclass(frozen=True)
class Trigger:
    """What starts executions by itself: a schedule (``rate(...)``/``cron(...)``) or an EventBridge
    event pattern; ``input`` (JSON text) is the execution's input, AWS sends the event otherwise.

    ``Trigger.rate("1 hour")``, ``Trigger.cron("0 6 * * ? *")``, ``Trigger.event({"source": ["shop"]})``.
    """

    name: str
    schedule: str | None = None
    pattern: str | None = None  # canonical JSON
    input: str | None = None

    @classmethod
    def rate(cls, every: str, *, name: str = "rate", input: Any = None) -> Trigger:
        return cls.of(f"rate({every})", name=name, input=input)

    @classmethod
    def cron(cls, fields: str, *, name: str = "cron", input: Any = None) -> Trigger:
        return cls.of(f"cron({fields})", name=name, input=input)

    @classmethod
    def event(cls, pattern: Mapping[str, Any], *, name: str = "event", input: Any = None) -> Trigger:
        return cls.of(pattern, name=name, input=input)

    @classmethod
    def of(cls, value: Any, *, name: str | None = None, input: Any = None) -> Trigger:
        """A trigger from a Trigger, a ``rate(...)``/``cron(...)`` text or an event pattern dict."""
        if isinstance(value, Trigger):
            return value
        text = None if input is None else json.dumps(input, sort_keys=True)
        if isinstance(value, str):
            try:
                expression = check_expression(value)
            except ValueError as exc:  # the grammar's ScheduleError: its sentence names the fix already
                raise ConfigurationError(str(exc), resource=value) from None
            return cls(name or expression.split("(")[0], schedule=expression, input=text)
        if isinstance(value, Mapping) and value:
            return cls(name or "event", pattern=json.dumps(dict(value), sort_keys=True), input=text)
        raise ConfigurationError(
            f"Trigger {value!r} is neither a schedule nor an event pattern: write 'rate(1 hour)', "
            "'cron(0 6 * * ? *)' or a pattern dict such as {'source': ['shop']}.",
            resource=str(value),
        )
