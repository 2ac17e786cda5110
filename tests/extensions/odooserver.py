"""A server on 127.0.0.1 that speaks the part of Odoo's external API the Odoo service uses, with
Odoo's request, response and fault shapes (kept here in tests/, never in the product):

- ``POST /xmlrpc/2/common``: ``version()``, ``authenticate(db, login, key, {})`` -> uid or False
- ``POST /xmlrpc/2/object``: ``execute_kw(db, uid, key, model, method, args, kwargs)``
- ``POST /jsonrpc``: ``{"jsonrpc": "2.0", "method": "call", "params": {"service", "method", "args"}}``
- ``POST /web/session/authenticate`` (a JSON route) and ``GET /report/pdf/<report>/<ids>``

Models: ``res.partner``; ``sale.order``; ``account.move`` (invoices) with its ``account.move.line``
lines, created with Odoo's x2many commands (``[[0, 0, {values}]]``); many2one fields read back as
``[id, display_name]`` (models.py ``convert_to_read``). Methods: the CRUD ones, ``name_search``,
``check_access_rights``, ``read_group(domain, fields, groupby, offset, limit, orderby, lazy)`` with
``field:sum`` aggregates and the ``<groupby>_count`` key, and ``account.move.action_post`` (the
checks and messages of account_move.py ``_post``: a customer and a line are required, an entry is
posted once; posting names it from the sequence and dates it). Odoo computes a sale order's
``invoice_status`` from the invoice lines linked to its order lines; an invoice made with one line
for the whole order is not linked, so this server lets ``invoice_status`` be written, as a workflow
that marks the order itself does (on a real Odoo, point it at a field of yours).

``go_down(on=(model, method), after=k, refusals=n)``: once ``k`` calls of that method went through,
every request is answered 502 by the reverse proxy in front of Odoo (what nginx says when Odoo is
down) until ``n`` calls of it were refused; ``go_down()`` alone is down now, until ``come_back()``.

Faults follow odoo/addons/base/controllers/rpc.py (``xmlrpc_handle_exception_int``: code 1 with the
traceback, 2 UserError and subclasses, 3 AccessDenied, 4 AccessError) and odoo/http.py
(``serialize_exception``: ``{"name", "message", "arguments", "context", "debug"}`` under a JSON-RPC
error of code 200; the HTTP dispatcher's 403/400/404 and redirect to /web/login).
Messages are Odoo's English ones (models.py, service/model.py, osv/expression.py).
"""

from __future__ import annotations

import datetime
import functools
import json
import secrets
import threading
import traceback
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
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
LABELS = {"res.partner": "Contact", "account.move": "Journal Entry", "account.move.line": "Journal Item",
          "sale.order": "Sales Order"}
PDF = b"%PDF-1.7\n% coworks test report\n"
BAD_GATEWAY = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
               b"</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


@dataclass(frozen=True)
class Many2one:
    comodel: str


@dataclass(frozen=True)
class One2many:
    comodel: str
    inverse: str


