"""A server on 127.0.0.1 that speaks the part of Odoo's external API the Odoo service uses, with
Odoo's request, response and fault shapes (kept here in tests/, never in the product):

- ``POST /xmlrpc/2/common``: ``version()``, ``authenticate(db, login, key, {})`` -> uid or False
- ``POST /xmlrpc/2/object``: ``execute_kw(db, uid, key, model, method, args, kwargs)``
- ``POST /jsonrpc``: ``{"jsonrpc": "2.0", "method": "call", "params": {"service", "method", "args"}}``
- ``POST /web/session/authenticate`` (a JSON route) and ``GET /report/pdf/<report>/<ids>``

Faults follow odoo/addons/base/controllers/rpc.py (``xmlrpc_handle_exception_int``: code 1 with the
traceback, 2 UserError and subclasses, 3 AccessDenied, 4 AccessError) and odoo/http.py
(``serialize_exception``: ``{"name", "message", "arguments", "context", "debug"}`` under a JSON-RPC
error of code 200; the HTTP dispatcher's 403/400/404 and redirect to /web/login).
Messages are Odoo's English ones (models.py, service/model.py, osv/expression.py).
"""

from __future__ import annotations

import functools
import json
import secrets
import threading
import traceback
import xmlrpc.client
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class UserError(Exception):
    pass


class MissingError(UserError):
    pass


class ValidationError(UserError):
    pass


class AccessError(Exception):
    pass


class AccessDenied(Exception):
    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


for _cls in (UserError, MissingError, ValidationError, AccessError, AccessDenied):
    _cls.__module__ = "odoo.exceptions"

DATABASE = "shop"
USERS = {"admin": (2, "admin-api-key-123"), "reader": (6, "reader-api-key-456")}
LABELS = {"res.partner": "Contact", "account.move": "Journal Entry"}
PDF = b"%PDF-1.7\n% coworks test report\n"


def _records() -> dict[str, dict[int, dict[str, Any]]]:
    return {
        "res.partner": {
            1: {"id": 1, "name": "Azure Interior", "email": "azure@example.com", "is_company": True, "city": "Fremont"},
            2: {"id": 2, "name": "Deco Addict", "email": "deco@example.com", "is_company": True, "city": "Paris"},
            3: {"id": 3, "name": "Ann Smith", "email": "ann@example.com", "is_company": False, "city": "Paris"},
            4: {"id": 4, "name": "Bob Stone", "email": False, "is_company": False, "city": "Lyon"},
        },
        "account.move": {7: {"id": 7, "name": "INV/2024/0007", "amount_total": 1250.0},
                         8: {"id": 8, "name": "INV/2024/0008", "amount_total": 99.5}},
    }


