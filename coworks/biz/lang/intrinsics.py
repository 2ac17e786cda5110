"""The eighteen ASL intrinsic functions (``States.Format('{}', $.x)`` and friends).

An expression is parsed once into a closure; ``ARITY`` is shared with validation so a wrong
argument count is reported before a run instead of failing inside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from coworks.biz.errors import IntrinsicSyntaxError, PathSyntaxError, StatesError
from coworks.biz.lang.paths import Getter, compile_path

#: name -> (minimum, maximum) number of arguments (None: unbounded).
ARITY: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<call>States\.[A-Za-z0-9]+)\s*\(|(?P<word>null|true|false)(?=\s*[,)])|(?P<path>\$[^,()]*))\s*"
)


Node = tuple[str, Any]


def parse_intrinsic(text: str) -> Node:
    """Parse a call into ``("call", name, [args])`` nodes; arity is checked here."""
    node, pos = _parse_call(text, 0)
    if text[pos:].strip():
        raise IntrinsicSyntaxError(f"unexpected text after the call in {text!r}", expression=text)
    return node


def _parse_call(text: str, pos: int) -> tuple[Node, int]:
    match = _TOKEN.match(text, pos)
    if match is None or match.group("call") is None:
        raise IntrinsicSyntaxError(
            f"expected an intrinsic function such as States.Format(...) in {text!r}", expression=text
        )
    name = match.group("call")
    if name not in ARITY:
        raise IntrinsicSyntaxError(
            f"{name} is not an intrinsic function; see ASL's list of 18 States.* functions", expression=text
        )
    pos = match.end()
    args: list[Node] = []
    if text[pos:].lstrip().startswith(")"):
        pos = text.index(")", pos) + 1
    else:
        while True:
            arg, pos = _parse_arg(text, pos)
            args.append(arg)
            rest = text[pos:].lstrip()
            pos = len(text) - len(rest)
            if rest.startswith(","):
                pos += 1
            elif rest.startswith(")"):
                pos += 1
                break
            else:
                raise IntrinsicSyntaxError(f"expected ',' or ')' in {text!r} at position {pos}", expression=text)
    low, high = ARITY[name]
    if len(args) < low or (high is not None and len(args) > high):
        want = f"{low}" if low == high else (f"at least {low}" if high is None else f"{low} to {high}")
        raise IntrinsicSyntaxError(f"{name} takes {want} argument(s), got {len(args)}", expression=text)
    return ("call", (name, args)), pos


def _parse_arg(text: str, pos: int) -> tuple[Node, int]:
    match = _TOKEN.match(text, pos)
    if match is None:
        raise IntrinsicSyntaxError(f"cannot read an argument in {text!r} at position {pos}", expression=text)
    if match.group("call"):
        return _parse_call(text, pos)
    if match.group("str") is not None:
        raw = match.group("str")[1:-1]
        return ("str", raw), match.end()  # escapes kept: States.Format reads its template's itself
    if match.group("num") is not None:
        num = match.group("num")
        return ("lit", float(num) if any(c in num for c in ".eE") else int(num)), match.end()
    if match.group("word") is not None:
        return ("lit", {"null": None, "true": True, "false": False}[match.group("word")]), match.end()
    path_text = match.group("path").strip()
    try:
        return ("path", compile_path(path_text)), match.end()
    except PathSyntaxError as exc:
        raise IntrinsicSyntaxError(str(exc), expression=text) from None


@lru_cache(maxsize=2048)
def compile_intrinsic(text: str) -> Getter:
    """A closure evaluating the call against (input, context, variables)."""
    try:
        node = parse_intrinsic(text)
    except IntrinsicSyntaxError as exc:
        raise StatesError("States.IntrinsicFailure", str(exc)) from None
    return _compile(node, text)


def _compile(node: Node, text: str) -> Getter:
    kind, value = node
    if kind == "lit":
        return lambda d, c, v: value
    if kind == "str":
        literal = unescape(value)
        return lambda d, c, v: literal
    if kind == "path":
        return value.get  # type: ignore[no-any-return]
    name, args = value
    compiled = [_compile(a, text) for a in args]
    impl = _FUNCTIONS[name]
    if name == "States.Format" and args[0][0] == "str":
        # The template's escapes (\\{ \\} \\' \\\\) are the template's: they decide what a placeholder is.
        template = args[0][1]
        return lambda d, c, v: _call(name, _format_escaped, [template, *(f(d, c, v) for f in compiled[1:])])
    return lambda d, c, v: _call(name, impl, [f(d, c, v) for f in compiled])


def _call(name: str, impl: Callable[..., Any], args: list[Any]) -> Any:
    try:
        return impl(*args)
    except StatesError:
        raise
    except Exception as exc:
        raise StatesError("States.IntrinsicFailure", f"{name} failed: {exc}") from None


_ESCAPE = re.compile(r"\\(.)", re.S)
#: A template's pieces: an escaped character, a placeholder, or plain text.
_TEMPLATE = re.compile(r"\\(.)|(\{\})|([^\\{]+|\{)", re.S)


def unescape(text: str) -> str:
    """A string literal of an intrinsic call as its value: ``\\'`` ``\\{`` ``\\}`` ``\\\\`` stand for themselves."""
    return _ESCAPE.sub(r"\1", text)


