"""JSONata in ASL: ``"{% ... %}"`` strings, evaluated with ``$states`` and the variables bound.

jsonata-python is imported on first use only. AWS adds a few functions to standard JSONata
(``$partition``, ``$range``, ``$hash``, ``$random``, ``$uuid``, ``$parse``); they are registered
on each compiled expression so definitions written for AWS run unchanged.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from coworks.biz.errors import JsonataSyntaxError, StatesError

#: Evaluates against the bindings (``{"states": {...}, **variables}``).
Evaluator = Callable[[dict[str, Any]], Any]


def is_jsonata(value: Any) -> bool:
    """True for a ``"{% expression %}"`` string."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def inner(value: str) -> str:
    """The expression inside ``{% ... %}``."""
    return value[2:-2].strip()


_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _extensions() -> dict[str, Callable[..., Any]]:
    def partition(array: list[Any], size: int) -> list[list[Any]]:
        return [array[i : i + int(size)] for i in range(0, len(array), int(size))]

    def range_(start: int, end: int, step: int) -> list[int]:
        return list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))

    def hash_(data: Any, algorithm: str) -> str:
        text = data if isinstance(data, str) else json.dumps(data)
        return hashlib.new(_ALGORITHMS[algorithm], text.encode()).hexdigest()

    def random_(seed: int | None = None) -> float:
        return (random.Random(seed) if seed is not None else random).random()

    return {
        "partition": partition,
        "range": range_,
        "hash": hash_,
        "random": random_,
        "uuid": lambda: str(uuid.uuid4()),
        "parse": json.loads,
    }


@lru_cache(maxsize=4096)
def compile_jsonata(text: str) -> Any:
    """Parse a JSONata expression (the inside of ``{% %}``) once; raises JsonataSyntaxError."""
    import jsonata

    try:
        expr = jsonata.Jsonata(text)
    except Exception as exc:
        raise JsonataSyntaxError(f"malformed JSONata {text!r}: {exc}", expression=text) from None
    for name, func in _extensions().items():
        expr.register_lambda(name, func)
    expr.set_output_convert_nulls(False)  # so that undefined (None) and null (NULL_VALUE) stay apart
    return expr


def evaluate(text: str, bindings: dict[str, Any]) -> Any:
    """Evaluate ``{% text %}`` (already stripped) with ``bindings``; errors are ASL errors.

    An expression that evaluates to nothing (JSONata's undefined) fails the state as on AWS:
    ``States.QueryEvaluationError``, "The JSONata expression '...' returned nothing (undefined)."
    """
    from jsonata.utils import Utils

    try:
        expr = compile_jsonata(text)
        result = expr.evaluate(None, bindings)
    except JsonataSyntaxError as exc:
        raise StatesError("States.QueryEvaluationError", str(exc)) from None
    except StatesError:
        raise
    except Exception as exc:
        raise StatesError("States.QueryEvaluationError", f"The JSONata expression '{text}' failed: {exc}") from None
    if result is None:
        raise StatesError("States.QueryEvaluationError",
                          f"The JSONata expression '{text}' returned nothing (undefined).")
    return Utils.convert_nulls(result)


def compile_value(template: Any) -> Evaluator:
    """A JSONata-mode field value: ``{% %}`` strings evaluated, anything else kept, recursively."""
    if is_jsonata(template):
        text = inner(template)
        return lambda bindings: evaluate(text, bindings)
    if isinstance(template, dict) and _dynamic(template):
        parts = [(k, compile_value(v)) for k, v in template.items()]
        return lambda bindings: {k: f(bindings) for k, f in parts}
    if isinstance(template, list) and _dynamic(template):
        items = [compile_value(v) for v in template]
        return lambda bindings: [f(bindings) for f in items]
    return lambda bindings: template


def _dynamic(value: Any) -> bool:
    values = value.values() if isinstance(value, dict) else value
    return any(is_jsonata(v) or (isinstance(v, dict | list) and _dynamic(v)) for v in values)


def jsonata_strings(value: Any) -> list[str]:
    """Every ``{% %}`` string inside a field value (for validation)."""
    if is_jsonata(value):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in jsonata_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in jsonata_strings(v)]
    return []
