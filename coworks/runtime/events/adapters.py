"""Lambda event adapters: each kind of event in, the matching response shape out.

- API Gateway REST proxy (payload 1.0), HTTP API (payload 2.0) and function URLs: a Request
  for ``dispatch``; the response goes back in the same payload version. Malformed events get a
  400, never an exception.
- TOKEN and REQUEST authorizer events: the service's ``auth(self, token)`` decides (auth.py).
- Application Load Balancer target-group events: a Request for ``dispatch``; the response with
  ``statusDescription`` and the headers in the target group's mode (``headers``, or
  ``multiValueHeaders`` when the event came with them), cookies included.
- EventBridge scheduled events: the ``@schedule`` method named by the rule; an event that is not
  a schedule's fire runs none.
- Direct invocations from workflows, ``{"method", "path", "params", "body", "headers"}``:
  a 2xx answers the parsed body; any other status raises ``HTTP<status>`` so that a Step
  Functions Catch can match it. With ``"response": "full"`` (what ``cws invoke`` sends) every
  status is answered as ``{"statusCode", "headers", "body"}`` instead, raising nothing.
"""

from __future__ import annotations

import binascii
import json
from time import perf_counter

from ..errors import DirectInvocationError, ServiceError
from ..requests import Request
from ..responses import Response, dumps, is_text_type

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..service import TechMicroService


_STR_ONLY = frozenset((str,))


class MalformedEvent(Exception):
    """The event is not a shape we can read; answered with a 400 naming what is wrong."""


def handle(service: TechMicroService, event: Any, context: Any) -> Any:
    if type(event) is not dict:
        return _malformed(f"expected a JSON object, got {type(event).__name__}", v2=True)
    if "httpMethod" in event and "methodArn" not in event:
        rc = event.get("requestContext")
        if type(rc) is dict and "elb" in rc:
            return alb(service, event, context)
        return rest_v1(service, event, context)
    if event.get("version") == "2.0" and "routeArn" not in event:
        return http_v2(service, event, context)
    kind = event.get("type")
    if kind == "TOKEN" or (kind == "REQUEST" and ("methodArn" in event or "routeArn" in event)):
        from ..auth import authorize

        return authorize(service, event)
    if event.get("source") == "aws.events" or "detail-type" in event:
        return scheduled(service, event, context)
    if "method" in event and "path" in event:
        return direct(service, event, context)
    return _malformed("it is not an API Gateway, authorizer, scheduled or direct-invocation event", v2=True)


# -- API Gateway REST API, payload 1.0 -----------------------------------------------------


