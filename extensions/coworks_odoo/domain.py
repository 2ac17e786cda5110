"""Checking what a caller gives before Odoo sees it: domains, field lists, orders, names.

A domain is Odoo's Polish-notation filter (ORM reference, "Search domains"): a list of leaves
``[field, operator, value]`` and the operators ``'&'`` (and), ``'|'`` (or), ``'!'`` (not), each
applying to the terms after it; leaves side by side are and-ed. A mistake is a 422 naming the
item (``domain.2``) instead of a traceback from Odoo's expression parser.
"""

from __future__ import annotations

import re
from typing import Any

from coworks import UnprocessableEntity

OPERATORS = frozenset({"=", "!=", "<>", "<", "<=", ">", ">=", "=?", "=like", "=ilike", "like", "not like",
                       "ilike", "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any"})
MODEL = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
FIELD = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*$")
METHOD = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
REPORT = re.compile(r"^[a-z0-9_]+\.[a-zA-Z0-9_.]+$")
_ORDER_TERM = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.]*(\s+(asc|desc))?(\s+nulls\s+(first|last))?$", re.IGNORECASE)


def _bad(field: str, message: str) -> UnprocessableEntity:
    return UnprocessableEntity([{"field": field, "location": "body", "message": message}])


def check_domain(domain: Any, field: str = "domain") -> list[Any]:
    """The domain as Odoo takes it (leaves as lists), or a 422 naming the bad item."""
    if not isinstance(domain, list):
        raise _bad(field, "must be a list of [field, operator, value] leaves and '&', '|', '!'")
    out: list[Any] = []
    errors: list[dict[str, str]] = []
    for index, item in enumerate(domain):
        where = f"{field}.{index}"
        if item in ("&", "|", "!"):
            out.append(item)
            continue
        if isinstance(item, str):
            errors.append({"field": where, "location": "body",
                           "message": f"{item[:20]!r} is not an operator: use '&', '|' or '!'"})
            continue
        if not isinstance(item, list) or len(item) != 3:
            errors.append({"field": where, "location": "body", "message": "must be [field, operator, value]"})
            continue
        name, operator, value = item
        if item in ([1, "=", 1], [0, "=", 1]):  # Odoo's TRUE_LEAF and FALSE_LEAF
            out.append(item)
            continue
        if not isinstance(name, str) or not FIELD.match(name):
            errors.append({"field": f"{where}.0", "location": "body",
                           "message": f"{str(name)[:40]!r} is not a field name"})
        elif not isinstance(operator, str) or operator.lower() not in OPERATORS:
            errors.append({"field": f"{where}.1", "location": "body",
                           "message": f"{str(operator)[:20]!r} is not an operator Odoo knows"})
        elif operator.lower() in ("in", "not in") and not isinstance(value, list):
            errors.append({"field": f"{where}.2", "location": "body", "message": f"'{operator}' needs a list"})
        elif isinstance(value, dict):
            errors.append({"field": f"{where}.2", "location": "body",
                           "message": "must be a value or a list, not an object"})
        else:
            out.append([name, operator.lower(), value])
    if errors:
        raise UnprocessableEntity(errors, "The domain is not valid.")
    depth = 0  # terms available, counted from the end as Odoo's parser does
    for index in range(len(out) - 1, -1, -1):
        item = out[index]
        need = {"!": 1, "&": 2, "|": 2}.get(item, 0) if isinstance(item, str) else 0
        if depth < need:
            raise _bad(f"{field}.{index}", f"'{item}' needs {need} term{'s' if need > 1 else ''} after it")
        depth = depth - need + 1
    return out


def check_fields(fields: list[str] | None, field: str = "fields") -> list[str] | None:
    if fields is None:
        return None
    bad = [{"field": f"{field}.{i}", "location": "body", "message": f"{str(name)[:40]!r} is not a field name"}
           for i, name in enumerate(fields) if not FIELD.match(name) or "." in name]
    if bad:
        raise UnprocessableEntity(bad)
    return fields


def check_order(order: str | None) -> str | None:
    if order is None:
        return None
    terms = [term.strip() for term in order.split(",")]
    if len(order) > 300 or not all(_ORDER_TERM.match(term) for term in terms):
        raise _bad("order", "must be fields with asc or desc, comma-separated, like 'name asc, id desc'")
    return ", ".join(terms)


def check_name(value: str, pattern: re.Pattern[str], field: str, what: str) -> str:
    if not pattern.match(value) or len(value) > 128:
        raise UnprocessableEntity([{"field": field, "location": "path", "message": f"{value[:60]!r} is not {what}"}])
    return value
