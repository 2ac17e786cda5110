"""``app.test_client()``: a requests-like client that calls the service through its Lambda
handler, with the event API Gateway would send, so a test exercises exactly what AWS will run.

Part of the runtime proper (as Starlette's ``testclient``), since the service offers it; loaded
on first use, never by ``import coworks``. ``coworks.testing`` re-exports it.
"""

from __future__ import annotations

import binascii
import json as jsonlib
import os
import time

from .events.apigateway import http_event, request_id, rest_event
from .events.gateway import check_auth, matched_route
from .requests import Headers
from .responses import dumps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from .responses import Response
    from .service import TechMicroService


class LambdaContext:
    """A Lambda-like context object. ``clock`` (seconds) can be injected for remaining-time tests."""

    def __init__(
        self,
        function_name: str = "coworks-test",
        function_version: str = "$LATEST",
        memory_limit_in_mb: int = 128,
        timeout: float = 30.0,
        aws_request_id: str | None = None,
        alias: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from .events.apigateway import ACCOUNT, REGION

        self.function_name = function_name
        self.function_version = function_version
        qualifier = f":{alias}" if alias else ""
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}{qualifier}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = aws_request_id or request_id()
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/") + f"[{function_version}]" + os.urandom(16).hex()
        self._clock = clock
        self._deadline = clock() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock()) * 1000))


class TestResponse:
    """What the client got back: ``status_code``, ``headers``, ``content``, ``text``, ``json()``."""

    __test__ = False  # not a pytest test class

    def __init__(self, status_code: int, headers: Headers, content: bytes, cookies: list[str]) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.set_cookies = cookies

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    @property
    def cookies(self) -> dict[str, str]:
        jar = {}
        for cookie in self.set_cookies:
            name, _, rest = cookie.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return jar

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise AssertionError(f"HTTP {self.status_code}: {self.text}")

    def __repr__(self) -> str:
        return f"<TestResponse [{self.status_code}]>"


class TestClient:
    """``client.get("/item/3", params=..., headers=...)``, ``client.post("/item", json=...)``.

    ``payload="2.0"`` (HTTP API, the default) or ``"1.0"`` (REST API) picks the event format.
    """

    __test__ = False

    def __init__(self, app: TechMicroService, payload: str = "2.0", stage: str | None = None) -> None:
        if payload not in ("1.0", "2.0"):
            raise ValueError("payload is '1.0' (REST API) or '2.0' (HTTP API).")
        self.app = app
        self.payload = payload
        self.stage = stage
        self.context = LambdaContext(function_name=app.name)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | str | bytes | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> TestResponse:
        method = method.upper()
        hdrs = Headers(headers or {})
        path, _, raw_query = path.partition("?")
        query: dict[str, list[str]] = {}
        if raw_query:
            from urllib.parse import parse_qs

            query.update(parse_qs(raw_query, keep_blank_values=True))
        for key, value in (params or {}).items():
            values = value if isinstance(value, (list, tuple, set)) else [value]
            query.setdefault(key, []).extend(_text(v) for v in values)
        body = self._body(json, data, files, hdrs)
        if cookies:
            hdrs["cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        route, path_params = matched_route(self.app, method, path)
        denied = check_auth(self.app, route, method, path, hdrs.get("authorization"), self.payload)
        if denied is not None:
            return _from_response(denied)
        if self.payload == "1.0":
            event = rest_event(method, path, query=query, headers=dict(hdrs), body=body,
                               resource=route.path if route else path, path_params=path_params,
                               stage=self.stage or "dev")
            result = self.app(event, self.context)
            cookie_list = (result.get("multiValueHeaders") or {}).get("Set-Cookie", [])
        else:
            event = http_event(method, path, query=query, headers=dict(hdrs), body=body,  # cookies move to "cookies"
                               route_key=route.key if route else None, path_params=path_params,
                               stage=self.stage or "$default")
            result = self.app(event, self.context)
            cookie_list = result.get("cookies", [])
        raw = result.get("body") or ""
        content = binascii.a2b_base64(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
        return TestResponse(result["statusCode"], Headers(result.get("headers") or {}), content, cookie_list)

    def _body(self, json: Any, data: Any, files: Any, headers: Headers) -> str | bytes | None:
        if json is not None:
            headers.setdefault("content-type", "application/json")
            return dumps(json)
        if files:
            body, ctype = encode_multipart(data or {}, files)
            headers["content-type"] = ctype
            return body
        if isinstance(data, dict):
            from urllib.parse import urlencode

            headers.setdefault("content-type", "application/x-www-form-urlencoded")
            return urlencode(data, doseq=True)
        return data  # type: ignore[no-any-return]

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("OPTIONS", path, **kwargs)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _from_response(response: Response) -> TestResponse:
    return TestResponse(response.status_code, Headers(response.headers), response.body_bytes(), response.cookies)


def encode_multipart(fields: Mapping[str, Any], files: Mapping[str, Any]) -> tuple[bytes, str]:
    """A multipart/form-data body; files are bytes or (filename, content[, content_type])."""
    boundary = "coworks" + os.urandom(12).hex()
    parts: list[bytes] = []
    for name, value in fields.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + _text(item).encode("utf-8") + b"\r\n"
            )
    for name, spec in files.items():
        if isinstance(spec, (bytes, str)):
            filename, content, ctype = name, spec, "application/octet-stream"
        else:
            filename, content = spec[0], spec[1]
            ctype = spec[2] if len(spec) > 2 else "application/octet-stream"
        data = content.encode() if isinstance(content, str) else content
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