def rest_v1(service: TechMicroService, event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = perf_counter() if service.log_requests else 0.0
    try:
        method = event["httpMethod"]
        path = event.get("path") or "/"
        rc = event.get("requestContext") or {}
        query = event.get("multiValueQueryStringParameters")
        if query is None:
            single = event.get("queryStringParameters")
            query = {k: [v] for k, v in _dict(single, "queryStringParameters").items()} if single else {}
        elif query:
            _multi(query)
        headers = event.get("headers")
        body = event.get("body")
        path_params = event.get("pathParameters")
        if (type(method) is not str or type(path) is not str or type(rc) is not dict
                or (headers is not None and type(headers) is not dict)
                or (body is not None and type(body) is not str) or type(query) is not dict):
            raise MalformedEvent(_first_bad_v1(event))
        if path_params is not None:
            _params(path_params)
        request = Request(
            method.upper(),
            path,
            query=query,
            headers=headers,
            multi_headers=event.get("multiValueHeaders"),
            body=body,
            is_base64=event.get("isBase64Encoded") is True,
            path_params=path_params,
            request_id=rc.get("requestId") or _request_id(rc, context),
            stage=rc.get("stage") or "",
            event=event,
            context=context,
        )
    except MalformedEvent as exc:
        return _malformed(str(exc), v2=False)
    template = event.get("resource")
    response = service.dispatch(request, template if type(template) is str else None)
    if started:
        from .accesslog import log_request

        log_request(service.name, request, response, started)
    return to_v1(response)


def _first_bad_v1(event: dict[str, Any]) -> str:
    """Name the first field of a REST event that has the wrong type."""
    for key, kinds in (("httpMethod", (str,)), ("path", (str, type(None))), ("requestContext", (dict, type(None))),
                       ("headers", (dict, type(None))), ("body", (str, type(None))),
                       ("multiValueQueryStringParameters", (dict, type(None)))):
        if not isinstance(event.get(key), kinds):
            return f"{key} has the wrong type ({type(event.get(key)).__name__})"
    return "the event has fields of the wrong type"


def to_v1(response: Response) -> dict[str, Any]:
    body, is_base64 = _encode_body(response)
    out: dict[str, Any] = {
        "statusCode": response.status_code,
        "headers": response.headers,
        "body": body,
        "isBase64Encoded": is_base64,
    }
    if response.cookies:
        out["multiValueHeaders"] = {"Set-Cookie": list(response.cookies)}
    return out


# -- Application Load Balancer target groups ----------------------------------------------


def alb(service: TechMicroService, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """An ALB event: query strings arrive as the client encoded them (the load balancer decodes
    nothing), headers single- or multi-valued as the target group is configured."""
    from urllib.parse import quote

    multi = "multiValueHeaders" in event or "multiValueQueryStringParameters" in event
    started = perf_counter() if service.log_requests else 0.0
    try:
        method = _str(event.get("httpMethod"), "httpMethod").upper()
        path = _str(event.get("path") or "/", "path")
        pairs: list[tuple[str, str]] = []
        if multi:
            query = _dict(event.get("multiValueQueryStringParameters"), "multiValueQueryStringParameters")
            _multi(query)
            pairs = [(k, v) for k, values in query.items() for v in values]
        else:
            single = _dict(event.get("queryStringParameters"), "queryStringParameters")
            if not set(map(type, single.values())) <= _STR_ONLY:
                raise MalformedEvent("query string values must be strings")
            pairs = list(single.items())
        raw_query = "&".join(f"{quote(k, safe='%+')}={quote(v, safe='%+=')}" for k, v in pairs)
        headers = _dict(event.get("headers"), "headers")
        multi_headers = _dict(event.get("multiValueHeaders"), "multiValueHeaders") if multi else None
        if multi_headers:
            headers = {k: ",".join(v) if type(v) is list else str(v) for k, v in multi_headers.items()
                       if str(k).lower() != "cookie"}
            cookies = [c for k, v in multi_headers.items() if str(k).lower() == "cookie" for c in v]
            if cookies:
                headers["cookie"] = "; ".join(cookies)
        request = Request(method, path, raw_query=raw_query, headers=headers, body=_body(event.get("body")),
                          is_base64=event.get("isBase64Encoded") is True, request_id=_request_id({}, context),
                          event=event, context=context)
    except MalformedEvent as exc:
        return to_alb(_malformed_response(str(exc)), multi)
    response = service.dispatch(request)
    if started:
        from .accesslog import log_request

        log_request(service.name, request, response, started)
    return to_alb(response, multi)


def to_alb(response: Response, multi: bool) -> dict[str, Any]:
    """The answer an ALB reads: ``statusDescription`` ("200 OK"), and the headers in the target
    group's mode: with multi-value headers every cookie is its own ``Set-Cookie``; with single
    values only one can be sent, the last."""
    from http import HTTPStatus

    body, is_base64 = _encode_body(response)
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = ""
    out: dict[str, Any] = {"statusCode": response.status_code,
                           "statusDescription": f"{response.status_code} {phrase}".strip(),
                           "isBase64Encoded": is_base64, "body": body}
    if multi:
        headers: dict[str, list[str]] = {k: [v] for k, v in response.headers.items()}
        if response.cookies:
            headers["Set-Cookie"] = list(response.cookies)
        out["multiValueHeaders"] = headers
    else:
        single = dict(response.headers)
        if response.cookies:
            single["Set-Cookie"] = response.cookies[-1]
        out["headers"] = single
    return out


def _malformed_response(reason: str) -> Response:
    return Response({"message": f"Malformed event: {reason}."}, 400)


# -- HTTP API payload 2.0 and function URLs ------------------------------------------------


def http_v2(service: TechMicroService, event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = perf_counter() if service.log_requests else 0.0
    try:
        rc = _dict(event.get("requestContext"), "requestContext")
        http = _dict(rc.get("http"), "requestContext.http")
        method = _str(http.get("method") or "", "requestContext.http.method").upper()
        if not method:
            raise MalformedEvent("requestContext.http.method is missing")
        path = _str(event.get("rawPath") or http.get("path") or "/", "rawPath")
        stage = str(rc.get("stage") or "")
        if stage and stage != "$default":  # HTTP APIs keep the stage in rawPath; routes do not
            prefix = "/" + stage
            if path == prefix or path.startswith(prefix + "/"):
                path = path[len(prefix):] or "/"
        cookies = event.get("cookies")
        if cookies is not None and (type(cookies) is not list or not all(type(c) is str for c in cookies)):
            raise MalformedEvent("cookies must be a list of strings")
        route_key = event.get("routeKey")
        template = None
        if type(route_key) is str and route_key != "$default":
            verb, _, template = route_key.partition(" ")
            if verb != method and verb != "ANY":
                template = None
        request = Request(
            method,
            path,
            raw_query=_str(event.get("rawQueryString") or "", "rawQueryString"),
            headers=_dict(event.get("headers"), "headers"),
            body=_body(event.get("body")),
            is_base64=bool(event.get("isBase64Encoded")),
            cookies=cookies,
            path_params=_params(event.get("pathParameters")),
            request_id=_request_id(rc, context),
            stage=stage,
            event=event,
            context=context,
        )
    except MalformedEvent as exc:
        return _malformed(str(exc), v2=True)
    response = service.dispatch(request, template)
    if started:
        from .accesslog import log_request

        log_request(service.name, request, response, started)
    return to_v2(response)


def to_v2(response: Response) -> dict[str, Any]:
    body, is_base64 = _encode_body(response)
    out: dict[str, Any] = {
        "statusCode": response.status_code,
        "headers": response.headers,
        "body": body,
        "isBase64Encoded": is_base64,
    }
    if response.cookies:
        out["cookies"] = list(response.cookies)
    return out


# -- EventBridge schedules -----------------------------------------------------------------


def scheduled(service: TechMicroService, event: dict[str, Any], context: Any) -> Any:
    """Run the ``@schedule`` method the rule names. Failures raise, so EventBridge retries."""
    from ..schedules import find_schedule

    resources = event.get("resources")
    fired = event.get("detail-type") == "Scheduled Event" and event.get("source") == "aws.events"
    target = find_schedule(list(service.schedules), resources if type(resources) is list else [], scheduled=fired)
    if target is None:
        if not fired:
            raise ServiceError(
                f"{service.name} got an EventBridge event ({event.get('detail-type')!r} from "
                f"{event.get('source')!r}) that is not a schedule's fire: its @schedule methods run only for their "
                "rules; send other events to a workflow or an entry instead."
            )
        raise ServiceError(
            f"No @schedule method of {service.name} matches the rule {resources!r}; "
            "name the rule <function>-<method> as `cws deploy` does."
        )
    code = target.func.__code__
    wants_event = code.co_argcount > 1 or "event" in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return target.func(service, event) if wants_event else target.func(service)


# -- direct invocation (workflows) ---------------------------------------------------------


def direct(service: TechMicroService, event: dict[str, Any], context: Any) -> Any:
    """Answer a workflow's call: the parsed 2xx body, or raise ``HTTP<status>``."""
    started = perf_counter() if service.log_requests else 0.0
    try:
        method = _str(event.get("method"), "method").upper()
        path = _str(event.get("path"), "path")
        if not path.startswith("/"):
            path = "/" + path
        params = event.get("params") or {}
        if type(params) is not dict:
            raise MalformedEvent("params must be an object")
        query = {str(k): _as_strings(v) for k, v in params.items() if v is not None}
        body = event.get("body")
        headers = _dict(event.get("headers"), "headers")
        kwargs: dict[str, Any] = {}
        if isinstance(body, str):
            kwargs["body"] = body
        elif body is not None:
            kwargs["json_body"] = body
            headers = {**headers, "content-type": "application/json"}
        request = Request(method, path, query=query, headers=headers,
                          request_id=_request_id({}, context), event=event, context=context, **kwargs)
    except MalformedEvent as exc:
        raise DirectInvocationError.for_status(400)(f"Malformed direct invocation: {exc}.") from None
    response = service.dispatch(request)
    if started:
        from .accesslog import log_request

        log_request(service.name, request, response, started)
    if event.get("response") == "full":
        body, _ = _encode_body(response)
        return {"statusCode": response.status_code, "headers": response.headers, "body": body}
    return direct_result(response)


def direct_result(response: Response) -> Any:
    status = response.status_code
    body = response.body
    if 200 <= status < 300:
        if status == 204 or body in ("", b""):
            return None
        ctype = response.content_type
        if "json" in ctype:
            try:
                return json.loads(body)
            except ValueError:  # the entry's own Response claimed JSON but is not: hand back its text
                pass
        if isinstance(body, bytes) and not is_text_type(ctype):
            return binascii.b2a_base64(body, newline=False).decode("ascii")
        return body if isinstance(body, str) else body.decode("utf-8", "replace")
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    parsed: Any = text
    if "json" in response.content_type:
        try:
            parsed = json.loads(text)
        except ValueError:
            pass
    raise DirectInvocationError.for_status(status)(text, parsed)


# -- shared helpers ------------------------------------------------------------------------


def _encode_body(response: Response) -> tuple[str, bool]:
    body = response.body
    if type(body) is str:
        return body, False
    if not response.is_binary:
        try:
            return body.decode("utf-8"), False  # type: ignore[union-attr]
        except UnicodeDecodeError:
            pass
    return binascii.b2a_base64(body, newline=False).decode("ascii"), True  # type: ignore[arg-type]


def _malformed(reason: str, v2: bool) -> dict[str, Any]:
    response = Response({"message": f"Malformed event: {reason}."}, 400)
    return to_v2(response) if v2 else to_v1(response)


def _request_id(rc: dict[str, Any], context: Any) -> str:
    rid = rc.get("requestId") or getattr(context, "aws_request_id", None)
    if not rid:
        import os

        rid = os.urandom(16).hex()
    return str(rid)


def _str(value: Any, what: str) -> str:
    if type(value) is not str:
        raise MalformedEvent(f"{what} must be a string")
    return value


def _dict(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if type(value) is not dict:
        raise MalformedEvent(f"{what} must be an object")
    return value


def _body(value: Any) -> Any:
    if value is not None and type(value) is not str:
        raise MalformedEvent("body must be a string or null")
    return value


def _params(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if type(value) is not dict or not set(map(type, value.values())) <= _STR_ONLY:
        raise MalformedEvent("pathParameters must map names to strings")
    return value


def _multi(query: Any) -> None:
    if type(query) is not dict:
        raise MalformedEvent("multiValueQueryStringParameters must be an object")
    for values in query.values():
        if type(values) is not list or not all(type(v) is str for v in values):
            raise MalformedEvent("query string values must be strings")


def _as_strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v if isinstance(v, str) else dumps(v) for v in value]
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [dumps(value)]
