"""The Choice step: the first rule that holds names the next state.

A JSONPath rule (``Variable`` and a comparator, And/Or/Not) is evaluated here against the
effective input; a JSONata rule's ``Condition`` is an expression that must give a boolean.
The builder's side of the same rules (``Var``, ``Rule``) is :mod:`coworks.biz.choice`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from coworks.biz.engine.scope import Scope
from coworks.biz.engine.steps import Step
from coworks.biz.errors import StatesError
from coworks.biz.lang.fields import TIMESTAMP
from coworks.biz.lang.jsonata import compile_value
from coworks.biz.lang.paths import compile_path

_OPS = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "GreaterThan": lambda a, b: a > b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThanEquals": lambda a, b: a >= b,
}


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, str) and TIMESTAMP.match(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    # ASL: '*' matches any run of characters; '\*' is a literal star.
    parts = re.split(r"(?<!\\)\*", pattern)
    return re.compile("^" + ".*".join(re.escape(p.replace("\\*", "*")) for p in parts) + "$", re.S)


def holds(rule: dict[str, Any], data: Any, ctx: dict[str, Any], variables: dict[str, Any]) -> bool:
    """Whether a JSONPath Choice rule holds for ``data``."""
    if "And" in rule:
        return all(holds(r, data, ctx, variables) for r in rule["And"])
    if "Or" in rule:
        return any(holds(r, data, ctx, variables) for r in rule["Or"])
    if "Not" in rule:
        return not holds(rule["Not"], data, ctx, variables)
    path = compile_path(rule["Variable"])
    for key, expected in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        if key == "IsPresent":
            return path.exists(data, ctx, variables) is bool(expected)
        value = path.get(data, ctx, variables)
        if key.startswith("Is"):
            kind = key[2:]
            actual = {
                "Null": value is None,
                "Numeric": _is_number(value),
                "String": isinstance(value, str),
                "Boolean": isinstance(value, bool),
                "Timestamp": _timestamp(value) is not None,
            }[kind]
            return actual is bool(expected)
        if key == "StringMatches":
            return isinstance(value, str) and bool(_glob(expected).match(value))
        if key.endswith("Path"):
            expected = compile_path(expected).get(data, ctx, variables)
            key = key[:-4]
        return _compare(key, value, expected)
    raise StatesError("States.Runtime", f"The Choice rule {rule!r} has no comparator.")


def _compare(key: str, value: Any, expected: Any) -> bool:
    for kind in ("String", "Numeric", "Boolean", "Timestamp"):
        if key.startswith(kind):
            op = _OPS[key[len(kind) :]]
            if kind == "String":
                return isinstance(value, str) and isinstance(expected, str) and op(value, expected)
            if kind == "Numeric":
                return _is_number(value) and _is_number(expected) and op(value, expected)
            if kind == "Boolean":
                return isinstance(value, bool) and value == expected
            a, b = _timestamp(value), _timestamp(expected)
            return a is not None and b is not None and op(a, b)
    raise StatesError("States.Runtime", f"Unknown Choice comparator {key!r}.")


class ChoiceStep(Step):
    """Choice: the first rule that holds names the next state, else Default, else an error."""

    def __init__(self, name: str, spec: dict[str, Any], ql: str) -> None:
        super().__init__(name, spec, ql)
        self.rules = spec.get("Choices", [])
        self.default = spec.get("Default")
        self.conditions = [compile_value(r["Condition"]) if self.jsonata else None for r in self.rules]

    def execute(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> tuple[Any, str | None]:
        if self.jsonata:
            bindings = scope.bindings(raw, ctx)
            for rule, condition in zip(self.rules, self.conditions, strict=True):
                result = condition(bindings)  # type: ignore[misc]
                if not isinstance(result, bool):
                    raise StatesError(
                        "States.QueryEvaluationError",
                        f"The Condition of Choice '{self.name}' returned {result!r}, not a boolean.",
                    )
                if result:
                    return self._leave(raw, rule, ctx, scope), rule["Next"]
        else:
            data = self.effective_input(raw, ctx, scope)
            for rule in self.rules:
                if holds(rule, data, ctx, scope.variables):
                    return self._leave(raw, rule, ctx, scope, data), rule["Next"]
            raw_out = data
            if self.default is not None:
                return self.finish(raw, raw_out, ctx, scope), self.default
        if self.default is not None:
            return self.finish(raw, raw, ctx, scope), self.default
        raise StatesError("States.NoChoiceMatched", f"No Choice rule of '{self.name}' matched and there is no Default.")

    def _leave(self, raw: Any, rule: dict[str, Any], ctx: dict[str, Any], scope: Scope, data: Any = None) -> Any:
        if self.jsonata and ("Output" in rule or "Assign" in rule):
            bindings = scope.bindings(raw, ctx)
            if "Assign" in rule:
                scope.assign(compile_value(rule["Assign"])(bindings))
            if "Assign" in self.spec and "Assign" not in rule:
                scope.assign(compile_value(self.spec["Assign"])(bindings))
            if "Output" in rule:
                return compile_value(rule["Output"])(bindings)
            return self.output(bindings) if self.output is not None else raw
        return self.finish(raw, raw if self.jsonata else data, ctx, scope)
