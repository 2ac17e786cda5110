"""The sandboxed Jinja environment: no Python internals, no mutation, no memory bombs.

On top of Jinja's ImmutableSandboxedEnvironment (no ``__class__``, ``__globals__``, ``mro``,
``list.append``..., ranges capped at 100,000): the operators and calls that can build a huge
string in one step (``"x" * 10**9``, ``2 ** 10**9``, ``"%999999999s" % x``,
``"{:>999999999}".format(x)``, ``"x".center(10**9)``, the ``center``, ``indent`` and ``format``
filters) are refused past the output limit, and undefined names are errors that name them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from jinja2 import StrictUndefined, filters, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .filters import FILTERS

_WIDTH = re.compile(r"[0-9]+")


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes, list, tuple)):
        return len(value)
    return len(str(value))


class _Generator(CodeGenerator):
    """Compiles ``a ~ b`` to a join that checks the size first (Jinja's own ``str_join`` cannot be
    intercepted like the arithmetic operators): repeated doubling must not reach memory."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # CodeGenerator.visit_Concat, checked
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"environment.checked_join({func_name}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")
_STRETCHERS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox whose single operations cannot exceed ``max_output`` characters."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _Generator

    def __init__(self, *, max_output: int, autoescape: bool, loader: Any = None) -> None:
        super().__init__(loader=loader, autoescape=autoescape, undefined=StrictUndefined,
                         keep_trailing_newline=True, auto_reload=True)
        self.max_output = max_output
        self.globals.pop("lipsum", None)  # text on demand: nothing a business template needs
        self.filters.update(FILTERS)
        self.filters["center"] = self._guard_width(filters.do_center, 1)
        self.filters["indent"] = self._guard_width(filters.do_indent, 1)
        self.filters["format"] = self._guard_format(filters.do_format)
        self.filters["join"] = self._guard_join(filters.do_join)
        self.filters["replace"] = self._guard_replace(filters.do_replace)

    def _too_big(self, size: int) -> None:
        if size > self.max_output:
            raise SecurityError(f"the operation would build {size} characters, over the limit of {self.max_output}")

    def _check_format(self, text: Any) -> None:
        if isinstance(text, str):
            for number in _WIDTH.findall(text):
                if len(number) > 9 or int(number) > self.max_output:
                    self._too_big(int(number) if len(number) <= 9 else 10**9)

    def concat(self, chunks: Iterable[str]) -> str:  # type: ignore[override]
        """What macros, ``{% set %}`` blocks and ``caller()`` build their text with."""
        out: list[str] = []
        total = 0
        for chunk in chunks:
            total += len(chunk)
            self._too_big(total)
            out.append(chunk)
        return "".join(out)

    def checked_join(self, join: Any, parts: tuple[Any, ...]) -> Any:
        """``a ~ b``: refused before joining when the result would pass the limit."""
        self._too_big(sum(_size(p) for p in parts))
        return join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "+":
            if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                self._too_big(len(left) + len(right))
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple, bytes)) and isinstance(times, int):
                    self._too_big(len(seq) * max(times, 0))
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                self._too_big(int(right * abs(left).bit_length() * 0.302) + 1)  # decimal digits
        elif operator == "%":
            self._check_format(left)
            args = right.values() if isinstance(right, dict) else right if isinstance(right, tuple) else (right,)
            self._too_big(_size(left) + sum(_size(a) for a in args))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _STRETCHERS:
                for value in [*args, *kwargs.values()]:
                    if isinstance(value, int):
                        __self._too_big(value)
            elif name == "join" and args:
                items = list(args[0])
                __self._too_big(sum(_size(i) for i in items) + len(owner) * len(items))
                args = (items, *args[1:])
            elif name == "replace" and len(args) >= 2:
                __self._too_big(len(owner) + owner.count(str(args[0])) * _size(args[1]))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        """``"{:>999999999}".format(x)``: the sandbox's own str.format, after a look at the widths."""
        owner = getattr(value, "__self__", None)
        if not (isinstance(owner, str) and getattr(value, "__name__", "") in ("format", "format_map")):
            return super().wrap_str_format(value)
        self._check_format(owner)
        formatter = super().wrap_str_format(value)

        def checked(*args: Any, **kwargs: Any) -> Any:
            values = [*args, *kwargs.values()]
            if len(values) == 1 and isinstance(values[0], dict):  # format_map
                values = list(values[0].values())
            self._too_big(len(owner) + sum(_size(v) for v in values) * max(1, owner.count("{")))
            return formatter(*args, **kwargs) if formatter is not None else None

        return checked

    def _guard_width(self, func: Any, position: int) -> Any:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            values = list(args[position:position + 1]) + [v for k, v in kwargs.items() if k == "width"]
            for value in values:
                if isinstance(value, int) and not isinstance(value, bool):
                    self._too_big(value)
            return func(*args, **kwargs)

        guarded.__name__ = func.__name__
        return guarded

    def _guard_join(self, func: Any) -> Any:
        def guarded(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
            items = list(value) if not isinstance(value, str) else [value]
            self._too_big(sum(_size(i) for i in items) + len(str(d)) * len(items))
            return func(eval_ctx, items, d, attribute)

        guarded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
        return guarded

    def _guard_replace(self, func: Any) -> Any:
        def guarded(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
            text = str(s)
            times = text.count(str(old)) if count is None else min(int(count), text.count(str(old)))
            self._too_big(len(text) + times * _size(new))
            return func(eval_ctx, s, old, new, count)

        guarded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
        return guarded

    def _guard_format(self, func: Any) -> Any:
        def guarded(value: Any, *args: Any, **kwargs: Any) -> Any:
            self._check_format(value)
            return func(value, *args, **kwargs)

        return guarded
