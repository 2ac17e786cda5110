"""Choice states and their rules, written with Python operators.

    Choice("Stock?").when(Var("$.qty") > 0, ship).when(Var("$.kind") == "pen", order).otherwise(done)

``Var`` compares with a literal (``NumericGreaterThan``...) or another ``Var`` (``...Path``);
``&``, ``|`` and ``~`` build And/Or/Not; ``Condition("{% ... %}")`` is the JSONata form.
The comparator is chosen from the literal's type, or from ``Var(path, kind="timestamp")``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from coworks.biz.errors import WorkflowError
from coworks.biz.states import _COMMON, State, name_of, ordered


class Rule:
    """A Choice rule as its ASL dict (without ``Next``); combine with ``&``, ``|`` and ``~``."""

    #: Key order of the rule as loaded from ASL, so it is written back the same way.
    order: tuple[str, ...] = ()

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __and__(self, other: Rule) -> Rule:
        return And(self, other)

    def __or__(self, other: Rule) -> Rule:
        return Or(self, other)

    def __invert__(self) -> Rule:
        return Not(self)

    def __bool__(self) -> bool:
        raise WorkflowError(
            "A Choice rule has no truth value in Python; combine rules with &, | and ~, not and/or/not."
        )

    def __repr__(self) -> str:
        return f"Rule({rule_text(self.data)})"


def And(*rules: Rule) -> Rule:  # noqa: N802 - named after the ASL operator
    """All rules hold (flattens nested And so ``a & b & c`` stays one level)."""
    flat: list[dict[str, Any]] = []
    for rule in rules:
        flat.extend(rule.data["And"] if set(rule.data) == {"And"} else [rule.data])
    return Rule({"And": flat})


def Or(*rules: Rule) -> Rule:  # noqa: N802
    """Any rule holds."""
    flat: list[dict[str, Any]] = []
    for rule in rules:
        flat.extend(rule.data["Or"] if set(rule.data) == {"Or"} else [rule.data])
    return Rule({"Or": flat})


def Not(rule: Rule) -> Rule:  # noqa: N802
    """The rule does not hold."""
    return Rule({"Not": rule.data})


def Condition(expression: str) -> Rule:  # noqa: N802
    """A JSONata rule: ``Condition("{% $states.input.qty > 0 %}")``."""
    return Rule({"Condition": expression})


_OPS = {"==": "Equals", "<": "LessThan", ">": "GreaterThan", "<=": "LessThanEquals", ">=": "GreaterThanEquals"}


class Var:
    """A JSONPath in the state input to compare; ``kind`` forces String/Numeric/Boolean/Timestamp."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, path: str, kind: str | None = None) -> None:
        self.path = path
        self.kind = kind

    def _compare(self, op: str, other: Any) -> Rule:
        suffix = _OPS[op]
        if isinstance(other, Var):
            kind = self.kind or other.kind or "Numeric"
            return Rule({"Variable": self.path, f"{kind.capitalize()}{suffix}Path": other.path})
        if self.kind:
            kind = self.kind.capitalize()
        elif isinstance(other, bool):
            kind = "Boolean"
        elif isinstance(other, int | float):
            kind = "Numeric"
        elif isinstance(other, str):
            kind = "String"
        else:
            raise WorkflowError(f"Cannot compare {self.path} with {other!r}; use a string, number, boolean or Var.")
        if kind == "Boolean" and op != "==":
            raise WorkflowError(f"Booleans only compare for equality; use Var({self.path!r}) == True/False.")
        return Rule({"Variable": self.path, f"{kind}{suffix}": other})

    def __eq__(self, other: Any) -> Rule:  # type: ignore[override]
        return self._compare("==", other)

    def __ne__(self, other: Any) -> Rule:  # type: ignore[override]
        return Not(self._compare("==", other))

    def __lt__(self, other: Any) -> Rule:
        return self._compare("<", other)

    def __le__(self, other: Any) -> Rule:
        return self._compare("<=", other)

    def __gt__(self, other: Any) -> Rule:
        return self._compare(">", other)

    def __ge__(self, other: Any) -> Rule:
        return self._compare(">=", other)

    def matches(self, pattern: str) -> Rule:
        """String glob with ``*`` (``StringMatches``)."""
        return Rule({"Variable": self.path, "StringMatches": pattern})

    def _is(self, what: str, flag: bool) -> Rule:
        return Rule({"Variable": self.path, f"Is{what}": flag})

    def is_present(self, flag: bool = True) -> Rule:
        return self._is("Present", flag)

    def is_null(self, flag: bool = True) -> Rule:
        return self._is("Null", flag)

    def is_numeric(self, flag: bool = True) -> Rule:
        return self._is("Numeric", flag)

    def is_string(self, flag: bool = True) -> Rule:
        return self._is("String", flag)

    def is_boolean(self, flag: bool = True) -> Rule:
        return self._is("Boolean", flag)

    def is_timestamp(self, flag: bool = True) -> Rule:
        return self._is("Timestamp", flag)

    @property
    def ts(self) -> Var:
        """The same path compared as a timestamp: ``Var("$.at").ts < "2024-01-01T00:00:00Z"``."""
        return Var(self.path, "timestamp")


