"""Payload templates (Parameters, ResultSelector, ItemSelector, Assign) compiled into functions.

A template is JSON whose keys ending in ``.$`` take a JSONPath or an intrinsic function call.
It is the one noun that uses both languages, so it lives above them: ``paths`` reads paths,
``intrinsics`` (whose arguments may be paths) calls functions, and this module dispatches
between the two. (Kept in ``paths``, the dispatch made paths and intrinsics import each other.)
"""

from __future__ import annotations

from typing import Any

from coworks.biz.lang.intrinsics import compile_intrinsic
from coworks.biz.lang.paths import Getter, compile_path


def compile_template(template: Any) -> Getter:
    """A payload template (Parameters, ResultSelector, ItemSelector, Assign) as a function.

    Keys ending in ``.$`` take a path or an intrinsic function; everything else is a constant,
    which is returned as is (the executor never mutates values in place).
    """
    if isinstance(template, dict):
        if not any(isinstance(k, str) and k.endswith(".$") for k in template) and not _nested(template):
            return lambda data, ctx, variables: template
        parts: list[tuple[str, Getter]] = []
        for key, value in template.items():
            if key.endswith(".$"):
                parts.append((key[:-2], compile_expression(value)))
            else:
                parts.append((key, compile_template(value)))
        return lambda data, ctx, variables: {k: f(data, ctx, variables) for k, f in parts}
    if isinstance(template, list) and _nested(template):
        items = [compile_template(v) for v in template]
        return lambda data, ctx, variables: [f(data, ctx, variables) for f in items]
    return lambda data, ctx, variables: template


def _nested(value: Any) -> bool:
    values = value.values() if isinstance(value, dict) else value
    for item in values:
        if isinstance(item, dict):
            if any(isinstance(k, str) and k.endswith(".$") for k in item) or _nested(item):
                return True
        elif isinstance(item, list) and _nested(item):
            return True
    return False


def compile_expression(text: Any) -> Getter:
    """The value of a ``"key.$"`` entry: a JSONPath or an intrinsic function call."""
    if isinstance(text, str) and text.startswith("States."):
        return compile_intrinsic(text)
    path = compile_path(text)
    return path.get
