"""Odoo's errors, as its external API reports them, and the HTTP answers they become.

Shapes from Odoo's own code (odoo/addons/base/controllers/rpc.py, odoo/http.py):

- XML-RPC ``/xmlrpc/2/*`` faults carry an int ``faultCode``: 1 application error (the
  ``faultString`` is a traceback), 2 warning (``UserError`` and its subclasses ``MissingError``
  and ``ValidationError``), 3 ``AccessDenied`` (bad login or key), 4 ``AccessError`` (rights).
- JSON-RPC ``/jsonrpc`` errors are ``{"code": 200, "message": "Odoo Server Error", "data":
  {"name": "odoo.exceptions.AccessError", "message": ..., "arguments": [...], "debug": traceback}}``.

Both become one ``OdooFault(kind, message)``; ``http_error`` turns it into the answer the caller
can act on, never a traceback: 403 rights, 404 missing record or model, 422 a refused value or a bad
domain, 502 Odoo refusing our credentials or failing on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coworks_ext import BadGateway

from coworks import Forbidden, HTTPError, NotFound, UnprocessableEntity

ACCESS_DENIED, ACCESS_ERROR, MISSING, VALIDATION, USER_ERROR, BAD_VALUE, NO_MODEL, NO_METHOD, APPLICATION = (
    "access_denied", "access_error", "missing", "validation", "user_error", "bad_value", "no_model", "no_method",
    "application")
_BY_NAME = {
    "odoo.exceptions.AccessDenied": ACCESS_DENIED,
    "odoo.exceptions.AccessError": ACCESS_ERROR,
    "odoo.exceptions.MissingError": MISSING,
    "odoo.exceptions.ValidationError": VALIDATION,
    "odoo.exceptions.UserError": USER_ERROR,
    "odoo.exceptions.RedirectWarning": USER_ERROR,
    "builtins.ValueError": BAD_VALUE,
    "ValueError": BAD_VALUE,
}
# MissingError's text in Odoo's models.py; over XML-RPC it shares faultCode 2 with every UserError.
_MISSING_TEXT = "Record does not exist or has been deleted"
_LAST_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")


@dataclass
class OdooFault(Exception):
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def from_xmlrpc(code: object, text: str) -> OdooFault:
    if code == 3:
        return OdooFault(ACCESS_DENIED, text.strip() or "Access Denied")
    if code == 4:
        return OdooFault(ACCESS_ERROR, text.strip())
    if code == 2:
        return OdooFault(MISSING if _MISSING_TEXT in text else USER_ERROR, text.strip())
    return _from_traceback(text)


def from_jsonrpc(error: dict[str, object]) -> OdooFault:
    data = error.get("data") if isinstance(error.get("data"), dict) else {}
    name = str(data.get("name", "")) if isinstance(data, dict) else ""
    message = str(data.get("message", "") if isinstance(data, dict) else "") or str(error.get("message", ""))
    kind = _BY_NAME.get(name)
    if kind is not None:
        return OdooFault(kind, message.strip())
    if name in ("builtins.KeyError", "KeyError"):
        return OdooFault(NO_MODEL, message.strip().strip("'\""))
    if name in ("builtins.AttributeError", "AttributeError") and "does not exist" in message:
        return OdooFault(NO_METHOD, message.strip())
    return OdooFault(APPLICATION, f"{name.rsplit('.', 1)[-1] or 'error'}: {message}".strip())


def _from_traceback(text: str) -> OdooFault:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "error"
    match = _LAST_LINE.match(last)
    kind_name = match.group("type") if match else ""
    message = (match.group("message") or "") if match else last
    if kind_name.endswith("ValueError"):
        return OdooFault(BAD_VALUE, message)
    if kind_name.endswith("KeyError"):
        return OdooFault(NO_MODEL, message.strip("'\""))
    if kind_name.endswith("AttributeError") and "does not exist" in message:
        return OdooFault(NO_METHOD, message)
    return OdooFault(APPLICATION, last[:300])


def http_error(fault: OdooFault, *, where: str, field: str | None = None, who: str = "") -> HTTPError:
    """The answer for ``fault`` raised while doing ``where`` (``"search res.partner"``)."""
    message = " ".join(fault.message.split())[:500]
    if fault.kind == ACCESS_DENIED:
        return BadGateway(f"Odoo refused the credentials of {who} ({message}): check the USER and API_KEY settings.")
    if fault.kind == ACCESS_ERROR:
        return Forbidden(f"Odoo does not let {who} {where}: {message}")
    if fault.kind == MISSING:
        return NotFound(f"Odoo has no such record for {where}: {message}")
    if fault.kind == NO_MODEL:
        return NotFound(f"Odoo has no model {message} ({where}).")
    if fault.kind == NO_METHOD:
        return NotFound(f"Odoo has no such method ({where}): {message}")
    if fault.kind in (VALIDATION, USER_ERROR, BAD_VALUE):
        errors = [{"field": field or "values", "location": "body", "message": message}]
        return UnprocessableEntity(errors, f"Odoo refused to {where}: {message}")
    return BadGateway(f"Odoo failed to {where}: {message}")