_SYMBOLS = {"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=", "GreaterThanEquals": ">="}


def rule_text(data: Any) -> str:
    """A short human reading of a rule (``$.qty > 0 and $.kind == 'pen'``), used on graph edges."""
    if not isinstance(data, dict):
        return repr(data)
    if "Condition" in data:
        return str(data["Condition"]).removeprefix("{%").removesuffix("%}").strip()
    if "And" in data or "Or" in data:
        word = "and" if "And" in data else "or"
        parts = data.get("And", data.get("Or")) or []
        return f" {word} ".join(f"({rule_text(p)})" if ("And" in p or "Or" in p) else rule_text(p) for p in parts)
    if "Not" in data:
        return f"not ({rule_text(data['Not'])})"
    var = data.get("Variable", "?")
    for key, value in data.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        if key.startswith("Is"):
            return f"{var} is {'' if value else 'not '}{key[2:].lower()}"
        if key == "StringMatches":
            return f"{var} like {value!r}"
        base = key.removesuffix("Path")
        for kind in ("String", "Numeric", "Boolean", "Timestamp"):
            if base.startswith(kind) and base[len(kind) :] in _SYMBOLS:
                shown = value if key.endswith("Path") else repr(value)
                return f"{var} {_SYMBOLS[base[len(kind) :]]} {shown}"
    return str(data)


class Choice(State):
    """Branches on rules, in order; ``otherwise`` is where to go when none holds."""

    type = "Choice"
    terminal = True
    options = _COMMON

    def __init__(
        self,
        name: str,
        choices: list[tuple[Rule, State | str]] | None = None,
        default: State | str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(name, **options)
        self.choices: list[tuple[Rule, Any]] | None = []
        self.default: Any = default
        for rule, target in choices or []:
            self.when(rule, target)

    def when(self, rule: Rule, next: State | str, **extra: Any) -> Choice:
        """Go to ``next`` when ``rule`` holds; ``extra`` adds ASL rule fields (Comment, Assign, Output)."""
        if not isinstance(rule, Rule):
            raise WorkflowError(f"Choice {self.name!r}: when() needs a rule such as Var('$.x') > 0, got {rule!r}.")
        data = dict(rule.data)
        data.update(extra)
        if self.choices is None:
            self.choices = []
        self.choices.append((Rule(data), _entry(next)))
        return self

    def otherwise(self, next: State | str) -> Choice:
        """Where to go when no rule holds (ASL ``Default``)."""
        self.default = _entry(next)
        return self

    def successors(self) -> Iterator[Any]:
        for _, target in self.choices or []:
            if target is not None:
                yield target
        if self.default is not None:
            yield self.default

    def structure(self, data: dict[str, Any]) -> None:
        if self.choices is not None:
            rules = []
            for rule, target in self.choices:
                entry = dict(rule.data)
                if target is not None:
                    entry["Next"] = name_of(target)
                rules.append(ordered(entry, rule.order))
            data["Choices"] = rules
        if self.default is not None:
            data["Default"] = name_of(self.default)


def _entry(target: Any) -> Any:
    """A chain (``a >> b``) given as a target is entered at its first state."""
    from coworks.biz.states import Chain

    return target.head if isinstance(target, Chain) else target