def _fmt(value: Any) -> str:
    """An argument of States.Format as AWS interpolates it: strings as they are, numbers, booleans and
    null as JSON, and objects and arrays as Java prints a map or a list (``{a=1, b=[x, y]}``): the
    service runs on the JVM and interpolates the parsed value, not JSON text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return json.dumps(value)


def _format(template: str, *args: Any) -> str:
    """Format with a template given as a value (from a path): it has no escapes of its own."""
    return _format_escaped(template.replace("\\", "\\\\"), *args)


def _format_escaped(template: str, *args: Any) -> str:
    pieces: list[str | None] = []  # None marks a placeholder
    for escaped, placeholder, plain in _TEMPLATE.findall(template):
        pieces.append(None if placeholder else (escaped or plain))
    holes = pieces.count(None)
    if holes != len(args):
        raise StatesError(
            "States.IntrinsicFailure", f"States.Format has {holes} placeholders but {len(args)} arguments"
        )
    values = iter(args)
    return "".join(_fmt(next(values)) if piece is None else piece for piece in pieces)


def _partition(array: list[Any], size: int) -> list[list[Any]]:
    if size <= 0:
        raise ValueError("the chunk size must be positive")
    return [array[i : i + size] for i in range(0, len(array), int(size))]


def _range(start: int, end: int, step: int) -> list[int]:
    if step == 0:
        raise ValueError("the step cannot be 0")
    out = list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))
    if len(out) > 1000:
        raise ValueError("ArrayRange is limited to 1000 items")
    return out


def _unique(array: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in array:
        if item not in out:
            out.append(item)
    return out


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(data: Any, algorithm: str) -> str:
    if algorithm not in _HASHES:
        raise ValueError(f"unknown algorithm {algorithm!r}; use one of {', '.join(_HASHES)}")
    return hashlib.new(_HASHES[algorithm], _fmt(data).encode()).hexdigest()


def _merge(a: dict[str, Any], b: dict[str, Any], deep: bool) -> dict[str, Any]:
    if not isinstance(a, dict) or not isinstance(b, dict):
        raise ValueError("both arguments must be JSON objects")
    out = dict(a)
    for key, value in b.items():
        if deep and isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _merge(out[key], value, True)
        else:
            out[key] = value
    return out


def _random(start: int, end: int, seed: int | None = None) -> int:
    rng = random.Random(seed) if seed is not None else random
    return rng.randrange(int(start), int(end))


def _split(text: str, delimiters: str) -> list[str]:
    if not delimiters:
        return [text]
    return [p for p in re.split("[" + re.escape(delimiters) + "]", text) if p]


def _round(number: Any) -> int:
    """A MathAdd argument as AWS takes it: a non-integer is rounded to the nearest integer, halves
    upwards (Java's ``Math.round``: 2.5 is 3, -2.5 is -2)."""
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise ValueError(f"{number!r} is not a number")
    return int(number) if isinstance(number, int) else math.floor(number + 0.5)


def _get_item(array: list[Any], index: int) -> Any:
    return array[int(index)]


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format,
    "States.StringToJson": lambda text: json.loads(text) if text.strip() else None,  # "" is null on AWS
    "States.JsonToString": lambda v: json.dumps(v, separators=(",", ":")),
    "States.Array": lambda *a: list(a),
    "States.ArrayPartition": _partition,
    "States.ArrayContains": lambda a, v: v in a,
    "States.ArrayRange": _range,
    "States.ArrayGetItem": _get_item,
    "States.ArrayLength": len,
    "States.ArrayUnique": _unique,
    "States.Base64Encode": lambda s: base64.b64encode(s.encode()).decode(),
    "States.Base64Decode": lambda s: base64.b64decode(s.encode()).decode(),
    "States.Hash": _hash,
    "States.JsonMerge": _merge,
    "States.MathRandom": _random,
    "States.MathAdd": lambda a, b: _round(a) + _round(b),
    "States.StringSplit": _split,
    "States.UUID": lambda: str(uuid.uuid4()),
}
