"""JSONPath in ASL: reading a path, checking a reference path, writing a result at ResultPath.

Simple paths (``$.a.b[0]``, ``$['x']``, ``$$.Execution.Id``, ``$var.field``) are compiled once to
a tuple of steps and read directly: they are nearly all the paths a workflow holds, and reading
them that way is what lets the local executor run tens of thousands of transitions per second.
Anything richer (wildcards, filters, slices, ``..``) goes to ``jsonpath-ng``. Payload templates,
which mix paths and intrinsic calls, are compiled in :mod:`coworks.biz.lang.templates`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from coworks.biz.errors import PathSyntaxError, StatesError

_ROOT = re.compile(r"\$\$|\$(?:[A-Za-z_][A-Za-z0-9_]*)?")
_STEP = re.compile(r"\.([A-Za-z_@$][\w\-@$:#]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]")

#: A compiled value, read against (input, context object, variables): what ``Path.get`` is, and
#: what intrinsic calls and payload templates compile to.
Getter = Callable[[Any, dict[str, Any], dict[str, Any]], Any]


@dataclass(frozen=True)
class Path:
    """A compiled JSONPath: its root (``$``, ``$$`` or ``$name``) and steps, or a jsonpath-ng expr."""

    text: str
    root: str
    steps: tuple[str | int, ...]
    expr: Any = None  # jsonpath-ng expression for complex paths

    @property
    def normalized(self) -> str:
        """The path in bracket notation, as AWS quotes it in errors: ``$['a'][0]``."""
        root = "$" if self.root in ("$", "$$") else self.root
        return root + "".join(f"[{s}]" if isinstance(s, int) else f"['{s}']" for s in self.steps)

    @property
    def simple(self) -> bool:
        return self.expr is None

    def get(self, data: Any, ctx: dict[str, Any], variables: dict[str, Any]) -> Any:
        """The value at this path; raises ``States.Runtime`` when a simple path is missing."""
        value = self._root_value(data, ctx, variables)
        if self.expr is not None:
            return [m.value for m in self.expr.find(value)]
        for step in self.steps:
            try:
                if isinstance(step, int):
                    if not isinstance(value, list):
                        raise KeyError(step)
                    value = value[step]
                else:
                    value = value[step]
            except (KeyError, IndexError, TypeError):
                raise StatesError(
                    "States.Runtime", f"Invalid path '{self.text}' : No results for path: {self.normalized}"
                ) from None
        return value

    def exists(self, data: Any, ctx: dict[str, Any], variables: dict[str, Any]) -> bool:
        try:
            found = self.get(data, ctx, variables)
        except StatesError:
            return False
        return bool(found) if self.expr is not None else True

    def _root_value(self, data: Any, ctx: dict[str, Any], variables: dict[str, Any]) -> Any:
        if self.root == "$":
            return data
        if self.root == "$$":
            return ctx
        name = self.root[1:]
        if name not in variables:
            raise StatesError("States.Runtime", f"The variable '{name}' is not defined; Assign it before use.")
        return variables[name]


def compile_path(text: Any) -> Path:
    """Compile a JSONPath once (cached); raises :class:`PathSyntaxError` when malformed.

    ``text`` comes from a definition, so it may be any JSON value: only a string starting with
    ``$`` is a path (and only a string can be looked up in the cache).
    """
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathSyntaxError(f"a JSONPath starts with '$', got {text!r}", expression=text)
    return _compile(text)


@lru_cache(maxsize=8192)
def _compile(text: str) -> Path:
    root_match = _ROOT.match(text)
    if root_match is None:  # pragma: no cover - "$" always matches
        raise PathSyntaxError(f"malformed JSONPath {text!r}", expression=text)
    root = root_match.group(0)
    pos = root_match.end()
    steps: list[str | int] = []
    while pos < len(text):
        match = _STEP.match(text, pos)
        if match is None:
            return Path(text, root, (), _complex(text, root))
        name, index, single, double = match.groups()
        if index is not None:
            steps.append(int(index))
        else:
            key = name if name is not None else (single if single is not None else double)
            steps.append(re.sub(r"\\(.)", r"\1", key))
        pos = match.end()
    return Path(text, root, tuple(steps))


def _complex(text: str, root: str) -> Any:
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse

    try:
        return parse("$" + text[len(root) :])
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
        raise PathSyntaxError(f"malformed JSONPath {text!r}: {exc}", expression=text) from None


def is_reference_path(text: str) -> bool:
    """ResultPath and friends must name one node: a simple path."""
    try:
        return compile_path(text).simple
    except PathSyntaxError:
        return False


def put(data: Any, path: Path, value: Any) -> Any:
    """``data`` with ``value`` placed at ``path`` (copy-on-write: ``data`` is not modified)."""
    if path.root != "$" or not path.simple:
        raise StatesError(
            "States.ResultPathMatchFailure", f"Cannot write to '{path.text}'; use a simple '$.field' path."
        )
    return _put(data, path.steps, value, path.text)


def _put(data: Any, steps: tuple[str | int, ...], value: Any, text: str) -> Any:
    if not steps:
        return value
    head, rest = steps[0], steps[1:]
    if isinstance(head, int):
        if not isinstance(data, list) or head >= len(data):
            raise StatesError("States.ResultPathMatchFailure", f"Unable to apply ResultPath '{text}' to the input.")
        out_list = list(data)
        out_list[head] = _put(data[head], rest, value, text)
        return out_list
    if not isinstance(data, dict):
        raise StatesError(
            "States.ResultPathMatchFailure", f"Unable to apply ResultPath '{text}': the input is not a JSON object."
        )
    out = dict(data)
    out[head] = _put(data.get(head, {}) if rest else None, rest, value, text)
    return out
