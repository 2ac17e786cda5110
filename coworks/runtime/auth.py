"""Authorizers: the service's ``auth(self, token)`` decides who may call which route.

``auth`` returns True (every route), False (none) or a list of allowed routes, each written as
a route key (``"GET /item/{item_id}"``), a path (``"/item/{item_id}"``, any verb) or an entry's
method name. Compare secrets with ``tokens_equal``: it takes the same time whatever matches.

``Authorization: Bearer <token>`` reaches ``auth`` as the token alone (the scheme is dropped,
whatever its case); any other header value arrives as it is. An ``auth(self, token, header)``
also gets the header's raw value (``"Bearer abc"``), for schemes of its own.

Where the token comes from is the authorizer's identity sources, as API Gateway configures them.
A service declares them (default: the ``Authorization`` header)::

    class Shop(TechMicroService):
        identity_sources = ("method.request.header.X-Api-Key",)   # or $request.header.X-Api-Key

A REST (payload 1.0) REQUEST authorizer event carries the whole request, so the token is read
from the first source: ``method.request.header.<name>`` (any case),
``method.request.querystring.<name>``, ``stageVariables.<name>`` or ``context.<path>``
(``context.identity.sourceIp``), in either API's spelling (``$request.header.<name>``...).
As API Gateway does, a request missing any of the sources is denied. An HTTP API (payload 2.0)
event carries the sources' values itself (``identitySource``), in the configured order.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .routing import Route
    from .service import TechMicroService


def tokens_equal(given: str | bytes | None, expected: str | bytes) -> bool:
    """Constant-time comparison of a presented token with the expected secret."""
    import hmac

    if given is None:
        return False
    a = given.encode("utf-8", "surrogatepass") if isinstance(given, str) else given
    b = expected.encode("utf-8", "surrogatepass") if isinstance(expected, str) else expected
    return hmac.compare_digest(a, b)


def bearer(header: str) -> str:
    """The token of ``Bearer <token>`` (RFC 6750, the scheme in any case); other values as they are."""
    scheme, _, rest = header.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else header


def decide(service: TechMicroService, token: Any) -> Any:
    """Call the service's ``auth``; an error in it denies (and is logged), never escapes."""
    if type(token) is not str or not token:
        return False
    try:
        check = service.auth  # type: ignore[attr-defined]
        code = getattr(check, "__code__", None)
        if code is not None and code.co_argcount > 2:  # auth(self, token, header): the raw value too
            return check(bearer(token), token)
        return check(bearer(token))
    except Exception:
        import traceback

        from .events.accesslog import log_error

        log_error(service.name, None, traceback.format_exc(), as_json=service.log_requests)
        return False


def allows(decision: Any, route: Route | None) -> bool:
    """Whether a decision from ``auth`` lets the call through to ``route``."""
    if decision is True:
        return True
    if not decision or route is None or isinstance(decision, (str, bytes, dict)):
        return False
    try:
        allowed = set(decision)
    except TypeError:
        return False
    return route.key in allowed or route.path in allowed or route.name in allowed


def authorize(service: TechMicroService, event: dict[str, Any]) -> dict[str, Any]:
    """Answer an authorizer event: an IAM policy (REST, TOKEN/REQUEST) or a simple response
    (HTTP API payload 2.0)."""
    if "routeArn" in event:  # HTTP API Lambda authorizer, payload 2.0, simple responses
        token = _token_v2(event)
        route = _route_for_key(service, event.get("routeKey"))
        ok = route is not None and (route.no_auth or allows(decide(service, token), route))
        return {"isAuthorized": bool(ok), "context": {"service": service.name}}
    method_arn = event.get("methodArn")
    if type(method_arn) is not str:
        method_arn = "arn:aws:execute-api:*:*:*/*/*/*"
    if event.get("type") == "TOKEN":
        token = event.get("authorizationToken")
    else:
        sources = getattr(service, "identity_sources", None) or DEFAULT_SOURCES
        values = identity(event, (sources,) if isinstance(sources, str) else tuple(sources))
        token = values[0] if values else None
    decision = decide(service, token)
    return {
        "principalId": service.name,
        "policyDocument": {"Version": "2012-10-17", "Statement": _statements(service, decision, method_arn)},
        "context": {"service": service.name},
    }


