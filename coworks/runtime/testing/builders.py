"""Event builders: the exact events AWS sends, for every kind the runtime understands.

Public so that a user's tests (and Coworks' own) feed the handler what Lambda will feed it.
"""

from __future__ import annotations

import binascii
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
API_ID = "a1b2c3d4e5"


class LambdaContext:
    """A Lambda-like context object. ``clock`` (seconds) can be injected for remaining-time tests."""

    def __init__(
        self,
        function_name: str = "coworks-test",
        function_version: str = "$LATEST",
        memory_limit_in_mb: int = 128,
        timeout: float = 30.0,
        aws_request_id: str | None = None,
        alias: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        qualifier = f":{alias}" if alias else ""
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}{qualifier}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = aws_request_id or _request_id()
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/") + f"[{function_version}]" + os.urandom(16).hex()
        self._clock = clock
        self._deadline = clock() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock()) * 1000))


def _request_id() -> str:
    raw = os.urandom(16).hex()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _encode(body: str | bytes | None) -> tuple[str | None, bool]:
    if body is None:
        return None, False
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            return binascii.b2a_base64(body, newline=False).decode("ascii"), True
    return body, False


def _multi(query: Mapping[str, Any] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in (query or {}).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        out[str(key)] = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return out


def rest_event(
    method: str,
    path: str,
    *,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    body: str | bytes | None = None,
    resource: str | None = None,
    path_params: Mapping[str, str] | None = None,
    stage: str = "dev",
    base64: bool | None = None,
) -> dict[str, Any]:
    """An API Gateway REST API proxy event (payload format 1.0)."""
    text, is_b64 = _encode(body)
    if base64 and body is not None and not is_b64:
        raw = body.encode() if isinstance(body, str) else body
        text, is_b64 = binascii.b2a_base64(raw, newline=False).decode("ascii"), True
    multi = _multi(query)
    hdrs = dict(headers or {})
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": hdrs or None,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()} or None,
        "queryStringParameters": {k: v[-1] for k, v in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": dict(path_params) if path_params else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "resourcePath": resource or path,
            "httpMethod": method.upper(),
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": _request_id(),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "coworks-test"},
            "protocol": "HTTP/1.1",
        },
        "body": text,
        "isBase64Encoded": is_b64,
    }


def http_event(
    method: str,
    path: str,
    *,
    query: Mapping[str, Any] | str | None = None,
    headers: Mapping[str, str] | None = None,
    body: str | bytes | None = None,
    cookies: list[str] | None = None,
    route_key: str | None = None,
    path_params: Mapping[str, str] | None = None,
    stage: str = "$default",
) -> dict[str, Any]:
    """An API Gateway HTTP API event (payload format 2.0). A named stage prefixes rawPath."""
    from urllib.parse import urlencode

    text, is_b64 = _encode(body)
    if isinstance(query, str):
        raw_query = query
        from urllib.parse import parse_qs

        multi = parse_qs(query, keep_blank_values=True)
    else:
        multi = _multi(query)
        raw_query = urlencode([(k, v) for k, vs in multi.items() for v in vs])
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": hdrs,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "domainName": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
            "domainPrefix": API_ID,
            "http": {
                "method": method.upper(),
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": hdrs.get("user-agent", "coworks-test"),
            },
            "requestId": _request_id(),
            "routeKey": route_key or "$default",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": is_b64,
    }
    if multi:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in multi.items()}
    if text is not None:
        event["body"] = text
    if cookies:
        event["cookies"] = list(cookies)
    if path_params:
        event["pathParameters"] = dict(path_params)
    return event


def function_url_event(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """A Lambda function URL event: payload 2.0 with no route and no stage."""
    kwargs.pop("route_key", None)
    kwargs.pop("stage", None)
    event = http_event(method, path, **kwargs)
    event["requestContext"]["domainName"] = "abcdefghij.lambda-url.us-east-1.on.aws"
    return event


def token_authorizer_event(token: str, method: str = "GET", path: str = "/", stage: str = "dev") -> dict[str, Any]:
    """A REST API TOKEN authorizer event."""
    return {
        "type": "TOKEN",
        "authorizationToken": token,
        "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{stage}/{method.upper()}{path}",
    }


def request_authorizer_event(
    token: str | None, method: str, path: str, route_key: str, stage: str = "$default"
) -> dict[str, Any]:
    """An HTTP API Lambda authorizer event (payload 2.0, simple responses)."""
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{stage}/{method.upper()}{path}",
        "identitySource": [token] if token else [],
        "routeKey": route_key,
        "rawPath": path,
        "headers": {"authorization": token} if token else {},
        "requestContext": {"http": {"method": method.upper(), "path": path}, "stage": stage},
    }


def scheduled_event(rule: str) -> dict[str, Any]:
    """An EventBridge scheduled event for the rule (a name or a full ARN)."""
    arn = rule if rule.startswith("arn:") else f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}"
    return {
        "version": "0",
        "id": _request_id(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": REGION,
        "resources": [arn],
        "detail": {},
    }


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
