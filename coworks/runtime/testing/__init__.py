"""Testing helpers: a requests-like client and builders for every event Lambda receives."""

from .builders import (
    LambdaContext,
    direct_event,
    function_url_event,
    http_event,
    request_authorizer_event,
    rest_event,
    scheduled_event,
    token_authorizer_event,
)
from .client import TestClient, TestResponse

__all__ = [
    "LambdaContext",
    "TestClient",
    "TestResponse",
    "direct_event",
    "function_url_event",
    "http_event",
    "request_authorizer_event",
    "rest_event",
    "scheduled_event",
    "token_authorizer_event",
]
