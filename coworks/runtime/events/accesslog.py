"""Structured logs: one JSON line per request in Lambda, so CloudWatch filter patterns such as
``{ $.status >= 500 }`` work on them. Imported only when a line is written."""

from __future__ import annotations

import sys
from time import perf_counter

from ..responses import dumps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..requests import Request
    from ..responses import Response


def log_request(service: str, request: Request, response: Response, started: float) -> None:
    route = request.route
    line = {
        "level": "INFO",
        "type": "request",
        "service": service,
        "request_id": request.request_id,
        "method": request.method,
        "path": request.path,
        "route": route.key if route is not None else None,
        "status": response.status_code,
        "latency_ms": round((perf_counter() - started) * 1000, 3),
    }
    sys.stdout.write(dumps(line) + "\n")


def log_error(service: str, request: Request | None, traceback: str, as_json: bool = False) -> None:
    """The traceback of a failure: a JSON line in Lambda, the ``coworks`` logger elsewhere."""
    line: dict[str, Any] = {
        "level": "ERROR",
        "type": "error",
        "service": service,
        "request_id": request.request_id if request is not None else None,
        "method": request.method if request is not None else None,
        "path": request.path if request is not None else None,
        "traceback": traceback,
    }
    if as_json:
        sys.stdout.write(dumps(line) + "\n")
        return
    import logging

    logging.getLogger("coworks").error("%s", dumps(line))