NUMBER = (int, float)
DATE, DATETIME = "date", "datetime"
#: Each model's fields and their types (a type, a tuple of types, a selection, DATE/DATETIME or a relation).
FIELDS: dict[str, dict[str, Any]] = {
    "res.partner": {"name": str, "email": str, "city": str, "is_company": bool},
    "sale.order": {"name": str, "partner_id": Many2one("res.partner"), "date_order": DATETIME,
                   "amount_total": NUMBER, "state": frozenset({"draft", "sent", "sale", "done", "cancel"}),
                   "invoice_status": frozenset({"upselling", "invoiced", "to invoice", "no"}),
                   "client_order_ref": str},
    "account.move": {"name": str, "move_type": frozenset({"entry", "out_invoice", "out_refund", "in_invoice",
                                                          "in_refund"}),
                     "partner_id": Many2one("res.partner"), "invoice_origin": str, "ref": str,
                     "state": frozenset({"draft", "posted", "cancel"}),
                     "payment_state": frozenset({"not_paid", "in_payment", "paid", "partial", "reversed"}),
                     "is_move_sent": bool, "invoice_date": DATE, "invoice_date_due": DATE,
                     "amount_total": NUMBER, "amount_residual": NUMBER,
                     "invoice_line_ids": One2many("account.move.line", "move_id")},
    "account.move.line": {"name": str, "move_id": Many2one("account.move"), "quantity": NUMBER,
                          "price_unit": NUMBER, "price_subtotal": NUMBER},
}
#: What a new record holds before its values (the fields' defaults).
DEFAULTS: dict[str, dict[str, Any]] = {
    "res.partner": {"name": False, "email": False, "is_company": False, "city": False},
    "sale.order": {"name": "New", "partner_id": False, "date_order": False, "amount_total": 0.0, "state": "draft",
                   "invoice_status": "no", "client_order_ref": False},
    "account.move": {"name": "/", "move_type": "entry", "partner_id": False, "invoice_origin": False, "ref": False,
                     "state": "draft", "payment_state": "not_paid", "is_move_sent": False, "invoice_date": False,
                     "invoice_date_due": False, "amount_total": 0.0, "amount_residual": 0.0, "invoice_line_ids": []},
    "account.move.line": {"name": False, "move_id": False, "quantity": 1.0, "price_unit": 0.0, "price_subtotal": 0.0},
}
AGGREGATES: dict[str, Callable[[list[Any]], Any]] = {
    "sum": lambda values: sum(v for v in values if v is not False), "count": len,
    "max": lambda values: max(values, default=False), "min": lambda values: min(values, default=False),
    "avg": lambda values: sum(values) / len(values) if values else False,
}


def _records() -> dict[str, dict[int, dict[str, Any]]]:
    invoice = {**DEFAULTS["account.move"], "move_type": "out_invoice", "state": "posted", "is_move_sent": True}
    order = {**DEFAULTS["sale.order"], "state": "sale", "invoice_status": "to invoice"}
    return {
        "res.partner": {
            1: {"id": 1, "name": "Azure Interior", "email": "azure@example.com", "is_company": True, "city": "Fremont"},
            2: {"id": 2, "name": "Deco Addict", "email": "deco@example.com", "is_company": True, "city": "Paris"},
            3: {"id": 3, "name": "Ann Smith", "email": "ann@example.com", "is_company": False, "city": "Paris"},
            4: {"id": 4, "name": "Bob Stone", "email": False, "is_company": False, "city": "Lyon"},
        },
        "account.move": {
            7: {**invoice, "id": 7, "name": "INV/2024/0007", "partner_id": 1, "amount_total": 1250.0,
                "amount_residual": 1250.0, "invoice_date": "2024-01-15", "invoice_date_due": "2024-02-14",
                "invoice_line_ids": [1]},
            8: {**invoice, "id": 8, "name": "INV/2024/0008", "partner_id": 3, "amount_total": 99.5,
                "amount_residual": 99.5, "invoice_date": "2024-02-28", "invoice_date_due": "2024-03-29",
                "invoice_origin": "S00004", "invoice_line_ids": [2]},
            9: {**invoice, "id": 9, "name": "INV/2024/0009", "partner_id": 2, "amount_total": 300.0,
                "amount_residual": 0.0, "payment_state": "paid", "invoice_date": "2024-02-01",
                "invoice_date_due": "2024-02-10", "invoice_line_ids": [3]},
        },
        "account.move.line": {
            1: {"id": 1, "name": "Office design", "move_id": 7, "quantity": 1.0, "price_unit": 1250.0,
                "price_subtotal": 1250.0},
            2: {"id": 2, "name": "Order S00004", "move_id": 8, "quantity": 1.0, "price_unit": 99.5,
                "price_subtotal": 99.5},
            3: {"id": 3, "name": "Chairs", "move_id": 9, "quantity": 4.0, "price_unit": 75.0, "price_subtotal": 300.0},
        },
        "sale.order": {
            1: {**order, "id": 1, "name": "S00001", "partner_id": 3, "date_order": "2024-03-01 09:15:00",
                "amount_total": 1250.0},
            2: {**order, "id": 2, "name": "S00002", "partner_id": 2, "date_order": "2024-03-01 10:40:00",
                "amount_total": 480.0},
            3: {**order, "id": 3, "name": "S00003", "partner_id": 1, "date_order": "2024-03-01 14:05:00",
                "amount_total": 99.5},
            4: {**order, "id": 4, "name": "S00004", "partner_id": 3, "date_order": "2024-02-28 16:00:00",
                "amount_total": 99.5, "invoice_status": "invoiced"},
            5: {**order, "id": 5, "name": "S00005", "partner_id": 2, "date_order": "2024-03-01 17:30:00",
                "amount_total": 2000.0, "state": "draft", "invoice_status": "no"},
        },
    }


