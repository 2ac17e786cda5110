"""The local REST API gateway: a request through the REST API's resource tree to its Lambda proxy
integration, as API Gateway answers it.

In API Gateway's order: the stage must be deployed (else 403 ``Forbidden``), a resource and method
must match (else 403 ``Missing Authentication Token``), the Lambda authorizer decides (401
``Unauthorized`` without its identity sources, 403 on a Deny), the API key must be an enabled
key of a usage plan on the stage (403 ``Forbidden``), its plan admits the request (429 ``Limit
Exceeded`` past the quota, 429 ``Too Many Requests`` past the throttle), and the function gets a
payload 1.0 event. Its answer must be a proxy answer (``statusCode``...), or API Gateway's 502;
past the integration timeout (29 s) the answer is 504 ``Endpoint request timed out``. Bodies of the
API's binary media types travel base64-encoded, as API Gateway encodes them. Every answer carries
``x-amzn-RequestId`` (the event's ``requestId``); the gateway's own ones their ``x-amzn-ErrorType``.

As documented in
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html (the
event and the answer), .../supported-gateway-response-types.html (the gateway's own answers),
.../apigateway-use-lambda-authorizer.html (TOKEN and REQUEST authorizers, their policies) and
.../api-gateway-api-usage-plans.html (keys, throttle and quota).
"""

from __future__ import annotations

import base64
import fnmatch
import json
from dataclasses import dataclass, field, replace
from typing import Any

from ....runtime.auth import identity
from ....runtime.events.apigateway import method_arn as arn_of
from ....runtime.events.apigateway import request_id as _request_id
from ....runtime.events.apigateway import rest_event, rest_request_authorizer_event, token_authorizer_event
from ..controlplane import ControlPlaneLookupError
from .config import AuthorizerConfig, RestApiConfig, key_grant, rest_api
from .routing import match
from .usage import EXCEEDED, UsageMeter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from ..gateway import GatewayRequest
    from ..lambdas import LocalLambda


@dataclass(frozen=True)
class Answer:
    """What the gateway sends back: status, headers, body and the cookies set."""

    status: int
    headers: dict[str, str]
    body: bytes
    cookies: tuple[str, ...] = field(default=())


def _message(status: int, message: str | None, error_type: str) -> Answer:
    """One of API Gateway's own answers: ``{"message": ...}`` as its default gateway responses send
    it, and the error's type in ``x-amzn-ErrorType``
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html)."""
    return Answer(status, {"content-type": "application/json", "x-amzn-ErrorType": error_type},
                  json.dumps({"message": message}, separators=(",", ":")).encode())


FORBIDDEN = _message(403, "Forbidden", "ForbiddenException")  # no such stage, INVALID_API_KEY
MISSING_TOKEN = _message(403, "Missing Authentication Token", "MissingAuthenticationTokenException")
UNAUTHORIZED = _message(401, "Unauthorized", "UnauthorizedException")
DENIED = _message(403, "User is not authorized to access this resource with an explicit deny",
                  "AccessDeniedException")
NOT_ALLOWED = _message(403, "User is not authorized to access this resource", "AccessDeniedException")
AUTHORIZER_FAILURE = _message(500, None, "AuthorizerConfigurationException")
THROTTLED = _message(429, "Too Many Requests", "TooManyRequestsException")
QUOTA_EXCEEDED = _message(429, "Limit Exceeded", "LimitExceededException")
#: A function error, or an answer that is not a proxy answer.
BAD_GATEWAY = _message(502, "Internal server error", "InternalServerErrorException")
NO_INTEGRATION = _message(500, "Internal server error", "InternalServerErrorException")
TIMED_OUT = _message(504, "Endpoint request timed out", "InternalServerErrorException")  # INTEGRATION_TIMEOUT
#: REST APIs' default integration timeout, seconds.
INTEGRATION_TIMEOUT = 29.0


