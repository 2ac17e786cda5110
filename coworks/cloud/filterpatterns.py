"""CloudWatch Logs filter patterns, evaluated in Coworks because the local log server cannot.

moto accepts a ``filterPattern`` and then matches (almost) everything, so ``cloud.logs(pattern=...)``
on the local cloud would disagree with AWS. This module gives the three documented forms the
meaning AWS gives them, so a pattern tried locally selects the same events once deployed:

=============  ==========================================================================
terms          ``ERROR``, ``"two words"``, ``?ERROR ?WARN`` (any of), ``-DEBUG`` (none of),
               ``%regex%``; plain terms are case-sensitive substrings and may hold ``*``
JSON           ``{ $.level = "ERROR" && ($.latency > 100 || $.user IS NULL) }``, with
               ``= != < <= > >=``, ``IS NULL``, ``IS TRUE``, ``IS FALSE``, ``NOT EXISTS``,
               ``*`` wildcards in values, arrays ``$.a[0][1].b`` and ``%regex%`` values
space-         ``[ip, user, ts, request = *html*, status_code = 4* || status_code = 5*,
delimited      size > 1000]`` with ``...`` for any number of fields; ``"quoted"`` and
               ``[bracketed]`` text in the message is one field
=============  ==========================================================================

Mixing ``ERROR ?WARN ?INFO -DEBUG`` means: every plain term, at least one ``?`` term and no
``-`` term. An empty pattern matches every event.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import CloudError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FilterPatternError", "Pattern", "compile_pattern"]

Predicate = Callable[[str], bool]

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_MAX_DEPTH = 64  # parentheses; deeper means a broken pattern, not a real query


class FilterPatternError(CloudError):
    """A filter pattern that CloudWatch Logs would refuse; names the bad token and where it is."""

    def __init__(self, message: str, *, pattern: str, position: int, token: str) -> None:
        super().__init__(message, resource=pattern)
        self.pattern = pattern
        self.position = position
        self.token = token


@dataclass(frozen=True)
class Pattern:
    """A compiled filter pattern; ``kind`` is ``all``, ``terms``, ``json`` or ``delimited``."""

    text: str
    kind: str
    _predicate: Predicate = field(repr=False, compare=False)

    def matches(self, message: str) -> bool:
        """Whether CloudWatch Logs would return an event with this message for this pattern."""
        return self._predicate(message)


def compile_pattern(text: str | None) -> Pattern:
    """Parse ``text`` once so that matching many events is cheap; raise FilterPatternError if malformed."""
    source = text or ""
    stripped = source.strip()
    if not stripped:
        return Pattern(source, "all", _always)
    parser = _Parser(source)
    if stripped.startswith("{"):
        return Pattern(source, "json", parser.json_pattern())
    if stripped.startswith("["):
        return Pattern(source, "delimited", parser.delimited_pattern())
    return Pattern(source, "terms", parser.terms_pattern())


def _always(message: str) -> bool:
    return True


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


# -- the parser ---------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the raw text; every failure becomes one FilterPatternError sentence."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    # helpers
    def fail(self, expected: str, pos: int | None = None) -> FilterPatternError:
        at = self.pos if pos is None else pos
        token = self.text[at:].split(None, 1)[0][:20] if self.text[at:].strip() else ""
        found = f"unexpected {token!r}" if token else "unexpected end of pattern"
        return FilterPatternError(
            f"Invalid filter pattern: {found} at position {at}; expected {expected}.",
            pattern=self.text, position=at, token=token,
        )

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def accept(self, token: str) -> bool:
        self.skip()
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str, what: str) -> None:
        if not self.accept(token):
            raise self.fail(what)

    def quoted(self) -> str:
        """A double-quoted string starting at pos, with ``\\"`` and ``\\\\`` escapes."""
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            self.pos += 1
            if char == '"':
                return "".join(out)
            out.append(char)
        raise self.fail("a closing double quote", start)

    def regex(self) -> re.Pattern[str]:
        """A ``%regex%`` starting at pos."""
        start = self.pos
        end = self.text.find("%", start + 1)
        if end < 0:
            raise self.fail("a closing % after the regular expression", start)
        source = self.text[start + 1:end]
        if not source:
            raise self.fail("a regular expression between the % signs", start)
        try:
            compiled = re.compile(source)
        except Exception:  # re.error, RecursionError, OverflowError: all mean "bad regex" to the user
            raise self.fail("a valid regular expression", start) from None
        self.pos = end + 1
        return compiled

    def value(self, stops: str) -> _Value:
        """A comparison value: quoted string, %regex%, or a bare word ending at whitespace or a stop char."""
        self.skip()
        start = self.pos
        if self.pos >= len(self.text):
            raise self.fail("a value to compare with")
        char = self.text[self.pos]
        if char == '"':
            return _Value(self.quoted())
        if char == "%":
            compiled = self.regex()
            return _Value(self.text[start:self.pos], regex=compiled)
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char.isspace() or char in stops or self.text.startswith(("&&", "||"), self.pos):
                break
            if char == '"':
                raise self.fail("a value without a quote inside (quote the whole value)", self.pos)
            self.pos += 1
        word = self.text[start:self.pos]
        if not word:
            raise self.fail("a value to compare with", start)
        return _Value(word, number=_to_number(word))

    def operator(self) -> str | None:
        self.skip()
        for op in _OPERATORS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                return op
        return None

    # terms
    def terms_pattern(self) -> Predicate:
        required: list[Predicate] = []
        optional: list[Predicate] = []
        excluded: list[Predicate] = []
        while not self.at_end():
            prefix = self.text[self.pos]
            if prefix in "?-":
                self.pos += 1
                if self.pos >= len(self.text) or self.text[self.pos].isspace():
                    raise self.fail(f"a term right after {prefix!r}", self.pos - 1)
            {"?": optional, "-": excluded}.get(prefix, required).append(self.term())
        return _terms(required, optional, excluded)

    def term(self) -> Predicate:
        start = self.pos
        char = self.text[self.pos]
        if char == '"':
            phrase = self.quoted()
            return (lambda message: phrase in message) if phrase else _always
        if char == "%":
            regex = self.regex()
            return lambda message: regex.search(message) is not None
        while self.pos < len(self.text) and not self.text[self.pos].isspace():
            if self.text[self.pos] == '"':
                raise self.fail("a term without a quote inside (quote the whole phrase)", self.pos)
            self.pos += 1
        word = self.text[start:self.pos]
        if "*" not in word:
            return lambda message: word in message
        regex = re.compile(".*".join(re.escape(part) for part in word.split("*")), re.DOTALL)
        return lambda message: regex.search(message) is not None

    # JSON
    def json_pattern(self) -> Predicate:
        self.expect("{", "'{' to open a JSON pattern")
        predicate = self.json_or()
        self.expect("}", "'&&', '||' or '}' to close the JSON pattern")
        if not self.at_end():
            raise self.fail("nothing after the closing '}'")
        return lambda message: _json_matches(predicate, message)

    def json_or(self) -> Callable[[Any], bool]:
        parts = [self.json_and()]
        while self.accept("||"):
            parts.append(self.json_and())
        if len(parts) == 1:
            return parts[0]
        return lambda doc: any(part(doc) for part in parts)

    def json_and(self) -> Callable[[Any], bool]:
        parts = [self.json_unary()]
        while self.accept("&&"):
            parts.append(self.json_unary())
        if len(parts) == 1:
            return parts[0]
        return lambda doc: all(part(doc) for part in parts)

    def json_unary(self) -> Callable[[Any], bool]:
        if self.accept("("):
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise self.fail(f"at most {_MAX_DEPTH} nested parentheses")
            inner = self.json_or()
            self.expect(")", "')' to close the parenthesis")
            self.depth -= 1
            return inner
        return self.json_comparison()

    def json_comparison(self) -> Callable[[Any], bool]:
        path = self.selector()
        op = self.operator()
        if op is None:
            return self.json_keyword(path)
        value = self.value(stops="()}")
        if op in ("=", "!="):
            negate = op == "!="

            def equality(doc: Any) -> bool:
                found, item = _select(doc, path)
                scalar = _scalar(item) if found else None
                return scalar is not None and value.equals(scalar) != negate

            return equality
        if value.number is None:
            raise self.fail(f"a number after {op!r}", self.pos - len(value.text))
        number = value.number

        def ordering(doc: Any) -> bool:
            found, item = _select(doc, path)
            left = _finite(item) if found else None
            return left is not None and _compare(op, left, number)

        return ordering

    def json_keyword(self, path: tuple[str | int, ...]) -> Callable[[Any], bool]:
        if self.accept("IS"):
            for word, check in (("NULL", _is_null), ("TRUE", _is_true), ("FALSE", _is_false)):
                if self.accept(word):
                    return lambda doc, check=check: check(*_select(doc, path))  # type: ignore[misc]
            raise self.fail("NULL, TRUE or FALSE after IS")
        if self.accept("NOT"):
            self.expect("EXISTS", "EXISTS after NOT")
            return lambda doc: not _select(doc, path)[0]
        raise self.fail("an operator (=, !=, <, <=, >, >=), IS or NOT EXISTS")

    def selector(self) -> tuple[str | int, ...]:
        self.skip()
        if not self.text.startswith("$", self.pos):
            raise self.fail("a selector starting with $ (like $.level)")
        self.pos += 1
        steps: list[str | int] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == ".":
                start = self.pos = self.pos + 1
                while self.pos < len(self.text) and not (
                    self.text[self.pos].isspace() or self.text[self.pos] in '.[]()=!<>&|"{}%'
                ):
                    self.pos += 1
                if self.pos == start:
                    raise self.fail("a property name after '.'", start)
                steps.append(self.text[start:self.pos])
            elif char == "[":
                match = re.compile(r"\[(\d+)\]").match(self.text, self.pos)
                if match is None:
                    raise self.fail("an array index like [0]")
                steps.append(int(match.group(1)))
                self.pos = match.end()
            else:
                break
        return tuple(steps)

    # space-delimited
    def delimited_pattern(self) -> Predicate:
        self.expect("[", "'[' to open a space-delimited pattern")
        slots: list[Callable[[str], bool] | None] = []  # None is the ellipsis
        names: list[str] = []
        while True:
            self.skip()
            if self.accept("..."):
                slots.append(None)
            else:
                name, condition = self.delimited_field()
                if name in names:
                    raise self.fail(f"a field name other than {name!r}, which is already used")
                names.append(name)
                slots.append(condition)
            if self.accept("]"):
                break
            self.expect(",", "',' between fields or ']' to close the pattern")
        if not self.at_end():
            raise self.fail("nothing after the closing ']'")
        return _delimited(tuple(slots))

    def delimited_field(self) -> tuple[str, Callable[[str], bool]]:
        name = self.field_name()
        self.skip()
        if not self.text.startswith(_OPERATORS, self.pos):
            return name, _always
        alternatives = [[self.field_condition(name)]]
        while True:
            if self.accept("&&"):
                alternatives[-1].append(self.field_condition(self.field_name(same_as=name)))
            elif self.accept("||"):
                alternatives.append([self.field_condition(self.field_name(same_as=name))])
            else:
                break
        return name, lambda text: any(all(check(text) for check in group) for group in alternatives)

    def field_name(self, same_as: str | None = None) -> str:
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_-.@$"):
            self.pos += 1
        name = self.text[start:self.pos]
        if not name or name == "...":
            raise self.fail("a field name (letters, digits, _) or an ellipsis for any fields", start)
        if same_as is not None and name != same_as:
            raise self.fail(f"the field name {same_as!r}: conditions inside a field name that field", start)
        return name

    def field_condition(self, name: str) -> Callable[[str], bool]:
        op = self.operator()
        if op is None:
            raise self.fail(f"an operator (=, !=, <, <=, >, >=) after {name!r}")
        value = self.value(stops=",]")
        if op == "=":
            return value.equals
        if op == "!=":
            return lambda text: not value.equals(text)
        if value.number is None:
            raise self.fail(f"a number after {op!r}", self.pos - len(value.text))
        number = value.number

        def ordering(text: str) -> bool:
            field_number = _to_number(text)
            return field_number is not None and _compare(op, field_number, number)

        return ordering


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