@dataclass
class Outage:
    """Odoo down behind its proxy: from a call of ``trigger`` (now when None), once ``after`` calls
    of it went through, until ``refusals`` calls of it were refused (for ever when None)."""

    trigger: tuple[str, str] | None
    refusals: int | None
    after: int = 0
    started: bool = False


class OdooState:
    def __init__(self, today: str | None = None) -> None:
        self.records = _records()
        self.next_id = 100
        self.today = today or datetime.date.today().isoformat()
        self.calls: list[tuple[str, str, str]] = []  # (login, model, method)
        self.refused: list[tuple[str, str]] = []  # (model, method) of the calls the outage refused
        self.outage: Outage | None = None
        self.authentications = 0
        self.sessions: dict[str, int] = {}
        self.lock = threading.Lock()

    def refuses(self, model: str | None = None, method: str | None = None) -> bool:
        """Whether the proxy answers 502 to this request (an ``execute_kw`` of ``model.method``, or any other)."""
        with self.lock:
            outage = self.outage
            if outage is None:
                return False
            call = (model, method) if model is not None and method is not None else None
            if not outage.started:
                if outage.trigger is not None and call != outage.trigger:
                    return False
                if outage.after > 0:
                    outage.after -= 1
                    return False
                outage.started = True
            if call is not None:
                self.refused.append(call)
            if outage.refusals is not None and call == outage.trigger:
                outage.refusals -= 1
                if outage.refusals <= 0:
                    self.outage = None
            return True

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
        if method in ("create", "write", "unlink", "action_post") and login == "reader":
            raise AccessError(f"You are not allowed to modify '{LABELS[model]}' ({model}) records.\n\n"
                              "This operation is allowed for the following groups:\n\t- Administration/Settings\n\n"
                              "Contact your administrator to request access if necessary.")
        with self.lock:
            if method == "search_read":
                found = self._search(model, args[0] if args else kwargs.get("domain", []), kwargs)
                return [self._read(model, r, kwargs.get("fields")) for r in found]
            if method == "search":
                return [r["id"] for r in self._search(model, args[0], kwargs)]
            if method == "search_count":
                return len(self._search(model, args[0], {}))
            if method == "read":
                ids = args[0]
                self._exist(model, ids, uid)
                return [self._read(model, table[i], kwargs.get("fields") or (args[1] if len(args) > 1 else None))
                        for i in ids]
            if method == "create":
                values_list = args[0] if isinstance(args[0], list) else [args[0]]
                created = [self._create(model, values) for values in values_list]
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
            if method == "read_group":
                return self._read_group(model, *args, **kwargs)
            if method == "action_post" and model == "account.move":
                self._exist(model, args[0], uid)
                self._post(args[0])
                return False
        raise AttributeError(f"The method '{model}.{method}' does not exist")

    def _exist(self, model: str, ids: list[int], uid: int) -> None:
        missing = [i for i in ids if i not in self.records[model]]
        if missing:
            raise MissingError("Record does not exist or has been deleted.\n"
                               f"(Record: {model}({', '.join(map(str, missing))},), User: {uid})")

    def _create(self, model: str, values: dict[str, Any]) -> int:
        self._validate(model, values)
        self.next_id += 1
        record_id = self.next_id
        record = {"id": record_id, **DEFAULTS[model], **_stored(values)}
        self.records[model][record_id] = record
        for name, kind in FIELDS[model].items():
            if isinstance(kind, One2many) and name in values:
                record[name] = [self._create(kind.comodel, {**command[2], kind.inverse: record_id})
                                for command in values[name] or []]
        if model == "account.move.line":
            record["price_subtotal"] = record["quantity"] * record["price_unit"]
        if model == "account.move" and record["invoice_line_ids"]:  # computed from the lines, as Odoo does
            lines = self.records["account.move.line"]
            record["amount_total"] = sum(lines[i]["price_subtotal"] for i in record["invoice_line_ids"])
        return record_id

    def _post(self, ids: list[int]) -> None:
        """account_move.py ``_post``: its checks and messages, then the sequence and the dates."""
        moves = [self.records["account.move"][i] for i in ids]
        for move in moves:
            if move["state"] == "posted":
                raise UserError(f"The entry {move['name']} (id {move['id']}) is already posted.")
            if move["move_type"] != "entry" and not move["partner_id"]:
                raise UserError("The field 'Customer' is required, please complete it to validate the "
                                "Customer Invoice.")
            if not move["invoice_line_ids"]:
                raise UserError("You need to add a line before posting.")
        for move in moves:
            day = move["invoice_date"] or self.today
            year = day[:4]
            if move["name"] in ("/", False):
                numbers = [int(m["name"].rsplit("/", 1)[1]) for m in self.records["account.move"].values()
                           if str(m["name"]).startswith(f"INV/{year}/")]
                move["name"] = f"INV/{year}/{max(numbers, default=0) + 1:04d}"
            move.update(state="posted", invoice_date=day, invoice_date_due=move["invoice_date_due"] or day,
                        amount_residual=move["amount_total"])

    def _read_group(self, model: str, domain: list[Any], fields: list[str], groupby: list[str] | str,
                    offset: int = 0, limit: int | None = None, orderby: str | bool = False,
                    lazy: bool = True) -> list[dict[str, Any]]:
        """models.py ``read_group``: one row per value of the (first, when lazy) groupby field, with its
        ``<field>_count`` (``__count`` without a groupby) and each ``field:aggregate`` of ``fields``."""
        groups = [groupby] if isinstance(groupby, str) else list(groupby)
        if groups and lazy:
            groups = groups[:1]
        specs: list[tuple[str, str, str]] = []  # (the result key, the field, the aggregate)
        for spec in fields:
            name, _, aggregate = str(spec).partition(":")
            if name in groups or name == "__count":
                continue
            kind = FIELDS[model].get(name)
            if kind is None:
                raise ValueError(f"Invalid field {name!r} on model {model!r}")
            aggregate = aggregate or ("sum" if kind is NUMBER else "")
            if aggregate not in AGGREGATES:
                raise ValueError(f"Invalid aggregation function {aggregate!r}.")
            specs.append((name, name, aggregate))
        for name in groups:
            if name not in FIELDS[model]:
                raise ValueError(f"Invalid field {name!r} on model {model!r}")
        rows: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for record in self._search(model, domain, {}):
            rows.setdefault(tuple(_key(record[g]) for g in groups), []).append(record)
        result = []
        for key, records in rows.items():
            row: dict[str, Any] = {}
            for name, value in zip(groups, key, strict=True):
                row[name] = self._value(model, name, value)
            row[f"{groups[0]}_count" if groups else "__count"] = len(records)
            for out, name, aggregate in specs:
                row[out] = AGGREGATES[aggregate]([r[name] for r in records])
            row["__domain"] = [*[[g, "=", v] for g, v in zip(groups, key, strict=True)], *domain]
            result.append(row)
        if not groups and not result:
            result.append({"__count": 0, **{out: False for out, _, _ in specs}, "__domain": domain})
        for term in reversed(str(orderby).split(",") if orderby else []):
            name, _, direction = term.strip().partition(" ")
            if result and name not in result[0]:
                raise ValueError(f"Invalid \"orderby\" specified ({orderby}).")
            result.sort(key=functools.partial(_group_key, name), reverse=direction.lower() == "desc")
        return result[offset:offset + limit if limit else None]

    def _validate(self, model: str, values: dict[str, Any]) -> None:
        types = FIELDS[model]
        for name, value in values.items():
            if name not in types:
                raise ValueError(f"Invalid field '{name}' on model '{model}'")
            kind = types[name]
            if value in (None, False):
                continue
            if isinstance(kind, Many2one):
                if type(value) is not int:
                    raise ValueError(f"Wrong value for {model}.{name}: {value!r}")
                if value not in self.records[kind.comodel]:  # the foreign key, as service/model.py words it
                    raise ValidationError("The operation cannot be completed: another model requires the "
                                          "record being deleted. If possible, archive it instead.\n\n"
                                          f"Model: {LABELS[kind.comodel]} ({kind.comodel}), Field: {name}")
            elif isinstance(kind, One2many):
                if not isinstance(value, list) or not all(
                        isinstance(c, list) and len(c) == 3 and c[0] == 0 and isinstance(c[2], dict) for c in value):
                    raise ValueError(f"Wrong value for {model}.{name}: {value!r} (give [[0, 0, {{values}}]])")
                for command in value:  # the inverse field is set by the create
                    self._validate(kind.comodel, {k: v for k, v in command[2].items() if k != kind.inverse})
            elif isinstance(kind, frozenset):
                if value not in kind:
                    raise ValueError(f"Wrong value for {model}.{name}: {value!r}")
            elif kind in (DATE, DATETIME):
                try:
                    parsed = datetime.datetime.fromisoformat(value) if isinstance(value, str) else None
                except ValueError:
                    parsed = None
                if parsed is None:
                    raise ValueError(f"Invalid {kind} value {value!r} for {model}.{name}")
            elif not isinstance(value, kind) or (kind is NUMBER and isinstance(value, bool)):
                raise ValueError(f"Wrong value for {model}.{name}: {value!r}")  # fields.py convert_to_cache
        email = values.get("email")
        if email not in (None, False) and "@" not in str(email):
            raise ValidationError(f"Invalid email address {email!r} for contact {values.get('name', '')!r}.")

    def _value(self, model: str, name: str, value: Any) -> Any:
        """A stored value as ``read`` gives it: a many2one as ``[id, display_name]``."""
        kind = FIELDS[model].get(name)
        if isinstance(kind, Many2one) and value:
            target = self.records[kind.comodel].get(value)
            return [value, target["name"] if target else ""]
        return list(value) if isinstance(value, list) else value

    def _read(self, model: str, record: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
        names = [f for f in fields if f in record] if fields else [f for f in record if f != "id"]
        return {"id": record["id"], **{f: self._value(model, f, record[f]) for f in names}}

    def _search(self, model: str, domain: list[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [r for r in self.records[model].values() if self._match(model, list(domain), r)]
        order = kwargs.get("order")
        if order:
            for term in reversed(order.split(",")):
                name, _, direction = term.strip().partition(" ")
                if name != "id" and name not in FIELDS[model]:
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


def _sort_key(name: str, record: dict[str, Any]) -> tuple[bool, Any]:
    value = record[name]
    return value is False, (0, value) if isinstance(value, (int, float)) else (1, str(value))


def _group_key(name: str, row: dict[str, Any]) -> tuple[bool, Any]:
    return _sort_key(name, {name: _key(row[name])})


def _key(value: Any) -> Any:
    """A stored value as a dict key (x2many ids are lists)."""
    return tuple(value) if isinstance(value, list) else value


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
    """``OdooServer(today="2024-03-01")``: ``.url``, ``.state`` (records, calls), ``go_down()``, ``stop()``."""

    def __init__(self, today: str | None = None) -> None:
        self.state = OdooState(today)
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
                if state.refuses(*_called(self.path, data)):
                    self._send(502, BAD_GATEWAY, "text/html")
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
                if state.refuses():
                    self._send(502, BAD_GATEWAY, "text/html")
                    return
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

    def go_down(self, on: tuple[str, str] | None = None, *, after: int = 0, refusals: int | None = None) -> None:
        """Down now, or at a call of ``on`` (model, method) once ``after`` calls of it went through;
        up again after ``refusals`` calls of it were refused, or at ``come_back()``."""
        with self.state.lock:
            self.state.outage = Outage(on, refusals, after)

    def come_back(self) -> None:
        with self.state.lock:
            self.state.outage = None

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _called(path: str, data: bytes) -> tuple[str | None, str | None]:
    """The (model, method) an ``execute_kw`` request calls; (None, None) for any other request."""
    try:
        if path == "/xmlrpc/2/object":
            params, method = xmlrpc.client.loads(data)
            return (str(params[3]), str(params[4])) if method == "execute_kw" and len(params) > 4 else (None, None)
        if path == "/jsonrpc":
            p = json.loads(data)["params"]
            if p.get("service") == "object" and p.get("method") == "execute_kw" and len(p["args"]) > 4:
                return str(p["args"][3]), str(p["args"][4])
    except Exception:  # a malformed request: the dispatcher answers it
        pass
    return None, None
