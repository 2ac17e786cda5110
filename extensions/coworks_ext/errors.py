"""The answers an extension gives when its backend, not its caller, is at fault.

    HTTPError (coworks; the 502, 503 and 504 are coworks' own, re-exported here)
    ├── MisconfiguredError (500)  a setting is missing or wrong: the message names the variable
    ├── BadGateway (502)          the backend is down, refused the connection or answered badly
    ├── ServiceUnavailable (503)  the backend refused for now (try again: a workflow Retry on HTTP503)
    └── GatewayTimeout (504)      the backend did not answer within the configured timeout
"""

from __future__ import annotations

from coworks import BadGateway, GatewayTimeout, HTTPError, ServiceUnavailable

__all__ = ["BadGateway", "GatewayTimeout", "MisconfiguredError", "ServiceUnavailable"]


class MisconfiguredError(HTTPError):
    """The service's own configuration is wrong; the operator, not the caller, fixes it."""

    status_code = 500
    default_message = "The service is not configured"
