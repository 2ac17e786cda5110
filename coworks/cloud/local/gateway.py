"""The local API Gateway: HTTP APIs (payload 2.0) answered on 127.0.0.1.

Routing follows the routes stored in the control plane, never the service's code: the most
specific route wins (static paths, then path variables, then greedy ``{proxy+}``, then
``$default``; a verb before ``ANY``), the Lambda authorizer runs when the route has one, and the
function's answer is turned into HTTP as API Gateway does, including its inference rules for
answers without a ``statusCode``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ...runtime.events.apigateway import authorizer_event, http_event
from .controlplane import ControlPlaneLookupError, HttpApiConfig, RouteConfig, http_api
from .lambdas import Invocation, LocalLambda

#: API Gateway's own answers, byte for byte.
NOT_FOUND = (404, {"content-type": "application/json"}, b'{"message":"Not Found"}')
UNAUTHORIZED = (401, {"content-type": "application/json"}, b'{"message":"Unauthorized"}')
FORBIDDEN = (403, {"content-type": "application/json"}, b'{"message":"Forbidden"}')
INTERNAL = (500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}')
TOO_LARGE = (413, {"content-type": "application/json"}, b'{"message":"Request Entity Too Large"}')
#: The integration did not answer within its timeout (an HTTP API's 30 s at most). An HTTP API answers
#: 503 Service Unavailable; a REST API's 504 "Endpoint request timed out" is the REST API's own
#: (https://repost.aws/knowledge-center/api-gateway-504-errors: "takes longer than your API Gateway
#: REST API maximum integration timeout").
UNAVAILABLE = (503, {"content-type": "application/json"}, b'{"message":"Service Unavailable"}')
#: HTTP APIs' maximum integration timeout, seconds
#: (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
INTEGRATION_TIMEOUT = 30.0


@dataclass
class GatewayRequest:
    method: str
    path: str  # after the stage, raw (percent-encoded)
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"


@dataclass
class GatewayResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)


def match_route(api: HttpApiConfig, method: str, path: str) -> tuple[RouteConfig, dict[str, str]] | None:
    """The route API Gateway would pick for this request, and its decoded path parameters."""
    segments = [s for s in path.split("/") if s] if path != "/" else []
    best: tuple[tuple[int, ...], RouteConfig, dict[str, str]] | None = None
    default: RouteConfig | None = None
    for route in api.routes:
        if route.route_key == "$default":
            default = route
            continue
        verb, _, template = route.route_key.partition(" ")
        if verb not in (method, "ANY"):
            continue
        params = _match_template(template, segments)
        if params is None:
            continue
        parts = [s for s in template.split("/") if s]
        greedy = bool(parts) and parts[-1].endswith("+}")
        literals = sum(1 for s in parts if not s.startswith("{"))
        rank = (0 if greedy else 1, literals, len(parts), 1 if verb == method else 0)
        if best is None or rank > best[0]:
            best = (rank, route, params)
    if best is not None:
        return best[1], best[2]
    if default is not None:
        return default, {}
    return None


def _match_template(template: str, segments: list[str]) -> dict[str, str] | None:
    parts = [s for s in template.split("/") if s]
    params: dict[str, str] = {}
    for index, part in enumerate(parts):
        if part.startswith("{") and part.endswith("+}"):
            if index >= len(segments):
                return None
            params[part[1:-2]] = unquote("/".join(segments[index:]))
            return params
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = unquote(segments[index])
        elif part != segments[index]:
            return None
    return params if len(parts) == len(segments) else None


class LocalGateway:
    """Serves every HTTP API of the control plane through the local Lambda service."""

    def __init__(self, lambdas: LocalLambda, integration_timeout: float = INTEGRATION_TIMEOUT) -> None:
        self.lambdas = lambdas
        self.integration_timeout = integration_timeout

    def handle(self, api_id: str, stage: str, request: GatewayRequest) -> GatewayResponse:
        try:
            api = http_api(api_id)
        except ControlPlaneLookupError:
            return GatewayResponse(*NOT_FOUND)
        if stage not in api.stages and stage != "$default":
            return GatewayResponse(*NOT_FOUND)
        found = match_route(api, request.method, request.path)
        if found is None or found[0].function is None:
            return GatewayResponse(*NOT_FOUND)
        route, params = found
        function: str = found[0].function
        event = self.event(api, stage, route, params, request)
        if route.authorizer_function is not None:
            denied = self._authorize(api, stage, route, event)
            if denied is not None:
                return denied
        result = self.integrate(function, json.dumps(event).encode(), api.region)
        if isinstance(result, GatewayResponse):
            return result
        if result.function_error:
            return GatewayResponse(*INTERNAL)
        return to_http(result.payload)

    def integrate(self, function: str, payload: bytes, region: str) -> Invocation | GatewayResponse:
        """The integration's invocation, or API Gateway's answer when there is none: 503 Service
        Unavailable past the integration timeout (the invocation runs on to its own end, as
        Lambda's does), 500 when Lambda throttles it, 413 when its event is over Lambda's 6 MB."""
        from ..errors import RequestTooLargeError, TooManyRequestsError

        try:
            result = self.lambdas.invoke_within(function, payload, self.integration_timeout, region=region)
        except RequestTooLargeError:  # under 10 MB, but over Lambda's 6 MB
            return GatewayResponse(*TOO_LARGE)
        except TooManyRequestsError:
            # a throttled proxy integration is an integration failure, answered 500, never Lambda's 429
            # (https://repost.aws/knowledge-center/api-gateway-internal-server-error, "Throttling occurs")
            return GatewayResponse(*INTERNAL)
        return GatewayResponse(*UNAVAILABLE) if result is None else result

    def event(
        self, api: HttpApiConfig, stage: str, route: RouteConfig, params: dict[str, str], request: GatewayRequest
    ) -> dict[str, Any]:
        """The payload 2.0 event API Gateway sends for this request (the runtime's one definition)."""
        return http_event(request.method, request.path, query=request.query, headers=request.headers,
                          body=request.body, route_key=route.route_key, path_params=params, stage=stage,
                          api_id=api.api_id, region=api.region, domain_name=f"{api.api_id}.execute-api.localhost",
                          source_ip=request.source_ip)

    def _authorize(
        self, api: HttpApiConfig, stage: str, route: RouteConfig, event: dict[str, Any]
    ) -> GatewayResponse | None:
        identity = []
        for source in route.identity_source:
            value = _identity_value(event, stage, source)
            if value is None or value == "":
                return GatewayResponse(*UNAUTHORIZED)  # the gateway answers without calling
            identity.append(value)
        auth_event = authorizer_event(event, identity, region=api.region)
        result = self.lambdas.invoke(route.authorizer_function or "", json.dumps(auth_event).encode(),
                                     region=api.region)
        if result.function_error:
            return GatewayResponse(*INTERNAL)
        answer = result.json()
        allowed = isinstance(answer, dict) and answer.get("isAuthorized") is True
        return None if allowed else GatewayResponse(*FORBIDDEN)


def _identity_value(event: dict[str, Any], stage: str, source: str) -> str | None:
    """An HTTP API identity source's value: ``$request.header.<name>``, ``$request.querystring.<name>``,
    ``$context.<path>`` or ``$stageVariables.<name>`` (none are defined locally)."""
    kind, _, name = source.partition(".")
    if source.lower().startswith("$request.header."):
        return event["headers"].get(source.split(".", 2)[2].lower())  # type: ignore[no-any-return]
    if source.startswith("$request.querystring."):
        value = (event.get("queryStringParameters") or {}).get(source.split(".", 2)[2])
        return None if value is None else str(value)
    if kind == "$context":
        found: Any = event.get("requestContext")
        for key in name.split("."):
            found = found.get(key) if isinstance(found, dict) else None
        return None if found is None else str(found)
    return None


def to_http(payload: bytes) -> GatewayResponse:
    """API Gateway's reading of a payload 2.0 answer."""
    try:
        answer = json.loads(payload) if payload else None
    except ValueError:
        return GatewayResponse(*INTERNAL)
    if not isinstance(answer, dict) or "statusCode" not in answer:
        # No statusCode: API Gateway assumes 200, JSON, and the answer itself as the body.
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return GatewayResponse(200, {"content-type": "application/json"}, text.encode())
    try:  # a malformed answer is the function's fault: API Gateway answers 500
        status = int(answer["statusCode"])
        headers = {str(k): str(v) for k, v in (answer.get("headers") or {}).items()}
        for key, values in (answer.get("multiValueHeaders") or {}).items():
            headers[str(key)] = ",".join(str(v) for v in values)
        body = answer.get("body") or ""
        data = base64.b64decode(body, validate=True) if answer.get("isBase64Encoded") else str(body).encode("utf-8")
        cookies = [str(c) for c in answer.get("cookies") or []]
    except (TypeError, ValueError, AttributeError):
        return GatewayResponse(*INTERNAL)
    return GatewayResponse(status, headers, data, cookies)
