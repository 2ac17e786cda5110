"""Testing helpers: a requests-like client and builders for every event Lambda receives.

The client and the API Gateway events are the runtime's own (``coworks.runtime.testclient``,
``coworks.runtime.events.apigateway``): production code uses them, this package only re-exports them.
"""

from ..testclient import LambdaContext, TestClient, TestResponse
from .builders import (
    direct_event,
    function_url_event,
    http_event,
    request_authorizer_event,
    rest_event,
    scheduled_event,
    token_authorizer_event,
)

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
