"""The Coworks runtime: what ships inside every Lambda. Standard library only, and nothing
else from coworks, so that ``import coworks`` in a Lambda costs a few milliseconds. CORS and the
token comparison load on first use (``__getattr__``): most requests need neither."""

from .declarations import Lambda
from .errors import (
    BadGateway,
    BadRequest,
    Conflict,
    CoworksError,
    DirectInvocationError,
    Forbidden,
    GatewayTimeout,
    HTTPError,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RouteDefinitionError,
    ServiceError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
    UnsupportedMediaType,
)
from .requests import Request
from .responses import Response
from .routing import Route, entry
from .schedules import schedule
from .service import Blueprint, TechMicroService, current_request
from .uploads import UploadedFile

__all__ = [
    "BadGateway",
    "BadRequest",
    "Blueprint",
    "CORSConfig",
    "Conflict",
    "CoworksError",
    "DirectInvocationError",
    "Forbidden",
    "GatewayTimeout",
    "HTTPError",
    "InternalServerError",
    "Lambda",
    "MethodNotAllowed",
    "NotFound",
    "PayloadTooLarge",
    "Request",
    "Response",
    "Route",
    "RouteDefinitionError",
    "ServiceError",
    "ServiceUnavailable",
    "TechMicroService",
    "TooManyRequests",
    "Unauthorized",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "UploadedFile",
    "current_request",
    "entry",
    "schedule",
    "tokens_equal",
]


def __getattr__(name: str) -> object:
    """``CORSConfig`` and ``tokens_equal``, loaded when first asked for (the imports are written out
    so the architecture test sees them)."""
    if name == "CORSConfig":
        from .cors import CORSConfig

        return CORSConfig
    if name == "tokens_equal":
        from .auth import tokens_equal

        return tokens_equal
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
