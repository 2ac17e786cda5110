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

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import FilterPatternError
from .matching import (
    Predicate,
    _compare,
    _delimited,
    _finite,
    _is_false,
    _is_null,
    _is_true,
    _json_matches,
    _scalar,
    _select,
    _terms,
    _to_number,
    _Value,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FilterPatternError", "Pattern", "compile_pattern"]

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_MAX_DEPTH = 64  # parentheses; deeper means a broken pattern, not a real query




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