class RestGateway:
    """Serves every REST API of the control plane through the local Lambda service."""

    def __init__(self, lambdas: LocalLambda, meter: UsageMeter | None = None,
                 integration_timeout: float = INTEGRATION_TIMEOUT) -> None:
        self.lambdas = lambdas
        #: The usage plans' counts, on an injectable clock (``meter.clock``).
        self.meter = meter or UsageMeter()
        self.integration_timeout = integration_timeout

    def handle(self, api_id: str, stage: str, request: GatewayRequest,
               invoke: Callable[[str, bytes, str], Any] | None = None) -> Answer | None:
        """API Gateway's answer to the request, None when ``api_id`` names no REST API (an HTTP
        API's id, then). ``invoke`` (function, payload, region) runs the integration: the local
        Lambda service by default."""
        try:
            api = rest_api(api_id)
        except ControlPlaneLookupError:
            return None
        request_id = _request_id()
        answer = self._answer(api, stage, request, invoke or self._invoke, request_id)
        return replace(answer, headers={**answer.headers, "x-amzn-RequestId": request_id})

    def _answer(self, api: RestApiConfig, stage: str, request: GatewayRequest,
                run: Callable[[str, bytes, str], Any], request_id: str) -> Answer:
        """The answer, in API Gateway's order (see the module's docstring)."""
        if stage not in api.stages:
            return FORBIDDEN
        found = match(api, request.method, request.path)
        if found is None:
            return MISSING_TOKEN
        resource, chosen, params = found
        if chosen.integration != "AWS_PROXY" or chosen.function is None:
            return NO_INTEGRATION
        headers = request.headers
        content_type = _header(headers, "content-type") or "application/json"
        event = rest_event(request.method, request.path, query=request.query, headers=headers,
                           body=request.body or None, resource=resource.path, path_params=params, stage=stage,
                           base64=_binary(content_type, api.binary_media_types), api_id=api.api_id,
                           domain_name=f"{api.api_id}.execute-api.localhost", source_ip=request.source_ip,
                           resource_id=resource.resource_id)
        event["requestContext"]["requestId"] = request_id
        _complete(event)
        if chosen.authorizer is not None:
            decided = self._authorize(api, chosen.authorizer, event, headers, run)
            if isinstance(decided, Answer):
                return decided
            event["requestContext"]["authorizer"] = decided
        if chosen.api_key_required:
            value = _header(headers, "x-api-key")
            grant = key_grant(api.region, api.api_id, stage, value) if value else None
            if grant is None:
                return FORBIDDEN
            refused = self.meter.admit(grant)
            if refused is not None:
                return QUOTA_EXCEEDED if refused == EXCEEDED else THROTTLED
            event["requestContext"]["identity"].update(apiKey=value, apiKeyId=grant.key_id)
        result = run(chosen.function, json.dumps(event).encode(), api.region)
        if isinstance(result, Answer):
            return result
        if result.function_error:
            return BAD_GATEWAY
        return from_proxy(result.payload, api.binary_media_types, _header(headers, "accept"))

    def _invoke(self, function: str, payload: bytes, region: str) -> Any:
        """The invocation, or API Gateway's answer when there is none: 504 past the integration
        timeout (29 s, REST APIs' default: the invocation runs on to its own end, as Lambda's
        does), 500 when Lambda throttles the function, refuses an event over its 6 MB or has no
        such function."""
        from ...errors import RequestTooLargeError, TooManyRequestsError

        try:
            result = self.lambdas.invoke_within(function, payload, self.integration_timeout, region=region)
        except (RequestTooLargeError, TooManyRequestsError, ControlPlaneLookupError):
            return NO_INTEGRATION  # throttled, too large, or the function is gone
        return TIMED_OUT if result is None else result

    def _authorize(self, api: RestApiConfig, authorizer: AuthorizerConfig, event: dict[str, Any],
                   headers: list[tuple[str, str]], run: Callable[[str, bytes, str], Any]) -> Answer | dict[str, Any]:
        """The authorizer's decision: the request context it adds (``principalId`` and its context),
        or API Gateway's answer without going further."""
        arn = arn_of(event, api.region)
        if authorizer.type == "TOKEN":
            source = authorizer.identity_source[0] if authorizer.identity_source else ""
            token = _header(headers, source.removeprefix("method.request.header."))
            if not token or (authorizer.validation and not _validates(authorizer.validation, token)):
                return UNAUTHORIZED  # API Gateway answers without calling the authorizer
            asked = token_authorizer_event(token, method_arn=arn)
        else:
            if authorizer.identity_source and identity(event, authorizer.identity_source) is None:
                return UNAUTHORIZED
            asked = rest_request_authorizer_event(event, api.region)
        if authorizer.function is None:
            return AUTHORIZER_FAILURE
        result = run(authorizer.function, json.dumps(asked).encode(), api.region)
        if isinstance(result, Answer):
            return AUTHORIZER_FAILURE  # the authorizer could not be called: AUTHORIZER_CONFIGURATION_ERROR
        try:
            answer = None if result.function_error else json.loads(result.payload)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("policyDocument"), dict):
            return AUTHORIZER_FAILURE  # not a policy: API Gateway's 500 with a null message
        policy: dict[str, Any] = answer["policyDocument"]
        verdict = _evaluate(policy, arn)
        if verdict != "Allow":
            return DENIED if verdict == "Deny" else NOT_ALLOWED
        context = answer.get("context")
        context = context if isinstance(context, dict) else {}
        return {**{str(k): v for k, v in context.items()}, "principalId": answer.get("principalId")}


