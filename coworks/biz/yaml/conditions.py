"""Choice rules written as conditions, both ways: ``$.qty > 0 and $.kind == "pen"``.

The text is what a person writes in a YAML workflow (``if: $.item.body.qty > 0``) and what the
editor's dropdowns build; :func:`parse` turns it into the ASL rule and :func:`text` back, so
``parse(text(rule)) == rule`` for every rule :func:`text` accepts (it returns None for a rule
the grammar cannot say exactly, which the YAML format then writes as ASL)::

    condition  := or
    or         := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | "(" or ")" | comparison
    comparison := PATH OP [KIND] VALUE          $.n > 10   $.at < timestamp "2024-01-01T00:00:00Z"
                | PATH OP KIND? PATH            $.a <= $.b (numbers)   $.a == string $.b
                | PATH "is" ["not"] TEST        $.x is present   $.x is not null
                | PATH "matches" STRING         $.file matches "log-*.txt"
    OP := == | < | > | <= | >=      KIND := number | string | boolean | timestamp
    TEST := present | null | numeric | string | boolean | timestamp

The comparator follows the value: a number is Numeric, a quoted text String, true/false Boolean;
a KIND word says it when the value cannot (a timestamp, or a path compared as text).
"""

from __future__ import annotations

import json
import re
from typing import Any

from coworks.biz.errors import WorkflowError

_OPS = {"==": "Equals", "<": "LessThan", ">": "GreaterThan", "<=": "LessThanEquals", ">=": "GreaterThanEquals"}
_SYMBOL = {v: k for k, v in _OPS.items()}
_KINDS = {"number": "Numeric", "string": "String", "boolean": "Boolean", "timestamp": "Timestamp"}
_KIND_WORD = {v: k for k, v in _KINDS.items()}
_TESTS = ("present", "null", "numeric", "string", "boolean", "timestamp")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_TOKEN = re.compile(
    r"""\s*(?:(?P<op><=|>=|==|!=|<|>)|(?P<paren>[()])|(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    r"""|(?P<path>\$)|(?P<number>-?\d[\w.+-]*)|(?P<word>[A-Za-z_]\w*))"""
)


class ConditionError(WorkflowError):
    """A condition that cannot be read; ``column`` is where (0-based) in the text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


# -- text -> rule ------------------------------------------------------------------------------


