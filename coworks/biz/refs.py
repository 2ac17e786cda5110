"""``Ref``: a dynamic value in the builder, and how it is written into ASL.

A payload template (Parameters, Assign, an entry's arguments) mixes constants and values read at
run time. In Python both are plain values, a ``Ref`` marking the dynamic ones; in ASL a JSONPath
workflow writes them as ``"key.$"`` entries and a JSONata workflow as ``{% %}`` strings. This
module is the one place that knows both spellings, so the states and the entry compiler share it
without depending on each other.
"""

from __future__ import annotations

from typing import Any

from coworks.biz.errors import WorkflowError


class Ref:
    """A dynamic value: a JSONPath (``Ref("$.id")``) or intrinsic (``Ref("States.UUID()")``).

    Inside ``parameters``/``assign``/entry arguments it compiles to the ASL ``"key.$"`` form, so
    ``{"id": Ref("$.id")}`` becomes ``{"id.$": "$.id"}`` without writing the suffix by hand.
    """

    __slots__ = ("expression",)

    def __init__(self, expression: str) -> None:
        self.expression = expression

    def __repr__(self) -> str:
        return f"Ref({self.expression!r})"


def encode_template(value: Any) -> Any:
    """Turn ``Ref`` values inside a payload template into ASL ``"key.$"`` entries (JSONPath)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, Ref):
                out[f"{key}.$"] = item.expression
            else:
                out[key] = encode_template(item)
        return out
    if isinstance(value, list):
        return [encode_template(v) for v in value]
    return value


def encode_jsonata(value: Any) -> Any:
    """Turn ``Ref`` values inside a payload template into ``{% %}`` strings (JSONata)."""
    if isinstance(value, Ref):
        return value.expression if value.expression.strip().startswith("{%") else "{% " + jsonata_inner(value) + " %}"
    if isinstance(value, dict):
        return {k: encode_jsonata(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode_jsonata(v) for v in value]
    return value


def jsonata_inner(value: Ref) -> str:
    """The expression inside a JSONata ``Ref('{% ... %}')``; any other Ref is a mistake there."""
    expr = value.expression.strip()
    if not (expr.startswith("{%") and expr.endswith("%}")):
        raise WorkflowError(f"In a JSONata workflow, write Ref('{{% $states.input.x %}}'), not Ref({expr!r}).")
    return expr[2:-2].strip()
