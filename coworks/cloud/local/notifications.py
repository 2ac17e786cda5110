"""The local cloud's notifications: S3 object events to EventBridge, and EventBridge Pipes from SQS.

moto stores a bucket's EventBridge setting and the pipes, but delivers neither to a state machine
(its own S3-to-EventBridge path cannot start one, and it never runs a pipe). Here, as AWS does:

* an object created in a bucket whose EventBridge notifications are on (``PutObject``,
  ``CopyObject``, ``CompleteMultipartUpload`` through the front door) becomes S3's "Object
  Created" event, matched against the rules like a put event (the S3 user guide's "Using
  EventBridge" page gives its shape);
* every running pipe from an SQS queue is polled: the messages it reads start its target state
  machine with the batch of SQS records as input (the Pipes user guide's "Amazon SQS as a source"
  gives the record's fields), and are deleted once the execution started. A message whose start
  failed stays in the queue and comes back when its visibility timeout ends, as with a real pipe.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

from .controlplane import (
    ACCOUNT,
    ControlPlaneLookupError,
    delete_message,
    receive_messages,
    running_pipes,
    s3_object,
    sends_to_eventbridge,
)
from .events import Delivery, LocalEvents, Ticker

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .stepfunctions import LocalStepFunctions

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
_OBJECT_CREATED = "Object Created"


class LocalNotifications:
    """Delivers S3 object events and runs the SQS pipes of the local cloud."""

    def __init__(self, events: LocalEvents, stepfunctions: LocalStepFunctions,
                 clock: Callable[[], float] = time.time) -> None:
        self.events = events
        self.stepfunctions = stepfunctions
        self.clock = clock
        self._ticker = Ticker(self.tick, "coworks-local-pipes", "The local pipes' poll")

    # -- S3 -> EventBridge ---------------------------------------------------------------

    @staticmethod
    def handles(environ: dict[str, Any]) -> bool:
        """An S3 request (signed for the ``s3`` service) that may create an object or read the
        bucket's notification configuration."""
        signed = str(environ.get("HTTP_AUTHORIZATION", "")) + str(environ.get("QUERY_STRING", ""))
        return "/s3/aws4_request" in unquote(signed)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse, moto_app: Any,
                 region: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        bucket, key = _bucket_and_key(environ)
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        answered: dict[str, str] = {}

        def remember(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            answered["status"] = status
            return start_response(status, headers, *args)

        if method == "GET" and "notification" in query and bucket:
            return self._notification_configuration(environ, start_response, moto_app, bucket)
        body = list(moto_app(environ, remember))
        if answered.get("status", "").startswith("2") and bucket and key and sends_to_eventbridge(bucket):
            reason = _creation(method, query, environ)
            if reason is not None:
                threading.Thread(target=self._object_created, args=(bucket, key, reason, region, environ),
                                 daemon=True, name="coworks-s3-event").start()
        return body

    def _object_created(self, bucket: str, key: str, reason: str, region: str, environ: dict[str, Any]) -> None:
        found = s3_object(bucket, key)
        if found is None:
            return
        size, etag = found
        detail = {"version": "0", "bucket": {"name": bucket},
                  "object": {"key": key, "size": size, "etag": etag, "sequencer": f"{time.time_ns():X}"},
                  "request-id": str(uuid.uuid4()), "requester": ACCOUNT,
                  "source-ip-address": str(environ.get("REMOTE_ADDR", "127.0.0.1")), "reason": reason}
        entry = {"Source": "aws.s3", "DetailType": _OBJECT_CREATED, "Detail": json.dumps(detail),
                 "Resources": [f"arn:aws:s3:::{bucket}"]}
        try:
            self.events.put_events([entry], region=region)
        except Exception:
            log.exception("Delivering the S3 event of s3://%s/%s failed.", bucket, key)

    @staticmethod
    def _notification_configuration(environ: dict[str, Any], start_response: StartResponse, moto_app: Any,
                                     bucket: str) -> Iterable[bytes]:
        """moto leaves the EventBridge setting out of GetBucketNotificationConfiguration: put it back,
        as AWS answers (``<EventBridgeConfiguration/>``), so a plan reads what a deploy set."""
        answered: dict[str, Any] = {}

        def hold(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            answered.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(moto_app(environ, hold))
        status, headers = answered.get("status", "500 Internal Server Error"), answered.get("headers", [])
        if status.startswith("200") and sends_to_eventbridge(bucket) and b"EventBridgeConfiguration" not in body:
            closing = b"</NotificationConfiguration>"
            if closing in body:
                body = body.replace(closing, b"<EventBridgeConfiguration></EventBridgeConfiguration>" + closing)
            else:  # an empty answer: a whole configuration holding the setting alone
                body = (b'<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns='
                        b'"http://s3.amazonaws.com/doc/2006-03-01/"><EventBridgeConfiguration>'
                        b"</EventBridgeConfiguration></NotificationConfiguration>")
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    # -- SQS -> Pipes -> Step Functions --------------------------------------------------

    def tick(self) -> list[Delivery]:
        """Read each running pipe's queue once and start an execution per batch read."""
        delivered: list[Delivery] = []
        for pipe in running_pipes():
            if ":states:" not in pipe.target:
                continue  # the local cloud runs pipes to state machines only
            try:
                messages = receive_messages(pipe.source, min(pipe.batch_size, 10))
            except ControlPlaneLookupError:
                continue
            if not messages:
                continue
            region = pipe.source.split(":")[3]
            records = [{"messageId": m.message_id, "receiptHandle": m.receipt_handle, "body": m.body,
                        "attributes": m.attributes, "messageAttributes": m.message_attributes, "md5OfBody": m.md5,
                        "eventSource": "aws:sqs", "eventSourceARN": pipe.source, "awsRegion": region}
                       for m in messages]
            when = self.clock()
            try:
                self.stepfunctions.start_execution({"stateMachineArn": pipe.target, "input": json.dumps(records)})
            except Exception as exc:
                log.warning("Pipe %s could not start %s: %s", pipe.name, pipe.target, exc)
                delivered.append(Delivery(pipe.name, pipe.target, when, False, str(exc)))
                continue
            for message in messages:
                delete_message(pipe.source, message.receipt_handle)
            delivered.append(Delivery(pipe.name, pipe.target, when, True))
        self.events.deliveries.extend(delivered)
        return delivered

    def start(self, interval: float = 1.0) -> LocalNotifications:
        """Poll the pipes about every ``interval`` seconds in a daemon thread, until ``stop()``."""
        self._ticker.start(interval)
        return self

    def stop(self) -> None:
        self._ticker.stop()


def _bucket_and_key(environ: dict[str, Any]) -> tuple[str, str]:
    """The bucket and key of a path-style request (``/bucket/key``: what clients use with an IP endpoint)."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
    path = unquote(str(raw).split("?", 1)[0])
    bucket, _, key = path.lstrip("/").partition("/")
    return bucket, key


def _creation(method: str, query: dict[str, list[str]], environ: dict[str, Any]) -> str | None:
    """The ``reason`` S3 gives an "Object Created" event for this request, or None when it made none."""
    subresources = set(query) - {"x-id", "uploadId", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                                 "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"}
    if method == "PUT" and not subresources and "uploadId" not in query:
        return "CopyObject" if environ.get("HTTP_X_AMZ_COPY_SOURCE") else "PutObject"
    if method == "POST" and "uploadId" in query and not subresources:
        return "CompleteMultipartUpload"
    return None
