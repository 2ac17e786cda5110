"""The Coworks runtime: what ships inside every Lambda. Standard library only, and nothing
else from coworks, so that ``import coworks`` in a Lambda costs a few milliseconds."""

from .auth import tokens_equal
from .cors import CORSConfig
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
