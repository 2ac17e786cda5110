"""CORS as API Gateway's HTTP API does it: preflights answered by the gateway, response headers
added when the Origin is allowed. Configure with ``cors=`` on a service or an entry."""

from __future__ import annotations

from .responses import Response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .requests import Request


class CORSConfig:
    """Which origins may call, with which headers; ``cors=True`` allows every origin."""

    __slots__ = ("allow_origins", "allow_headers", "expose_headers", "max_age", "allow_credentials")

    def __init__(
        self,
        allow_origins: tuple[str, ...] | list[str] = ("*",),
        allow_headers: tuple[str, ...] | list[str] = ("Authorization", "Content-Type", "X-Api-Key"),
        expose_headers: tuple[str, ...] | list[str] = (),
        max_age: int | None = 600,
        allow_credentials: bool = False,
    ) -> None:
        if allow_credentials and "*" in allow_origins:
            from .errors import ServiceError

            raise ServiceError("CORS with credentials needs explicit origins, not '*'; list them.")
        self.allow_origins = tuple(allow_origins)
        self.allow_headers = tuple(allow_headers)
        self.expose_headers = tuple(expose_headers)
        self.max_age = max_age
        self.allow_credentials = allow_credentials

    def origin_for(self, origin: str) -> str | None:
        """The Access-Control-Allow-Origin value for this request's Origin, or None."""
        if "*" in self.allow_origins:
            return origin if self.allow_credentials else "*"
        return origin if origin in self.allow_origins else None


def cors_config(value: Any) -> CORSConfig | None:
    """Accept True, an origin, a list of origins or a CORSConfig."""
    if value is None or value is False:
        return None
    if value is True:
        return CORSConfig()
    if isinstance(value, CORSConfig):
        return value
    if isinstance(value, str):
        return CORSConfig((value,))
    if isinstance(value, (list, tuple)):
        return CORSConfig(tuple(value))
    from .errors import ServiceError

    raise ServiceError(f"cors= takes True, an origin, a list of origins or a CORSConfig, not {value!r}.")


def preflight(config: CORSConfig, request: Request, methods: list[str]) -> Response:
    """The gateway's answer to an OPTIONS preflight."""
    headers: dict[str, str] = {}
    origin = config.origin_for(request.headers.get("origin") or "")
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Allow-Methods"] = ", ".join(sorted(set(methods) | {"OPTIONS"}))
        asked = request.headers.get("access-control-request-headers")
        allowed = {h.lower() for h in config.allow_headers}
        if asked:
            wanted = [h.strip() for h in asked.split(",") if h.strip()]
            if "*" in config.allow_headers or all(h.lower() in allowed for h in wanted):
                headers["Access-Control-Allow-Headers"] = ", ".join(wanted)
        if config.max_age is not None:
            headers["Access-Control-Max-Age"] = str(config.max_age)
        if config.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        if origin != "*":
            headers["Vary"] = "Origin"
    return Response(None, 204, headers)


def decorate(config: CORSConfig, request: Request, response: Response) -> None:
    """Add the CORS headers of an actual (non-preflight) response."""
    origin_header = request.headers.get("origin")
    if not origin_header:
        return
    origin = config.origin_for(origin_header)
    if origin is None:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    if origin != "*":
        response.headers["Vary"] = "Origin"
    if config.allow_credentials:
        response.headers["Access-Control-Allow-Credentials"] = "true"
    if config.expose_headers:
        response.headers["Access-Control-Expose-Headers"] = ", ".join(config.expose_headers)