DEFAULT_SOURCES = ("method.request.header.Authorization",)
_SPELLINGS = (("$request.header.", "method.request.header."), ("$request.querystring.", "method.request.querystring."),
              ("$stageVariables.", "stageVariables."), ("$context.", "context."))


def http_api_sources(sources: Any) -> tuple[str, ...]:
    """A service's ``identity_sources`` in an HTTP API authorizer's spelling (``$request.header.X``),
    what the deploy configures so API Gateway sends those values and checks they are present."""
    return _respelled(sources, rest=False)


def rest_api_sources(sources: Any) -> tuple[str, ...]:
    """A service's ``identity_sources`` in a REST API authorizer's spelling
    (``method.request.header.X``), what the deploy configures for a REST API's authorizer."""
    return _respelled(sources, rest=True)


def _respelled(sources: Any, *, rest: bool) -> tuple[str, ...]:
    given = (sources,) if isinstance(sources, str) else tuple(sources or DEFAULT_SOURCES)
    out = []
    for source in given:
        for v2, v1 in _SPELLINGS:
            old, new = (v2, v1) if rest else (v1, v2)
            if source.startswith(old):
                source = new + source[len(old):]
        out.append(source)
    return tuple(out)


def identity(event: dict[str, Any], sources: tuple[str, ...]) -> list[str] | None:
    """The values of the identity sources in a REST REQUEST authorizer event, in order; None when
    one is missing or empty (API Gateway answers 401 without calling the authorizer then)."""
    values = []
    for source in sources:
        for v2, v1 in _SPELLINGS:
            if source.startswith(v2):
                source = v1 + source[len(v2):]
        value: Any = None
        if source.startswith("method.request.header."):
            name = source[len("method.request.header."):].lower()
            headers: Any = event.get("headers")
            pairs = headers.items() if type(headers) is dict else ()
            value = next((v for k, v in pairs if str(k).lower() == name), None)
        elif source.startswith("method.request.querystring."):
            query = event.get("queryStringParameters")
            value = query.get(source[len("method.request.querystring."):]) if type(query) is dict else None
        elif source.startswith("stageVariables."):
            stage = event.get("stageVariables")
            value = stage.get(source[len("stageVariables."):]) if type(stage) is dict else None
        elif source.startswith("context."):
            value = event.get("requestContext")
            for key in source[len("context."):].split("."):
                value = value.get(key) if type(value) is dict else None
        if value is None or value == "":
            return None
        values.append(value if type(value) is str else str(value))
    return values


def _statements(service: TechMicroService, decision: Any, method_arn: str) -> list[dict[str, Any]]:
    parts = method_arn.split("/", 2)
    base = "/".join(parts[:2]) if len(parts) >= 2 else method_arn
    if decision is not True and decision and not isinstance(decision, (str, bytes, dict)):
        try:  # read a generator once, not once per route
            decision = list(decision)
        except TypeError:
            decision = False
    if decision is True:
        # Authorizer results are cached per token: grant every route, not only this one.
        return [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{base}/*"}]
    allowed = [r for r in service.routes if allows(decision, r)] if decision else []
    if not allowed:
        return [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": method_arn}]
    resources = [f"{base}/{r.method}{_arn_path(r.path)}" for r in allowed]
    return [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resources}]


def _arn_path(path: str) -> str:
    return "/".join("*" if s.startswith("{") else s for s in path.split("/"))


def _token_v2(event: dict[str, Any]) -> Any:
    sources = event.get("identitySource")
    if type(sources) is list and sources:
        return sources[0]
    headers = event.get("headers")
    return headers.get("authorization") if type(headers) is dict else None


def _route_for_key(service: TechMicroService, route_key: Any) -> Route | None:
    if type(route_key) is not str:
        return None
    for route in service.routes:
        if route.key == route_key:
            return route
    return None


def policy_allows(policy: dict[str, Any], method_arn: str) -> bool:
    """Evaluate an IAM policy document like API Gateway: an explicit Deny wins over Allow."""
    from fnmatch import fnmatchcase

    allowed = False
    for statement in policy.get("Statement", []):
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if any(fnmatchcase(method_arn, pattern) for pattern in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed
