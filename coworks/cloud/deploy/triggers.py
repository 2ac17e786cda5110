"""What starts a workflow by itself: a schedule or an EventBridge event pattern, as declared on the
workflow (``Workflow(..., triggers=[...])``) or given at deploy time."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...runtime.schedules import check_expression
from ..errors import ConfigurationError


@dataclass(frozen=True)
class Trigger:
    """What starts executions by itself: a schedule (``rate(...)``/``cron(...)``), an EventBridge
    event pattern, an object created in an S3 bucket, a message on an SQS queue or on an SNS topic.

    ``Trigger.rate("1 hour")``, ``Trigger.cron("0 6 * * ? *")``, ``Trigger.event({"source": ["shop"]})``,
    ``Trigger.s3("invoices", prefix="incoming/")``, ``Trigger.sqs("orders")``, ``Trigger.sns(topic_arn)``.

    How AWS delivers each, and so what a deploy makes: schedules and patterns are EventBridge rules;
    S3 sends its events to EventBridge (the bucket's EventBridge notifications are turned on) and a
    rule matches the prefix; an SQS queue starts executions through an EventBridge Pipe; an SNS topic
    through a queue of the workflow's own, subscribed to the topic, and its pipe. ``input`` (JSON
    text) replaces the event as the execution's input for rules; a pipe's execution gets the batch
    of messages it read (one message: a list of one SQS record), as Pipes sends it.
    """

    name: str
    schedule: str | None = None
    pattern: str | None = None  # canonical JSON
    input: str | None = None
    bucket: str | None = None  # an S3 trigger's bucket (its pattern says which objects)
    queue: str | None = None  # an SQS trigger's queue: ARN or name
    topic: str | None = None  # an SNS trigger's topic ARN

    @property
    def kind(self) -> str:
        """``schedule``, ``pattern``, ``s3``, ``sqs`` or ``sns``."""
        if self.queue is not None:
            return "sqs"
        if self.topic is not None:
            return "sns"
        if self.bucket is not None:
            return "s3"
        return "schedule" if self.schedule is not None else "pattern"

    @property
    def piped(self) -> bool:
        """Whether executions start through a pipe (SQS and SNS) rather than an EventBridge rule."""
        return self.kind in ("sqs", "sns")

    @classmethod
    def s3(cls, bucket: str, prefix: str = "", *, name: str = "s3", input: Any = None) -> Trigger:
        """An object created in ``bucket`` under ``prefix`` (S3's EventBridge "Object Created" event)."""
        if not _BUCKET.fullmatch(bucket):
            raise ConfigurationError(f"{bucket!r} is not an S3 bucket name: 3 to 63 lowercase letters, digits, '.' "
                                     "and '-', as in Trigger.s3('invoices', prefix='incoming/').", resource=bucket)
        key: dict[str, Any] = {"key": [{"prefix": prefix}]} if prefix else {}
        pattern = {"source": ["aws.s3"], "detail-type": ["Object Created"],
                   "detail": {"bucket": {"name": [bucket]}, **({"object": key} if key else {})}}
        text = None if input is None else json.dumps(input, sort_keys=True)
        return cls(_named(name), pattern=json.dumps(pattern, sort_keys=True), input=text, bucket=bucket)

    @classmethod
    def sqs(cls, queue: str, *, name: str = "sqs") -> Trigger:
        """A message on the SQS queue ``queue`` (its ARN, or its name in the deploy's account and region)."""
        if not (queue.startswith("arn:aws:sqs:") or _QUEUE.fullmatch(queue)):
            raise ConfigurationError(f"{queue!r} is not an SQS queue: give its name (letters, digits, '-', '_') or "
                                     "its ARN arn:aws:sqs:<region>:<account>:<name>.", resource=queue)
        return cls(_named(name), queue=queue)

    @classmethod
    def sns(cls, topic: str, *, name: str = "sns") -> Trigger:
        """A message published on the SNS topic ``topic`` (its ARN)."""
        if not topic.startswith("arn:aws:sns:") or topic.count(":") != 5:
            raise ConfigurationError(f"{topic!r} is not an SNS topic ARN: write arn:aws:sns:<region>:<account>:<name>.",
                                     resource=topic)
        return cls(_named(name), topic=topic)

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
        """A trigger from a Trigger, a ``rate(...)``/``cron(...)`` text, an event pattern dict,
        ``s3://bucket/prefix``, an SQS queue (``sqs:name`` or its ARN) or an SNS topic ARN."""
        if isinstance(value, Trigger):
            return value
        text = None if input is None else json.dumps(input, sort_keys=True)
        if isinstance(value, str) and value.startswith("s3://"):
            bucket, _, prefix = value[5:].partition("/")
            return cls.s3(bucket, prefix, name=name or "s3", input=input)
        if isinstance(value, str) and value.startswith(("arn:aws:sqs:", "sqs:")):
            return cls.sqs(value.removeprefix("sqs:"), name=name or "sqs")
        if isinstance(value, str) and value.startswith("arn:aws:sns:"):
            return cls.sns(value, name=name or "sns")
        if isinstance(value, str):
            try:
                expression = check_expression(value)
            except ValueError as exc:  # the grammar's ScheduleError: its sentence names the fix already
                raise ConfigurationError(str(exc), resource=value) from None
            return cls(name or expression.split("(")[0], schedule=expression, input=text)
        if isinstance(value, Mapping) and value:
            return cls(name or "event", pattern=json.dumps(dict(value), sort_keys=True), input=text)
        raise ConfigurationError(
            f"Trigger {value!r} is neither a schedule, an event pattern nor a source: write 'rate(1 hour)', "
            "'cron(0 6 * * ? *)', a pattern dict such as {'source': ['shop']}, 's3://bucket/prefix/', "
            "'sqs:queue-name' or an SNS topic ARN.",
            resource=str(value),
        )


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_QUEUE = re.compile(r"[A-Za-z0-9_-]{1,80}(\.fifo)?")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")


def _named(name: str) -> str:
    """A trigger's name goes into resource names: refused in one sentence when AWS would refuse it."""
    if not _NAME.fullmatch(name):
        raise ConfigurationError(f"The trigger name {name!r} goes into resource names: use letters, digits, '-' "
                                 "and '_' (40 at most).", resource=name)
    return name
