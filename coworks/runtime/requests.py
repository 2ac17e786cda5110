"""The request a service sees, whatever carried it (API Gateway v1/v2, a direct invocation,
the local server or the test client). Parsing is lazy: a GET that reads no header and no body
pays for neither."""

from __future__ import annotations

import binascii
import json

from .errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from .uploads import MAX_FORM_PARTS
from .uploads import UploadedFile as UploadedFile  # where the runtime's users found it

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: API Gateway refuses payloads over 10 MB; so do we, before parsing anything.
MAX_BODY_BYTES = 10 * 1024 * 1024

_MISSING: Any = object()
_STR_ONLY = frozenset((str,))


class Headers(dict):  # type: ignore[type-arg]
    """Case-insensitive header mapping: keys are stored lower-cased, like HTTP API payloads."""

    def __init__(self, items: Any = None) -> None:
        super().__init__()
        if items:
            for key, value in items.items() if isinstance(items, dict) else items:
                self[key] = value

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())  # type: ignore[no-any-return]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


class Request:
    """One HTTP request. ``query`` maps each name to all its values; ``json()``, ``form()``
    and ``body_fields()`` parse the body on first use and raise ``BadRequest`` with a sentence
    naming the problem when it is malformed."""

    __slots__ = (
        "method",
        "path",
        "path_params",
        "request_id",
        "stage",
        "event",
        "context",
        "route",
        "_source_ip",
        "_multi_headers",
        "_query",
        "_raw_query",
        "_headers",
        "_raw_headers",
        "_body",
        "_raw_body",
        "_base64",
        "_json",
        "_cookies",
        "max_form_parts",
    )

    def __init__(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, list[str]] | None = None,
        raw_query: str = "",
        headers: Any = None,
        multi_headers: Any = None,
        body: bytes | str | None = None,
        is_base64: bool = False,
        json_body: Any = _MISSING,
        cookies: list[str] | None = None,
        path_params: dict[str, str] | None = None,
        request_id: str = "",
        stage: str = "",
        event: Any = None,
        context: Any = None,
        source_ip: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.path_params = path_params
        self.request_id = request_id
        self.stage = stage
        self.event = event
        self.context = context
        self.route: Any = None
        self._source_ip = source_ip
        self._multi_headers = multi_headers
        self._query = query
        self._raw_query = raw_query
        self._headers: Headers | None = headers if isinstance(headers, Headers) else None
        self._raw_headers = headers
        self._raw_body = body
        self._base64 = is_base64
        self._body: bytes | None = None
        self._json = json_body
        self.max_form_parts = MAX_FORM_PARTS  # the service's own, set when it dispatches
        self._cookies = cookies

    # -- query, headers, cookies ---------------------------------------------------------

    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            if self._raw_query:
                from urllib.parse import parse_qs

                self._query = parse_qs(self._raw_query, keep_blank_values=True)
            else:
                self._query = {}
        return self._query

    @property
    def headers(self) -> Headers:
        """Headers, lower-cased; repeated headers (v1 ``multiValueHeaders``) joined by commas."""
        if self._headers is None:
            lowered = Headers()
            raw = self._raw_headers
            if type(raw) is dict and raw:
                try:
                    dict.update(lowered, {key.lower(): value for key, value in raw.items()})
                except AttributeError:
                    raise BadRequest("Malformed event: header names must be strings.") from None
                if not set(map(type, raw.values())) <= _STR_ONLY:
                    raise BadRequest("Malformed event: header values must be strings.")
            multi = self._multi_headers
            if type(multi) is dict:
                for key, values in multi.items():
                    if type(values) is not list or type(key) is not str or not values:
                        continue
                    if len(values) > 1 or key.lower() not in lowered:  # ALB sends only the multi map
                        if not set(map(type, values)) <= _STR_ONLY:
                            raise BadRequest(f"Malformed event: the values of header {key!r} must be strings.")
                        dict.__setitem__(lowered, key.lower(), ",".join(values))
            self._headers = lowered
        return self._headers

    @property
    def source_ip(self) -> str:
        """The caller's address, as API Gateway reports it."""
        if self._source_ip is None:
            ip: Any = None
            rc = self.event.get("requestContext") if type(self.event) is dict else None
            if type(rc) is dict:
                holder = rc.get("http") if "http" in rc else rc.get("identity")
                ip = holder.get("sourceIp") if type(holder) is dict else None
            self._source_ip = ip if type(ip) is str else ""
        return self._source_ip

    @property
    def cookies(self) -> dict[str, str]:
        """Request cookies by name (from the v2 ``cookies`` list or the Cookie header)."""
        pairs = self._cookies
        if pairs is None:
            header = self.headers.get("cookie") or ""
            # repeated Cookie headers (v1 multiValueHeaders) arrive comma-joined; values hold no comma
            pairs = header.replace(",", ";").split(";") if header else []
        jar: dict[str, str] = {}
        for pair in pairs:
            name, _, value = pair.strip().partition("=")
            if name:
                jar[name] = value
        return jar

    @property
    def content_type(self) -> str:
        """The media type, lower-cased, without parameters."""
        raw = self._raw_headers
        value: Any = None
        if self._headers is None and type(raw) is dict:  # skip building all headers for one
            value = raw.get("content-type") or raw.get("Content-Type")
        if type(value) is not str:
            value = self.headers.get("content-type") or ""
        return str(value).split(";", 1)[0].strip().lower()

    # -- body ----------------------------------------------------------------------------

    @property
    def body(self) -> bytes:
        """The raw body, base64-decoded when the event says so."""
        if self._body is None:
            raw = self._raw_body
            if raw is None:
                data = b""
            elif isinstance(raw, bytes):
                data = raw
            elif not isinstance(raw, str):
                raise BadRequest("The request body must be a string.")
            elif self._base64:
                try:
                    data = binascii.a2b_base64(raw.encode("ascii"), strict_mode=True)
                except (binascii.Error, ValueError, UnicodeEncodeError):
                    raise BadRequest("The request body is marked base64 but is not valid base64.") from None
            else:
                data = raw.encode("utf-8", "surrogatepass")
            if len(data) > MAX_BODY_BYTES:
                raise PayloadTooLarge(f"The request body exceeds {MAX_BODY_BYTES} bytes.")
            self._body = data
        return self._body

    def json(self) -> Any:
        """The body parsed as JSON; ``None`` when the body is empty."""
        if self._json is _MISSING:
            raw = self._raw_body
            if type(raw) is str and not self._base64 and len(raw) <= MAX_BODY_BYTES // 4:
                data: str | bytes = raw  # parse the event's text as is: no encode, no size doubt
            else:
                data = self.body
            self._json = parse_json(data) if data.strip() else None
        return self._json

    def form(self) -> dict[str, list[Any]]:
        """Form fields (urlencoded or multipart); file parts are ``UploadedFile`` values."""
        ctype = self.content_type
        if ctype == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qs

            try:
                text = self.body.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("The form body is not valid UTF-8.") from None
            return parse_qs(text, keep_blank_values=True)  # type: ignore[return-value]
        if ctype == "multipart/form-data":
            from .multipart import parse_multipart

            return parse_multipart(self.body, str(self.headers.get("content-type")), max_parts=self.max_form_parts)
        raise UnsupportedMediaType(f"Expected a form body, got content type {ctype or 'none'!r}.")

    def body_fields(self) -> tuple[dict[str, Any], bool]:
        """The body's fields for parameter binding, and whether they are text.

        A JSON object gives JSON values (``False``); a form gives lists of strings or files
        (``True``); an empty body gives ``({}, False)``.
        """
        if self._json is _MISSING:
            ctype = self.content_type
            if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                return self.form(), True
            if not self.body.strip():
                return {}, False
            if ctype and ctype != "application/json" and not ctype.endswith("+json"):
                raise UnsupportedMediaType(
                    f"Send the body as application/json or a form; got content type {ctype!r}."
                )
        value = self.json()
        if value is None:
            return {}, False
        if not isinstance(value, dict):
            raise BadRequest("The JSON body must be an object whose keys are the parameters.")
        return value, False

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path}>"


def parse_json(data: bytes | str) -> Any:
    """Parse JSON, turning every failure into a ``BadRequest`` that says what is wrong."""
    try:
        return json.loads(data)
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply.") from None
    except UnicodeDecodeError:
        raise BadRequest("The JSON body is not valid UTF-8.") from None
    except ValueError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}.") from None