class OdooState:
    def __init__(self) -> None:
        self.records = _records()
        self.next_id = 100
        self.calls: list[tuple[str, str, str]] = []  # (login, model, method)
        self.authentications = 0
        self.sessions: dict[str, int] = {}
        self.lock = threading.Lock()

    # -- the ORM subset ------------------------------------------------------------------

    def execute_kw(self, db: str, uid: int, key: str, model: str, method: str, args: list[Any],
                   kwargs: dict[str, Any] | None = None) -> Any:
        if db != DATABASE:
            raise RuntimeError(f'FATAL:  database "{db}" does not exist')
        login = next((name for name, (u, k) in USERS.items() if u == uid and k == key), None)
        if login is None:
            raise AccessDenied()
        if method.startswith("_"):
            raise AccessError(f"Private methods (such as {model}.{method}) cannot be called remotely.")
        if model not in self.records:
            raise KeyError(model)
        kwargs = kwargs or {}
        self.calls.append((login, model, method))
        table = self.records[model]
        if method in ("create", "write", "unlink") and login == "reader":
            raise AccessError(f"You are not allowed to modify '{LABELS[model]}' ({model}) records.\n\n"
                              "This operation is allowed for the following groups:\n\t- Administration/Settings\n\n"
                              "Contact your administrator to request access if necessary.")
        with self.lock:
            if method == "search_read":
                found = self._search(model, args[0] if args else kwargs.get("domain", []), kwargs)
                return [self._fields(r, kwargs.get("fields")) for r in found]
            if method == "search":
                return [r["id"] for r in self._search(model, args[0], kwargs)]
            if method == "search_count":
                return len(self._search(model, args[0], {}))
            if method == "read":
                ids = args[0]
                self._exist(model, ids, uid)
                return [self._fields(table[i], kwargs.get("fields") or (args[1] if len(args) > 1 else None))
                        for i in ids]
            if method == "create":
                values_list = args[0] if isinstance(args[0], list) else [args[0]]
                created = []
                for values in values_list:
                    self._validate(model, values)
                    self.next_id += 1
                    table[self.next_id] = {"id": self.next_id, "name": False, "email": False, "is_company": False,
                                           "city": False, **_stored(values)}
                    created.append(self.next_id)
                return created if isinstance(args[0], list) else created[0]
            if method == "write":
                ids, values = args[0], args[1]
                self._exist(model, ids, uid)
                self._validate(model, values)
                for i in ids:
                    table[i].update(_stored(values))
                return True
            if method == "unlink":
                self._exist(model, args[0], uid)
                for i in args[0]:
                    del table[i]
                return True
            if method == "check_access_rights":
                allowed = args[0] == "read" or login == "admin"
                if not allowed and kwargs.get("raise_exception", True):
                    raise AccessError(f"You are not allowed to modify '{LABELS[model]}' ({model}) records.")
                return allowed
            if method == "name_search":
                name = args[0] if args else kwargs.get("name", "")
                return [[r["id"], r["name"]] for r in table.values() if str(name).lower() in str(r["name"]).lower()]
        raise AttributeError(f"The method '{model}.{method}' does not exist")

    def _exist(self, model: str, ids: list[int], uid: int) -> None:
        missing = [i for i in ids if i not in self.records[model]]
        if missing:
            raise MissingError("Record does not exist or has been deleted.\n"
                               f"(Record: {model}({', '.join(map(str, missing))},), User: {uid})")

    def _validate(self, model: str, values: dict[str, Any]) -> None:
        types: dict[str, Any] = {"name": str, "email": str, "city": str, "is_company": bool,
                                 "amount_total": (int, float)}
        for name, value in values.items():
            if name not in types:
                raise ValueError(f"Invalid field '{name}' on model '{model}'")
            if value not in (None, False) and not isinstance(value, types[name]):  # fields.py convert_to_cache
                raise ValueError(f"Wrong value for {model}.{name}: {value!r}")
        email = values.get("email")
        if email not in (None, False) and "@" not in str(email):
            raise ValidationError(f"Invalid email address {email!r} for contact {values.get('name', '')!r}.")

    def _fields(self, record: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
        if not fields:
            return dict(record)
        return {"id": record["id"], **{f: record[f] for f in fields if f in record}}

    def _search(self, model: str, domain: list[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [r for r in self.records[model].values() if self._match(model, list(domain), r)]
        order = kwargs.get("order")
        if order:
            for term in reversed(order.split(",")):
                name, _, direction = term.strip().partition(" ")
                if name not in ("id", "name", "email", "city", "is_company", "amount_total"):
                    raise ValueError(f"Invalid \"order\" specified ({order}). A valid \"order\" specification is a "
                                     "comma-separated list of valid field names (optionally followed by asc/desc "
                                     "for the direction)")
                rows.sort(key=functools.partial(_sort_key, name), reverse=direction.lower() == "desc")
        else:
            rows.sort(key=lambda r: r["id"])
        offset = kwargs.get("offset") or 0
        limit = kwargs.get("limit")
        return rows[offset:offset + limit if limit else None]

    def _match(self, model: str, domain: list[Any], record: dict[str, Any]) -> bool:
        def term(stack: list[Any]) -> bool:
            item = stack.pop(0)
            if item == "!":
                return not term(stack)
            if item in ("&", "|"):
                left, right = term(stack), term(stack)
                return (left and right) if item == "&" else (left or right)
            if not isinstance(item, (list, tuple)) or len(item) != 3:
                raise ValueError(f"Invalid leaf {item!r}")
            name, operator, value = item
            if (name, operator, value) in ((1, "=", 1), (0, "=", 1)):
                return name == 1
            if name not in record:
                raise ValueError(f"Invalid field {model}.{name} in leaf {tuple(item)!r}")
            actual = record[name]
            ops: dict[str, Callable[[Any, Any], bool]] = {
                "=": lambda a, v: bool(a == v), "!=": lambda a, v: bool(a != v), "in": lambda a, v: a in v,
                "not in": lambda a, v: a not in v, "ilike": lambda a, v: str(v).lower() in str(a).lower(),
                "like": lambda a, v: str(v) in str(a), ">": lambda a, v: bool(a > v), "<": lambda a, v: bool(a < v),
                ">=": lambda a, v: bool(a >= v), "<=": lambda a, v: bool(a <= v)}
            if operator not in ops:
                raise ValueError(f"Invalid leaf {tuple(item)!r}")
            return ops[operator](actual, value)

        stack = list(domain)
        result = True
        while stack:
            result = term(stack) and result
        return result


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """As the ORM stores them: an empty value (None, NULL in the database) reads back as False."""
    return {k: False if v is None else v for k, v in values.items()}


def _sort_key(name: str, record: dict[str, Any]) -> tuple[bool, str]:
    return record[name] is False, str(record[name])


def _json_error(exc: BaseException) -> dict[str, Any]:
    name = type(exc).__name__
    module = type(exc).__module__
    return {"code": 200, "message": "Odoo Server Error", "data": {
        "name": f"{module}.{name}" if module else name, "message": str(exc.args[0]) if exc.args else "",
        "arguments": list(exc.args), "context": {}, "debug": "".join(traceback.format_exception(exc))}}


def _xml_fault(exc: BaseException) -> xmlrpc.client.Fault:
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, str(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(2, str(exc))
    return xmlrpc.client.Fault(1, "".join(traceback.format_exception(exc)))


class OdooServer:
    def __init__(self) -> None:
        self.state = OdooState()
        state = self.state

        def common(method: str, args: list[Any]) -> Any:
            if method == "version":
                return {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""],
                        "server_serie": "17.0", "protocol_version": 1}
            if method in ("authenticate", "login"):
                state.authentications += 1
                db, login, key = args[0], args[1], args[2]
                if db != DATABASE:
                    raise RuntimeError(f'FATAL:  database "{db}" does not exist')
                uid, expected = USERS.get(login, (0, None))
                return uid if key == expected else False
            raise AttributeError(f"Method not available {method}")

        def dispatch(service: str, method: str, args: list[Any]) -> Any:
            if service == "common":
                return common(method, args)
            if service == "object" and method == "execute_kw":
                return state.execute_kw(*args)
            raise KeyError(service)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path not in ("/xmlrpc/2/common", "/xmlrpc/2/object", "/jsonrpc", "/web/session/authenticate"):
                    self._send(404, b"<h1>Not Found</h1>", "text/html")
                    return
                if self.path.startswith("/xmlrpc/2/"):
                    try:
                        params, method = xmlrpc.client.loads(data)
                        result = dispatch(self.path.rsplit("/", 1)[-1], str(method), list(params))
                        body = xmlrpc.client.dumps((result,), methodresponse=True)
                    except Exception as exc:
                        body = xmlrpc.client.dumps(_xml_fault(exc))
                    self._send(200, body.encode(), "text/xml")
                    return
                request = json.loads(data)
                if self.path == "/jsonrpc":
                    p = request["params"]
                    try:
                        answer = {"jsonrpc": "2.0", "id": request.get("id"),
                                  "result": dispatch(p["service"], p["method"], p["args"])}
                    except Exception as exc:
                        answer = {"jsonrpc": "2.0", "id": request.get("id"), "error": _json_error(exc)}
                    self._send(200, json.dumps(answer).encode(), "application/json")
                elif self.path == "/web/session/authenticate":
                    p = request["params"]
                    uid, expected = USERS.get(p.get("login"), (0, None))
                    if p.get("db") != DATABASE or p.get("password") != expected:
                        answer = {"jsonrpc": "2.0", "id": request.get("id"), "error": _json_error(AccessDenied())}
                        self._send(200, json.dumps(answer).encode(), "application/json")
                        return
                    sid = secrets.token_hex(20)
                    state.sessions[sid] = uid
                    answer = {"jsonrpc": "2.0", "id": request.get("id"), "result": {"uid": uid, "db": DATABASE}}
                    self._send(200, json.dumps(answer).encode(), "application/json",
                               {"Set-Cookie": f"session_id={sid}; Expires=Sat, 01 Jan 2050 00:00:00 GMT; "
                                              "HttpOnly; Path=/"})
                else:
                    self._send(404, b"<h1>Not Found</h1>", "text/html")

            def do_GET(self) -> None:  # noqa: N802
                if not self.path.startswith("/report/pdf/"):
                    self._send(404, b"<h1>Not Found</h1>", "text/html")
                    return
                cookie = self.headers.get("Cookie", "")
                sid = cookie.partition("session_id=")[2].split(";", 1)[0]
                uid = state.sessions.get(sid)
                if uid is None:
                    self._send(303, b"", "text/html", {"Location": "/web/login?redirect=" + self.path})
                    return
                report_name, _, ids = self.path[len("/report/pdf/"):].partition("/")
                if report_name != "account.report_invoice":
                    self._send(404, b"<h1>Not Found</h1>", "text/html")
                elif uid == USERS["reader"][0]:
                    self._send(403, b"<h1>Forbidden</h1>", "text/html")
                elif not all(int(i) in state.records["account.move"] for i in ids.split(",")):
                    self._send(400, b"<h1>Bad Request</h1><p>Record does not exist or has been deleted.</p>",
                               "text/html")
                else:
                    self._send(200, PDF + f"% invoices {ids}\n%%EOF".encode(), "application/pdf")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
