"""Completing a service's OpenAPI document with what annotations cannot say: the error answers
an entry gives, and that an entry taking files also accepts multipart/form-data."""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any


def document(doc: dict[str, Any], responses: dict[tuple[str, str], dict[str, str]],
             multipart: Collection[tuple[str, str]] = ()) -> dict[str, Any]:
    """``doc`` with ``responses[(verb, path)]`` added to those operations, and a multipart body
    (file fields as binary strings) beside the JSON one for the operations in ``multipart``."""
    doc = copy.deepcopy(doc)
    for (verb, path), answers in responses.items():
        operation = doc.get("paths", {}).get(path, {}).get(verb)
        if operation is None:
            continue
        documented = operation.setdefault("responses", {})
        if "200" not in answers and any(status.startswith("2") for status in answers):
            documented.pop("200", None)  # the entry answers 201/202 instead
        for status, description in answers.items():
            documented[status] = {"description": description}
    for verb, path in multipart:
        operation = doc.get("paths", {}).get(path, {}).get(verb)
        content = operation.get("requestBody", {}).get("content", {}) if operation else {}
        schema = content.get("application/json", {}).get("schema")
        if schema is not None and "multipart/form-data" not in content:
            content["multipart/form-data"] = {"schema": _as_form(schema)}
    return doc


def _as_form(schema: dict[str, Any]) -> dict[str, Any]:
    form = copy.deepcopy(schema)
    for name, prop in form.get("properties", {}).items():
        if _mentions_binary(prop):
            form["properties"][name] = {"type": "array", "items": {"type": "string", "format": "binary"},
                                        "description": prop.get("description", "")}
    return form


def _mentions_binary(schema: Any) -> bool:
    if isinstance(schema, dict):
        return schema.get("format") == "binary" or any(_mentions_binary(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_mentions_binary(v) for v in schema)
    return False
