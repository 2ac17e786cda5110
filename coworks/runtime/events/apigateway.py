"""The events API Gateway sends a Lambda function, built once: REST API proxy events (payload 1.0),
HTTP API events (payload 2.0, also function URLs) and the authorizer events of both.

The local cloud's gateway builds the event of every HTTP request it routes with ``http_event``
(an HTTP API's) or ``rest_event`` (a REST API's),
the test client and the local server build theirs with the same functions, and
``coworks.testing`` re-exports them for users' tests. Payload 2.0 as documented in
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html:
header names lower-cased, duplicate headers and query parameters joined with commas, every
``Cookie`` header moved to ``cookies``. Loaded on first use: a Lambda never needs it.
"""

from __future__ import annotations

import binascii
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, TypeAlias

    Headers: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]

ACCOUNT = "123456789012"
REGION = "us-east-1"
API_ID = "a1b2c3d4e5"
#: The content types whose bodies API Gateway hands over as text; any other body is base64.
TEXT_TYPES = ("application/x-www-form-urlencoded", "application/javascript")


def request_id() -> str:
    """A request id shaped as AWS's (a UUID)."""
    raw = os.urandom(16).hex()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def event_body(body: str | bytes | None, content_type: str = "") -> tuple[str | None, bool]:
    """The ``body`` and ``isBase64Encoded`` of an event: text as given, bytes as text when their
    content type is textual and they are UTF-8, base64 otherwise; None for no body."""
    if not body:
        return None, False
    if isinstance(body, str):
        return body, False
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype.startswith("text/") or "json" in ctype or "xml" in ctype or ctype in TEXT_TYPES:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return binascii.b2a_base64(body, newline=False).decode("ascii"), True


def _multi(query: Mapping[str, Any] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in (query or {}).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        out[str(key)] = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return out


def _pairs(headers: Headers | None) -> list[tuple[str, str]]:
    from collections.abc import Mapping

    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(k), str(v)) for k, v in items]


def rest_event(
    method: str,
    path: str,
    *,
    query: Mapping[str, Any] | str | None = None,
    headers: Headers | None = None,
    body: str | bytes | None = None,
    resource: str | None = None,
    path_params: Mapping[str, str] | None = None,
    stage: str = "dev",
    base64: bool | None = None,
    api_id: str = API_ID,
    domain_name: str | None = None,
    source_ip: str = "127.0.0.1",
    resource_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """An API Gateway REST API proxy event (payload 1.0); ``base64=True`` encodes even a text body.

    ``query`` is the raw query string or a mapping; ``headers`` a mapping or the request's (name,
    value) pairs: ``headers`` holds each name's last value, ``multiValueHeaders`` all of them, names
    as the client wrote them."""
    from urllib.parse import parse_qs

    if body is None:
        text, is_b64 = None, False
    elif base64 or isinstance(body, bytes):
        raw = body.encode() if isinstance(body, str) else body
        text, is_b64 = event_body(raw, "" if base64 else "text/plain")
    else:
        text, is_b64 = body, False
    multi = parse_qs(query, keep_blank_values=True) if isinstance(query, str) else _multi(query)
    hdrs: dict[str, str] = {}
    all_values: dict[str, list[str]] = {}
    for name, value in _pairs(headers):
        hdrs[name] = value
        all_values.setdefault(name, []).append(value)
    agent = next((v for k, v in hdrs.items() if k.lower() == "user-agent"), "")
    when = time.time() if now is None else now
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": hdrs or None,
        "multiValueHeaders": all_values or None,
        "queryStringParameters": {k: v[-1] for k, v in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": dict(path_params) if path_params else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": api_id,
            "resourceId": resource_id or "abc123",
            "resourcePath": resource or path,
            "httpMethod": method.upper(),
            "path": f"/{stage}{path}",
            "stage": stage,
            "domainName": domain_name or f"{api_id}.execute-api.{REGION}.amazonaws.com",
            "domainPrefix": api_id,
            "requestId": request_id(),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(when)),
            "requestTimeEpoch": int(when * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": agent, "apiKey": None, "apiKeyId": None},
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
    headers: Headers | None = None,
    body: str | bytes | None = None,
    cookies: list[str] | None = None,
    route_key: str | None = None,
    path_params: Mapping[str, str] | None = None,
    stage: str = "$default",
    api_id: str = API_ID,
    region: str = REGION,
    domain_name: str | None = None,
    source_ip: str = "127.0.0.1",
    now: float | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API event (payload 2.0) for a request on ``path`` (after the stage; a
    named stage prefixes ``rawPath``). ``query`` is the raw query string or a mapping; ``headers``
    a mapping or the request's (name, value) pairs, repeated names allowed."""
    from urllib.parse import parse_qs, urlencode

    if isinstance(query, str):
        raw_query, multi = query, parse_qs(query, keep_blank_values=True)
    else:
        multi = _multi(query)
        raw_query = urlencode([(k, v) for k, vs in multi.items() for v in vs])
    hdrs: dict[str, str] = {}
    jar = list(cookies or [])
    for name, value in _pairs(headers):
        key = name.lower()
        if key == "cookie":
            jar.extend(c.strip() for c in value.split(";") if c.strip())
        else:
            hdrs[key] = f"{hdrs[key]},{value}" if key in hdrs else value
    text, is_b64 = event_body(body, hdrs.get("content-type", ""))
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    when = time.time() if now is None else now
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": hdrs,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": api_id,
            "domainName": domain_name or f"{api_id}.execute-api.{region}.amazonaws.com",
            "domainPrefix": api_id,
            "http": {
                "method": method.upper(),
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": hdrs.get("user-agent", ""),
            },
            "requestId": request_id(),
            "routeKey": route_key or "$default",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(when)),
            "timeEpoch": int(when * 1000),
        },
        "isBase64Encoded": is_b64,
    }
    if multi:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in multi.items()}
    if text is not None:
        event["body"] = text
    if jar:
        event["cookies"] = jar
    if path_params:
        event["pathParameters"] = dict(path_params)
    return event


