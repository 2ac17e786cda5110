"""The runtime's errors.

    CoworksError                   root of every error Coworks raises on purpose
    └── ServiceError               a service is defined or used wrongly
        └── RouteDefinitionError   a route cannot be built from an @entry method
    HTTPError                      raised from service code to answer with a status
    ├── BadRequest (400), Unauthorized (401), Forbidden (403), NotFound (404),
    │   MethodNotAllowed (405), Conflict (409), PayloadTooLarge (413),
    │   UnsupportedMediaType (415), TooManyRequests (429), InternalServerError (500),
    │   BadGateway (502), ServiceUnavailable (503), GatewayTimeout (504): a backend's fault
    └── UnprocessableEntity (422)  carries the list of bad fields

HTTPError is not a CoworksError: it is an answer, not a failure of Coworks.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs milliseconds at cold start; only mypy needs it
if TYPE_CHECKING:
    from typing import Any


class CoworksError(Exception):
    """Root of the errors that Coworks raises itself; catch this to catch them all."""


class ServiceError(CoworksError):
    """A TechMicroService is defined or used in a way Coworks cannot honour."""


class RouteDefinitionError(ServiceError):
    """An @entry method cannot become a route (bad path, duplicate, bad signature)."""


class HTTPError(Exception):
    """Raise from anywhere in a service to answer with this status and a JSON message."""

    status_code: int = 500
    default_message: str = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.message = message or self.default_message
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        """The JSON body sent to the client."""
        return {"message": self.message, **self.extra}


def _error(name: str, status: int, message: str) -> type[HTTPError]:
    return type(name, (HTTPError,), {"status_code": status, "default_message": message})


BadRequest = _error("BadRequest", 400, "Bad request")
Unauthorized = _error("Unauthorized", 401, "Unauthorized")
Forbidden = _error("Forbidden", 403, "Forbidden")
NotFound = _error("NotFound", 404, "Not Found")
MethodNotAllowed = _error("MethodNotAllowed", 405, "Method Not Allowed")
Conflict = _error("Conflict", 409, "Conflict")
PayloadTooLarge = _error("PayloadTooLarge", 413, "Payload too large")
UnsupportedMediaType = _error("UnsupportedMediaType", 415, "Unsupported media type")
TooManyRequests = _error("TooManyRequests", 429, "Too many requests")
InternalServerError = _error("InternalServerError", 500, "Internal server error")
# When a service's own backend (SMTP, a database, another API) is at fault, not its caller.
BadGateway = _error("BadGateway", 502, "Bad gateway")
ServiceUnavailable = _error("ServiceUnavailable", 503, "Service unavailable")
GatewayTimeout = _error("GatewayTimeout", 504, "Gateway timeout")


class UnprocessableEntity(HTTPError):
    """Parameters that could not be converted or are missing; lists every bad field."""

    status_code = 422
    default_message = "Invalid request parameters"

    def __init__(self, errors: list[dict[str, str]], message: str | None = None) -> None:
        super().__init__(message, errors=errors)
        self.errors = errors


class DirectInvocationError(Exception):
    """A direct invocation (from a workflow) answered with a non-2xx status.

    Each status gets its own subclass named ``HTTP<status>`` (see ``for_status``), because
    Lambda reports the class name as ``errorType`` and a Step Functions Catch matches on it.
    """

    status_code: int = 500

    def __init__(self, message: str, body: Any = None) -> None:
        super().__init__(message)
        self.body = body

    _by_status: dict[int, type[DirectInvocationError]] = {}

    @classmethod
    def for_status(cls, status: int) -> type[DirectInvocationError]:
        klass = cls._by_status.get(status)
        if klass is None:
            klass = type(f"HTTP{status}", (cls,), {"status_code": status})
            cls._by_status[status] = klass
        return klass