#: What API Gateway writes in a proxy event's ``requestContext.identity`` for an unsigned caller:
#: every field present, null when it does not apply (the input format's example in
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html).
_IDENTITY = ("accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
             "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "user", "userArn", "clientCert")


def _complete(event: dict[str, Any]) -> None:
    """The parts of a payload 1.0 event only API Gateway knows: its extended request id and the
    identity fields of a caller it did not authenticate (null)."""
    context = event["requestContext"]
    context.setdefault("extendedRequestId", base64.b64encode(context["requestId"].encode()[:12]).decode())
    for name in _IDENTITY:
        context["identity"].setdefault(name, None)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in reversed(headers) if k.lower() == wanted), None)


def _validates(expression: str, token: str) -> bool:
    import re

    try:
        return re.fullmatch(expression, token) is not None
    except re.error:
        return False


def _evaluate(policy: dict[str, Any], arn: str) -> str | None:
    """``Deny`` when a statement denies the method (it wins), ``Allow`` when one allows it, else None."""
    verdict = None
    statements = policy.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        actions = statement.get("Action", "")
        actions = [actions] if isinstance(actions, str) else list(actions or [])
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else list(resources or [])
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", str(a)) for a in actions):
            continue
        if any(fnmatch.fnmatchcase(arn, str(r)) for r in resources):
            if statement.get("Effect") == "Deny":
                return "Deny"
            if statement.get("Effect") == "Allow":
                verdict = "Allow"
    return verdict


def _binary(content_type: str, types: tuple[str, ...]) -> bool:
    """Whether a body of this content type is one of the API's binary media types."""
    media = content_type.split(";", 1)[0].strip().lower()
    return any(fnmatch.fnmatchcase(media, t.lower()) for t in types)


def from_proxy(payload: bytes, binary_types: tuple[str, ...] = (), accept: str | None = None) -> Answer:
    """API Gateway's reading of a Lambda proxy answer (payload 1.0): anything else is a 502."""
    try:
        answer = json.loads(payload) if payload else None
        if not isinstance(answer, dict) or isinstance(answer.get("statusCode"), bool):
            return BAD_GATEWAY
        status = int(answer["statusCode"])
        single, multi = answer.get("headers") or {}, answer.get("multiValueHeaders") or {}
        if not isinstance(single, dict) or not isinstance(multi, dict):
            return BAD_GATEWAY
        headers = {str(k): str(v) for k, v in single.items()}
        cookies: list[str] = []
        for key, values in multi.items():
            values = [str(v) for v in (values if isinstance(values, list) else [values])]
            if str(key).lower() == "set-cookie":
                cookies += values
            else:
                headers[str(key)] = ",".join(values)
        if "set-cookie" in {k.lower() for k in headers}:
            name = next(k for k in headers if k.lower() == "set-cookie")
            cookies.insert(0, headers.pop(name))
        body = answer.get("body")
        if body is not None and not isinstance(body, str):
            return BAD_GATEWAY
        text = body or ""
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        if content_type is None:
            headers["Content-Type"] = "application/json"
            content_type = "application/json"
        decode = answer.get("isBase64Encoded") is True and (
            _binary(content_type, binary_types) or _binary((accept or "").split(",")[0], binary_types))
        data = base64.b64decode(text, validate=True) if decode else text.encode("utf-8")
    except (TypeError, ValueError, KeyError):
        return BAD_GATEWAY
    return Answer(status, headers, data, tuple(cookies))