def parse(source: str) -> dict[str, Any]:
    """The ASL rule (without ``Next``) that a condition says; raises :class:`ConditionError`."""
    parser = _Parser(source)
    rule = parser.disjunction()
    parser.end()
    return rule


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = list(self._tokens(source))
        self.pos = 0

    def _tokens(self, source: str) -> Any:
        at = 0
        while at < len(source):
            if source[at:].strip() == "":
                return
            match = _TOKEN.match(source, at)
            if match is None or match.end() == at:
                start = len(source) - len(source[at:].lstrip())
                hint = "; write == to compare" if source[start] == "=" else ""
                raise ConditionError(
                    f"cannot read {source[start:start + 12]!r} in the condition {source!r}{hint}.", start
                )
            kind = match.lastgroup or ""
            start = match.start(kind)
            if kind == "path":
                end = _path_end(source, start)
                yield ("path", source[start:end], start)
                at = end
                continue
            yield (kind, match.group(kind), start)
            at = match.end()

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise ConditionError(f"the condition {self.source!r} stops too early; finish it.", len(self.source))
        self.pos += 1
        return token

    def word(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1] in words:
            self.pos += 1
            return True
        return False

    def end(self) -> None:
        token = self.peek()
        if token is not None:
            raise ConditionError(
                f"unexpected {token[1]!r} in the condition {self.source!r}; join conditions with and/or.", token[2]
            )

    def disjunction(self) -> dict[str, Any]:
        parts = [self.conjunction()]
        while self.word("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else {"Or": parts}

    def conjunction(self) -> dict[str, Any]:
        parts = [self.unary()]
        while self.word("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else {"And": parts}

    def unary(self) -> dict[str, Any]:
        if self.word("not"):
            return {"Not": self.unary()}
        token = self.peek()
        if token is not None and token[:2] == ("paren", "("):
            self.pos += 1
            inner = self.disjunction()
            close = self.take()
            if close[:2] != ("paren", ")"):
                raise ConditionError(f"a ')' is missing in the condition {self.source!r}.", close[2])
            return inner
        return self.comparison()

    def comparison(self) -> dict[str, Any]:
        kind, path, at = self.take()
        if kind != "path":
            raise ConditionError(
                f"a comparison starts with a path such as $.qty, not {path!r} (in {self.source!r}).", at
            )
        if self.word("is"):
            negated = self.word("not")
            kind, test, at = self.take()
            if test not in _TESTS:
                raise ConditionError(f"'is' takes one of {', '.join(_TESTS)}, not {test!r}.", at)
            return {"Variable": path, f"Is{test.capitalize()}": not negated}
        if self.word("matches"):
            kind, text, at = self.take()
            if kind != "string":
                raise ConditionError(f"'matches' takes a quoted pattern such as \"log-*.txt\", not {text!r}.", at)
            return {"Variable": path, "StringMatches": _unquote(text)}
        kind, op, at = self.take()
        if kind != "op":
            raise ConditionError(f"after {path} write ==, <, >, <=, >=, 'is' or 'matches', not {op!r}.", at)
        if op == "!=":
            return {"Not": self._operand(path, "==")}
        return self._operand(path, op)

    def _operand(self, path: str, op: str) -> dict[str, Any]:
        forced = None
        token = self.peek()
        if token is not None and token[0] == "word" and token[1] in _KINDS:
            forced = _KINDS[token[1]]
            self.pos += 1
        kind, value, at = self.take()
        suffix = _OPS[op]
        if kind == "path":
            return {"Variable": path, f"{forced or 'Numeric'}{suffix}Path": value}
        literal: Any
        if kind == "string":
            literal, implied = _unquote(value), "String"
        elif kind == "number":
            if not _NUMBER.fullmatch(value):
                raise ConditionError(f"{value!r} is not a number.", at)
            literal = json.loads(value)
            implied = "Numeric"
        elif kind == "word" and value in ("true", "false"):
            literal, implied = value == "true", "Boolean"
        else:
            raise ConditionError(
                f"compare {path} with a number, a quoted text, true/false or a path, not {value!r}.", at
            )
        comparator = forced or implied
        if comparator == "Boolean" and suffix != "Equals":
            raise ConditionError(f"booleans only compare with ==: {path} == true.", at)
        return {"Variable": path, f"{comparator}{suffix}": literal}


def _path_end(source: str, start: int) -> int:
    """Where a path token ends: at whitespace, an operator or ')' outside brackets and quotes."""
    depth, quote, i = 0, "", start
    while i < len(source):
        char = source[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"" and depth:
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0 and (char.isspace() or char in "<>=!)"):
            break
        i += 1
    return i


def _unquote(token: str) -> str:
    if token.startswith("'"):
        token = '"' + token[1:-1].replace('\\\'', "'").replace('"', '\\"') + '"'
    return str(json.loads(token))


# -- rule -> text ------------------------------------------------------------------------------


def text(rule: Any) -> str | None:
    """The condition saying ``rule`` exactly (its ``Next`` and rule-level fields ignored), or None."""
    if not isinstance(rule, dict):
        return None
    rule = {k: v for k, v in rule.items() if k not in ("Next", "Comment", "Assign", "Output")}
    out = _text(rule)
    if out is None:
        return None
    try:
        same = parse(out) == rule
    except ConditionError:
        same = False
    return out if same else None


def _text(rule: Any) -> str | None:
    if not isinstance(rule, dict) or len(rule) == 0:
        return None
    if set(rule) in ({"And"}, {"Or"}):
        word = "and" if "And" in rule else "or"
        parts = rule[word.capitalize()]
        if not isinstance(parts, list) or len(parts) < 2:
            return None
        texts = []
        for part in parts:
            inner = _text(part)
            if inner is None:
                return None
            compound = isinstance(part, dict) and ("And" in part or "Or" in part)
            texts.append(f"({inner})" if compound else inner)
        return f" {word} ".join(texts)
    if set(rule) == {"Not"}:
        inner = _text(rule["Not"])
        return None if inner is None else f"not ({inner})"
    if len(rule) != 2 or not isinstance(rule.get("Variable"), str) or not rule["Variable"].startswith("$"):
        return None
    path = rule["Variable"]
    ((key, value),) = [(k, v) for k, v in rule.items() if k != "Variable"]
    if key.startswith("Is") and key[2:].lower() in _TESTS and isinstance(value, bool):
        return f"{path} is {'' if value else 'not '}{key[2:].lower()}"
    if key == "StringMatches" and isinstance(value, str):
        return f"{path} matches {json.dumps(value, ensure_ascii=False)}"
    for kind in ("String", "Numeric", "Boolean", "Timestamp"):
        if not key.startswith(kind):
            continue
        rest = key[len(kind):]
        if rest.endswith("Path") and rest[:-4] in _SYMBOL and isinstance(value, str) and value.startswith("$"):
            word = "" if kind == "Numeric" else _KIND_WORD[kind] + " "
            return f"{path} {_SYMBOL[rest[:-4]]} {word}{value}"
        if rest in _SYMBOL:
            return _literal(path, _SYMBOL[rest], kind, value)
    return None


def _literal(path: str, symbol: str, kind: str, value: Any) -> str | None:
    if isinstance(value, bool):
        shown = "true" if value else "false"
        implied = "Boolean"
    elif isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        shown, implied = json.dumps(value), "Numeric"
    elif isinstance(value, str):
        shown, implied = json.dumps(value, ensure_ascii=False), "String"
    else:
        return None
    word = "" if kind == implied else _KIND_WORD[kind] + " "
    return f"{path} {symbol} {word}{shown}"
