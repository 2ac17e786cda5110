"""Event builders: the exact events AWS sends, for every kind the runtime understands.

Public so that a user's tests (and Coworks' own) feed the handler what Lambda will feed it. The
API Gateway events and the Lambda context live in the runtime proper (``apigateway``,
``testclient``), which production code uses; they are re-exported here.
"""

from __future__ import annotations

import time

from .. import schedules
from ..events.apigateway import (
    ACCOUNT,
    API_ID,
    REGION,
    authorizer_event,
    event_body,
    function_url_event,
    http_event,
    request_authorizer_event,
    request_id,
    rest_event,
    token_authorizer_event,
)
from ..testclient import LambdaContext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = [
    "ACCOUNT",
    "API_ID",
    "REGION",
    "LambdaContext",
    "authorizer_event",
    "direct_event",
    "event_body",
    "function_url_event",
    "http_event",
    "request_authorizer_event",
    "rest_event",
    "scheduled_event",
    "token_authorizer_event",
]


def scheduled_event(rule: str) -> dict[str, Any]:
    """An EventBridge scheduled event for the rule (a name or a full ARN), fired now."""
    arn = rule if rule.startswith("arn:") else f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}"
    return schedules.scheduled_event(arn, when=time.time(), account=ACCOUNT, region=REGION, event_id=request_id())


def direct_event(
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The direct-invocation event that workflows send to a service."""
    event: dict[str, Any] = {"method": method.upper(), "path": path}
    if params:
        event["params"] = dict(params)
    if body is not None:
        event["body"] = body
    if headers:
        event["headers"] = dict(headers)
    return event
