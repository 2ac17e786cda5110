"""What API Gateway does before it calls the service, for callers that have no gateway in
front (the test client and the local server): match the route and run the authorizer."""

from __future__ import annotations

from ..errors import HTTPError
from ..responses import Response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..routing import Route
    from ..service import TechMicroService


def matched_route(service: TechMicroService, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    """The route API Gateway would pick, and its path parameters (decoded)."""
    from ..routing import path_values

    try:
        endpoint, segments = service._router.match(method, path)
    except HTTPError:
        return None, {}
    route = endpoint[0]
    return route, (path_values(route, segments) if segments else {})


def check_auth(
    service: TechMicroService, route: Route | None, method: str, path: str, token: str | None, payload: str
) -> Response | None:
    """None when the call may go through; otherwise the gateway's 401 or 403.

    The authorizer is called through the service's Lambda handler with the event API Gateway
    would send, so a test exercises the same code as AWS.
    """
    if not service.has_auth or route is None or route.no_auth:
        return None
    if not token:
        return Response({"message": "Unauthorized"}, 401)
    from .apigateway import request_authorizer_event, token_authorizer_event

    result: Any
    if payload == "1.0":
        from ..auth import policy_allows

        event = token_authorizer_event(token, method, path)
        result = service(event)
        ok = policy_allows(result.get("policyDocument", {}), event["methodArn"])
    else:
        result = service(request_authorizer_event(token, method, path, route.key))
        ok = bool(result.get("isAuthorized"))
    return None if ok else Response({"message": "Forbidden"}, 403)
