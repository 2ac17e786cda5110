"""How a compiled filter pattern matches: the values a pattern compares with, and the
predicates for its three forms (terms, JSON, space-delimited) that the parser assembles."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Predicate = Callable[[str], bool]

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")


# -- values: what a pattern compares a field with ---------------------------------------------------


@dataclass(frozen=True)
class _Value:
    """A literal from the pattern: a number, a string (``*`` is a wildcard unless ``literal``) or a regex."""

    text: str
    number: float | None = None
    regex: re.Pattern[str] | None = None

    def equals(self, value: str | float | None) -> bool:
        if value is None:
            return False
        if self.regex is not None:
            return self.regex.search(_as_text(value)) is not None
        if self.number is not None:
            number = value if isinstance(value, float) else _to_number(value)
            if number is not None:
                return number == self.number
        return _wildcard(self.text)(_as_text(value))


def _as_text(value: str | float) -> str:
    return value if isinstance(value, str) else _number_text(value)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _to_number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


@lru_cache(maxsize=256)
def _wildcard(text: str) -> Callable[[str], bool]:
    """Whole-value match where ``*`` stands for any run of characters."""
    if "*" not in text:
        return text.__eq__
    regex = re.compile(".*".join(re.escape(part) for part in text.split("*")), re.DOTALL)
    return lambda value: regex.fullmatch(value) is not None


def _compare(op: str, left: float, right: float) -> bool:
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


# -- evaluation -----------------------------------------------------------------------------------------


def _terms(required: list[Predicate], optional: list[Predicate], excluded: list[Predicate]) -> Predicate:
    def matches(message: str) -> bool:
        return (
            all(term(message) for term in required)
            and (not optional or any(term(message) for term in optional))
            and not any(term(message) for term in excluded)
        )

    return matches


def _json_matches(predicate: Callable[[Any], bool], message: str) -> bool:
    text = message.strip()
    if not text.startswith(("{", "[")):
        return False  # cheap refusal: the message is not JSON, so no JSON pattern can match it
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return predicate(document)


def _select(document: Any, path: tuple[str | int, ...]) -> tuple[bool, Any]:
    """Follow ``path`` into ``document``; ``(False, None)`` when a step does not exist."""
    current = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return False, None
        elif not isinstance(current, dict) or step not in current:
            return False, None
        current = current[step]
    return True, current


def _scalar(item: Any) -> str | float | None:
    """A JSON value as pattern values see it: strings as they are, numbers and booleans by their text."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int | float):
        return _finite(item)
    return item if isinstance(item, str) else None


def _finite(item: Any) -> float | None:
    """A JSON number as a finite float; None for anything else (booleans, huge ints, NaN)."""
    if isinstance(item, bool) or not isinstance(item, int | float):
        return None
    try:
        number = float(item)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _is_null(found: bool, item: Any) -> bool:
    return found and item is None


def _is_true(found: bool, item: Any) -> bool:
    return found and item is True


def _is_false(found: bool, item: Any) -> bool:
    return found and item is False


def _split_fields(message: str) -> list[str]:
    """Cut a message into space-delimited fields; ``"..."`` and ``[...]`` each make one field."""
    fields: list[str] = []
    pos, length = 0, len(message)
    while pos < length:
        if message[pos].isspace():
            pos += 1
            continue
        closer = {'"': '"', "[": "]"}.get(message[pos])
        if closer is not None:
            end = message.find(closer, pos + 1)
            end = length if end < 0 else end
            fields.append(message[pos + 1:end])
            pos = end + 1
            continue
        start = pos
        while pos < length and not message[pos].isspace():
            pos += 1
        fields.append(message[start:pos])
    return fields


def _delimited(slots: tuple[Callable[[str], bool] | None, ...]) -> Predicate:
    """Fit the slots to the message's fields left to right; an ellipsis (None) takes zero or more fields."""

    def matches(message: str) -> bool:
        fields = _split_fields(message)
        reach = [True] + [False] * len(fields)  # reach[i]: the slots so far can consume exactly i fields
        for check in slots:
            if check is None:
                for index in range(1, len(fields) + 1):
                    reach[index] = reach[index] or reach[index - 1]
            else:
                reach = [False] + [reach[i] and check(fields[i]) for i in range(len(fields))]
            if not any(reach):
                return False
        return reach[len(fields)]

    return matches
