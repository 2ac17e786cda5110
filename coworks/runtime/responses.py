"""Turning whatever an entry returns into one ``Response``.

str -> text/plain, dict/list (and dataclasses, pydantic models) -> JSON, bytes -> binary,
None -> 204, ``(body, status)``, ``(body, status, headers)``, or a ``Response`` as is.
"""

from __future__ import annotations

import json
import sys

from .errors import HTTPError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain; charset=utf-8"
BINARY_TYPE = "application/octet-stream"


class Response:
    """An HTTP response. ``body`` is str (text) or bytes (binary); ``cookies`` are Set-Cookie values."""

    __slots__ = ("body", "status_code", "headers", "cookies")

    def __init__(
        self,
        body: Any = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        cookies: list[str] | None = None,
    ) -> None:
        self.headers: dict[str, str] = dict(headers) if headers else {}
        self.status_code = status_code
        self.cookies = list(cookies) if cookies else []
        if body is None:
            self.body: str | bytes = ""
        elif isinstance(body, (str, bytes)):
            self.body = body
            if not self._has_content_type():
                self.headers["Content-Type"] = TEXT_TYPE if isinstance(body, str) else BINARY_TYPE
        else:
            self.body = dumps(body)
            if not self._has_content_type():
                self.headers["Content-Type"] = JSON_TYPE

    def _has_content_type(self) -> bool:
        return any(k.lower() == "content-type" for k in self.headers)

    @property
    def content_type(self) -> str:
        for key, value in self.headers.items():
            if key.lower() == "content-type":
                return value
        return ""

    @property
    def is_binary(self) -> bool:
        """Whether the body must travel base64-encoded through API Gateway."""
        return isinstance(self.body, bytes) and not is_text_type(self.content_type)

    def body_bytes(self) -> bytes:
        body = self.body
        return body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {self.content_type}>"


def is_text_type(content_type: str) -> bool:
    ctype = content_type.split(";", 1)[0].strip().lower()
    return (
        ctype.startswith("text/")
        or ctype in ("application/json", "application/xml", "application/javascript")
        or ctype.endswith("+json")
        or ctype.endswith("+xml")
    )


_UNSAFE = frozenset("\r\n\x00")
_UNSAFE_NAME = frozenset("\r\n\x00:; \t")


def unsafe_header(response: Response) -> str | None:
    """The name of the first header (``Set-Cookie`` for a cookie) that would split the HTTP answer:
    a CR, LF or NUL in its value, or a name that cannot be one. None when every header is safe."""
    for name, value in response.headers.items():
        text = value if type(value) is str else str(value)
        if not name or not _UNSAFE_NAME.isdisjoint(str(name)) or not _UNSAFE.isdisjoint(text):
            return str(name)
    for cookie in response.cookies:
        if not _UNSAFE.isdisjoint(str(cookie)):
            return "Set-Cookie"
    return None


def error_response(error: HTTPError) -> Response:
    return Response(error.body(), error.status_code, error.headers or None)


def make_response(result: Any) -> Response:
    """The response for an entry's return value."""
    if type(result) is dict or type(result) is list:  # fast path for the common case
        response = Response.__new__(Response)
        response.body = _encoder.encode(result)
        response.status_code = 200
        response.headers = {"Content-Type": JSON_TYPE}
        response.cookies = []
        return response
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(None, 204)
    if isinstance(result, tuple):
        if len(result) == 2:
            body, status = result
            headers = None
        elif len(result) == 3:
            body, status, headers = result
        else:
            raise TypeError("Return (body, status) or (body, status, headers), not a tuple of "
                            f"{len(result)} items.")
        if not isinstance(status, int):
            raise TypeError(f"The status in a returned tuple must be an int, not {status!r}.")
        if status == 204 and body is None:
            return Response(None, 204, headers)
        if isinstance(body, Response):
            body.status_code = status
            if headers:
                body.headers.update(headers)
            return body
        return Response(body, status, headers)
    return Response(result)


def _default(value: Any) -> Any:
    """JSON for the types entries commonly return beyond dict/list/str/int/float/bool."""
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "isoformat"):  # datetime, date, time
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(value)
    if hasattr(value, "model_dump"):  # pydantic v2
        return value.model_dump(mode="json")
    enum = sys.modules.get("enum")
    if enum is not None and isinstance(value, enum.Enum):
        return value.value
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"Cannot turn a {type(value).__name__} into JSON; return a dict, list or str.")


_encoder = json.JSONEncoder(ensure_ascii=False, default=_default, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Compact JSON, as API Gateway passes it through untouched."""
    return _encoder.encode(value)
