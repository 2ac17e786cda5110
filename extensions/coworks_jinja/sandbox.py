"""The sandboxed Jinja environment: no Python internals, no mutation, no memory bombs.

On top of Jinja's ImmutableSandboxedEnvironment (no ``__class__``, ``__globals__``, ``mro``,
``list.append``..., ranges capped at 100,000): the operators and calls that can build a huge
string in one step (``"x" * 10**9``, ``2 ** 10**9``, ``"%999999999s" % x``,
``"{:>999999999}".format(x)``, ``"x".center(10**9)``, the ``center``, ``indent`` and ``format``
filters) are refused past the output limit, and undefined names are errors that name them.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import StrictUndefined, filters
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .filters import FILTERS

_WIDTH = re.compile(r"[0-9]+")
_STRETCHERS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox whose single operations cannot exceed ``max_output`` characters."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *, max_output: int, autoescape: bool, loader: Any = None) -> None:
        super().__init__(loader=loader, autoescape=autoescape, undefined=StrictUndefined,
                         keep_trailing_newline=True, auto_reload=True)
        self.max_output = max_output
        self.globals.pop("lipsum", None)  # text on demand: nothing a business template needs
        self.filters.update(FILTERS)
        self.filters["center"] = self._guard_width(filters.do_center, 1)
        self.filters["indent"] = self._guard_width(filters.do_indent, 1)
        self.filters["format"] = self._guard_format(filters.do_format)

    def _too_big(self, size: int) -> None:
        if size > self.max_output:
            raise SecurityError(f"the operation would build {size} characters, over the limit of {self.max_output}")

    def _check_format(self, text: Any) -> None:
        if isinstance(text, str):
            for number in _WIDTH.findall(text):
                if len(number) > 9 or int(number) > self.max_output:
                    self._too_big(int(number) if len(number) <= 9 else 10**9)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple, bytes)) and isinstance(times, int):
                    self._too_big(len(seq) * max(times, 0))
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                self._too_big(int(right * abs(left).bit_length() * 0.302) + 1)  # decimal digits
        elif operator == "%":
            self._check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str) and name in _STRETCHERS:
            for value in [*args, *kwargs.values()]:
                if isinstance(value, int):
                    __self._too_big(value)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        """``"{:>999999999}".format(x)``: the sandbox's own str.format, after a look at the widths."""
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and getattr(value, "__name__", "") in ("format", "format_map"):
            self._check_format(owner)
        return super().wrap_str_format(value)

    def _guard_width(self, func: Any, position: int) -> Any:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            values = list(args[position:position + 1]) + [v for k, v in kwargs.items() if k == "width"]
            for value in values:
                if isinstance(value, int) and not isinstance(value, bool):
                    self._too_big(value)
            return func(*args, **kwargs)

        guarded.__name__ = func.__name__
        return guarded

    def _guard_format(self, func: Any) -> Any:
        def guarded(value: Any, *args: Any, **kwargs: Any) -> Any:
            self._check_format(value)
            return func(value, *args, **kwargs)

        return guarded
