"""Odoo's external API with the standard library: XML-RPC (``/xmlrpc/2/common`` for ``version``
and ``authenticate``, ``/xmlrpc/2/object`` for ``execute_kw``) or JSON-RPC (``/jsonrpc`` with
``{"service", "method", "args"}``), as the External API documentation describes them.

``OdooClient.execute(model, method, args, kwargs)`` authenticates once per process (the uid is
kept, and refreshed when Odoo stops accepting it), and raises an ``HTTPError`` for every failure:
Odoo's own faults through ``faults.http_error``, a connection refused or an answer that is not
Odoo's a 502, no answer within the timeout a 504. The API key goes to Odoo and nowhere else.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import ssl
import threading
import urllib.error
import urllib.request
import xmlrpc.client
from dataclasses import dataclass, field
from typing import Any

from coworks_ext import BadGateway, GatewayTimeout

from coworks import HTTPError, UnprocessableEntity

from .faults import ACCESS_DENIED, OdooFault, from_jsonrpc, from_xmlrpc, http_error

PROTOCOLS = ("jsonrpc", "xmlrpc")


@dataclass(frozen=True)
class Connection:
    url: str  # https://odoo.example.com, no trailing slash
    database: str
    user: str
    api_key: str = field(repr=False)
    protocol: str = "jsonrpc"
    timeout: float = 30.0
    ca_file: str | None = None

    def tls_context(self) -> ssl.SSLContext | None:
        return ssl.create_default_context(cafile=self.ca_file) if self.url.startswith("https:") else None


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class _SafeTransport(xmlrpc.client.SafeTransport):
    def __init__(self, timeout: float, context: ssl.SSLContext | None) -> None:
        super().__init__(context=context)
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


_ids = itertools.count(1)


def rpc(conn: Connection, service: str, method: str, *args: Any) -> Any:
    """One call of Odoo's RPC services; Odoo's faults come back as ``OdooFault``."""
    where = f"{conn.url} ({service}.{method})"
    try:
        if conn.protocol == "xmlrpc":
            _check_xml_text(args)
            transport: xmlrpc.client.Transport
            if conn.url.startswith("https:"):
                transport = _SafeTransport(conn.timeout, conn.tls_context())
            else:
                transport = _Transport(conn.timeout)
            proxy = xmlrpc.client.ServerProxy(f"{conn.url}/xmlrpc/2/{service}", transport=transport, allow_none=True)
            try:
                return getattr(proxy, method)(*args)
            except OverflowError:  # XML-RPC's <int> is 32 bits: the caller's number cannot travel
                raise UnprocessableEntity([{"field": "values", "location": "body",
                                            "message": "holds an integer beyond XML-RPC's 32 bits; send it "
                                                       "as a string or use ODOO_PROTOCOL=jsonrpc"}]) from None
            except xmlrpc.client.Fault as fault:
                raise from_xmlrpc(fault.faultCode, str(fault.faultString)) from None
            finally:
                proxy("close")()
        payload = {"jsonrpc": "2.0", "method": "call", "id": next(_ids),
                   "params": {"service": service, "method": method, "args": list(args)}}
        answer = post_json(conn, "/jsonrpc", payload)
        if not isinstance(answer, dict) or ("result" not in answer and "error" not in answer):
            raise BadGateway(f"{where} did not answer like Odoo's JSON-RPC.")
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {"message": str(answer["error"])}
            raise from_jsonrpc(error)
        return answer["result"]
    except (OdooFault, HTTPError):
        raise
    except xmlrpc.client.ProtocolError as exc:
        raise BadGateway(f"{conn.url} answered HTTP {exc.errcode} on /xmlrpc/2/{service}: check the URL setting.") \
            from None
    except TimeoutError:
        raise GatewayTimeout(f"Odoo at {conn.url} did not answer within {conn.timeout:g} s.") from None
    except (OSError, http.client.HTTPException, xmlrpc.client.ResponseError, ValueError) as exc:
        raise BadGateway(f"Odoo at {conn.url} cannot be reached: {_describe(exc)}.") from None


def post_json(conn: Connection, path: str, payload: Any, headers: dict[str, str] | None = None,
              answer_headers: dict[str, str] | None = None) -> Any:
    """POST JSON to Odoo and parse the answer; HTTP errors are 502s naming the status."""
    request = urllib.request.Request(conn.url + path, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with _opener(conn).open(request, timeout=conn.timeout) as response:
            body = response.read(50 * 1024 * 1024)
            if answer_headers is not None:
                answer_headers.update({k.lower(): v for k, v in response.headers.items()})
                answer_headers["set-cookie"] = "\n".join(response.headers.get_all("Set-Cookie") or [])
    except urllib.error.HTTPError as exc:
        raise BadGateway(f"{conn.url} answered HTTP {exc.code} on {path}: check the URL setting.") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise GatewayTimeout(f"Odoo at {conn.url} did not answer within {conn.timeout:g} s.") from None
        raise BadGateway(f"Odoo at {conn.url} cannot be reached: {_describe(exc.reason)}.") from None
    try:
        return json.loads(body)
    except ValueError:
        raise BadGateway(f"{conn.url}{path} did not answer with JSON: is the URL setting Odoo's?") from None


_XML_FORBIDDEN = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def _check_xml_text(value: Any) -> None:
    """XML 1.0 cannot carry control characters: refuse them here rather than get Odoo's parse error."""
    if isinstance(value, str):
        if not _XML_FORBIDDEN.isdisjoint(value):
            raise UnprocessableEntity([{"field": "values", "location": "body",
                                        "message": "holds a control character, which XML-RPC cannot carry; "
                                                   "remove it or use ODOO_PROTOCOL=jsonrpc"}])
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_xml_text(key)
            _check_xml_text(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_xml_text(item)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to read (Odoo sends /web/login), not to follow


def _opener(conn: Connection) -> urllib.request.OpenerDirector:
    handlers: list[Any] = [_NoRedirect()]
    context = conn.tls_context()
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


def _describe(exc: object) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "its host name does not resolve"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({exc.verify_message})"
    return f"{type(exc).__name__}: {exc}"[:300]


class OdooClient:
    """``execute_kw`` with a cached uid: what the service's entries call."""

    _uids: dict[tuple[str, str, str, str], int] = {}
    _lock = threading.Lock()

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @property
    def who(self) -> str:
        return f"user {self.conn.user!r} on database {self.conn.database!r}"

    def version(self) -> dict[str, Any]:
        try:
            answer = rpc(self.conn, "common", "version")
        except OdooFault as fault:
            raise http_error(fault, where="tell its version", who=self.who) from None
        return answer if isinstance(answer, dict) else {"server_version": str(answer)}

    def uid(self, fresh: bool = False) -> int:
        key = (self.conn.url, self.conn.database, self.conn.user, self.conn.api_key)
        with self._lock:
            uid = None if fresh else self._uids.get(key)
        if uid is None:
            try:
                answer = rpc(self.conn, "common", "authenticate", self.conn.database, self.conn.user,
                             self.conn.api_key, {})
            except OdooFault as fault:
                if fault.kind == ACCESS_DENIED or "database" in fault.message.lower():
                    raise BadGateway(f"Odoo refused to log in {self.who}: {fault.message[:200]}. "
                                     "Check the URL, DATABASE, USER and API_KEY settings.") from None
                raise http_error(fault, where="log in", who=self.who) from None
            if not isinstance(answer, int) or isinstance(answer, bool) or answer <= 0:
                raise BadGateway(f"Odoo refused to log in {self.who}: check the USER and API_KEY settings.")
            uid = answer
            with self._lock:
                self._uids[key] = uid
        return uid

    def execute(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None, *,
                where: str, field: str | None = None) -> Any:
        """``execute_kw(db, uid, key, model, method, args, kwargs)``; faults become HTTP answers."""
        for attempt in (0, 1):
            uid = self.uid(fresh=bool(attempt))
            try:
                return rpc(self.conn, "object", "execute_kw", self.conn.database, uid, self.conn.api_key, model,
                           method, args, kwargs or {})
            except OdooFault as fault:
                if fault.kind == ACCESS_DENIED and attempt == 0:
                    continue  # the key may have been rotated or the user recreated: log in again, once
                raise http_error(fault, where=where, field=field, who=self.who) from None
        raise AssertionError("unreachable")  # pragma: no cover