def function_url_event(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """A Lambda function URL event: payload 2.0 with no route and no stage."""
    kwargs.pop("route_key", None)
    kwargs.pop("stage", None)
    event = http_event(method, path, **kwargs)
    event["requestContext"]["domainName"] = f"abcdefghij.lambda-url.{REGION}.on.aws"
    return event


def token_authorizer_event(token: str, method: str = "GET", path: str = "/", stage: str = "dev", *,
                           method_arn: str | None = None) -> dict[str, Any]:
    """A REST API TOKEN authorizer event (``method_arn``: the request's, see ``method_arn``)."""
    return {
        "type": "TOKEN",
        "authorizationToken": token,
        "methodArn": method_arn or f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{stage}/{method.upper()}{path}",
    }


def method_arn(event: Mapping[str, Any], region: str = REGION) -> str:
    """The ARN of the method a REST API event calls, as its authorizer is told:
    ``arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<VERB>/<path>``."""
    context = event["requestContext"]
    return (f"arn:aws:execute-api:{region}:{context['accountId']}:{context['apiId']}/{context['stage']}/"
            f"{event['httpMethod']}{event['path']}")


def rest_request_authorizer_event(event: Mapping[str, Any], region: str = REGION) -> dict[str, Any]:
    """The REST API REQUEST authorizer event API Gateway sends before it sends ``event`` on: the
    whole request, and the method's ARN."""
    keys = ("resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
            "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext")
    return {"type": "REQUEST", "methodArn": method_arn(event, region), **{k: event.get(k) for k in keys}}


def authorizer_event(event: Mapping[str, Any], identity: list[str], *, region: str = REGION) -> dict[str, Any]:
    """The HTTP API Lambda authorizer event (payload 2.0, simple responses) API Gateway sends
    before it sends ``event`` on; ``identity`` holds the values of the route's identity sources."""
    context = event["requestContext"]
    stage = context["stage"]
    path = event["rawPath"]
    if stage != "$default" and path.startswith(f"/{stage}/"):
        path = path[len(stage) + 1:]  # the route ARN names the stage once, before the method
    auth: dict[str, Any] = {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{region}:{context['accountId']}:{context['apiId']}/{stage}/"
                    f"{context['http']['method']}{path}",
        "identitySource": list(identity),
        "routeKey": event["routeKey"],
        "rawPath": event["rawPath"],
        "rawQueryString": event["rawQueryString"],
        "headers": event["headers"],
        "requestContext": context,
        "pathParameters": event.get("pathParameters", {}),
    }
    for key in ("cookies", "queryStringParameters"):
        if key in event:
            auth[key] = event[key]
    return auth


def request_authorizer_event(
    token: str | None, method: str, path: str, route_key: str, stage: str = "$default"
) -> dict[str, Any]:
    """The HTTP API Lambda authorizer event for a request carrying ``token`` as its Authorization header."""
    request = http_event(method, path, headers={"authorization": token} if token else None, route_key=route_key,
                         stage=stage)
    return authorizer_event(request, [token] if token else [])
