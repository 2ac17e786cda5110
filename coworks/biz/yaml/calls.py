"""The call a Task makes, as the YAML format writes it: ``task: service.entry``, ``route:`` and
``with:``, read back from a built Task or guessed from its ASL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coworks.biz.entries import LAMBDA_INVOKE, call_fields
from coworks.biz.errors import WorkflowError
from coworks.biz.refs import Ref
from coworks.runtime.routing import VERBS

from .vocabulary import _INTRINSIC, ENTRY_CALL


@dataclass(frozen=True)
class Call:
    """What ``task: service.entry`` says: the deployed service (its function name), the entry,
    its route and the arguments as written in YAML (strings starting with ``$`` read the input)."""

    service: str
    entry: str
    method: str
    path: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    def fields(self, jsonata: bool) -> dict[str, Any]:
        """The ASL fields of the Task (Resource, Parameters and ResultSelector, or Arguments and Output)."""
        args = self.args if jsonata else {k: _as_ref(v) for k, v in self.args.items()}
        return call_fields(self.service, self.method, self.path, args, jsonata=jsonata)


def named_route(entry: str) -> tuple[str, str]:
    """The route an entry's name gives (``get_item`` -> ``GET /item``), as the runtime names routes."""
    tokens = [t for t in entry.rstrip("_").split("_") if t]
    method = "POST"
    if tokens and tokens[0] in VERBS:
        method = tokens.pop(0).upper()
    return method, "/" + "/".join(tokens)


def is_reference(value: Any) -> bool:
    """A YAML argument read at run time: a path (``$.id``, ``$$.Execution.Id``, ``$total``) or an
    intrinsic call (``States.UUID()``)."""
    return isinstance(value, str) and (value.startswith("$") or bool(_INTRINSIC.match(value)))


def _as_ref(value: Any) -> Any:
    if is_reference(value):
        return Ref(value)
    if isinstance(value, dict):
        return {k: _as_ref(v) for k, v in value.items()}
    return value


def _from_ref(value: Any) -> Any:
    """An argument of a Python-built Task as YAML writes it; raises ValueError where it cannot."""
    if isinstance(value, Ref):
        return value.expression
    if isinstance(value, dict):
        return {k: _from_ref(v) for k, v in value.items()}
    if isinstance(value, list):
        if any(isinstance(v, Ref) for v in value):
            raise ValueError("a Ref inside a list")
        return value
    if is_reference(value):
        raise ValueError("a constant that reads as a reference")
    return value


def builder_call(task: Any) -> Call | None:
    """The call of a Task built in Python as ``Task(service.entry, **args)``."""
    entry_call = getattr(task, "entry_call", None)
    if entry_call is None:
        return None
    entry, args = entry_call
    service = getattr(entry, "__self__", None)
    try:
        route = service.route_of(entry)  # type: ignore[union-attr]
        return Call(str(service.name), route.name, route.method, route.path,  # type: ignore[union-attr]
                    {k: _from_ref(v) for k, v in args.items()})
    except (ValueError, AttributeError, WorkflowError):
        return None


def guess_call(state: dict[str, Any]) -> Call | None:
    """The call of a Task loaded from ASL, when its invoke has the shape an entry call compiles to
    and a static path (a path built with ``States.Format`` does not say its parameters' names)."""
    params = state.get("Parameters")
    if state.get("Resource") != LAMBDA_INVOKE or not isinstance(params, dict) or set(params) != {
        "FunctionName", "Payload"}:
        return None
    payload = params["Payload"]
    function = params["FunctionName"]
    if not isinstance(payload, dict) or not isinstance(function, str) or not ENTRY_CALL.match(f"{function}.x"):
        return None
    method, path = payload.get("method"), payload.get("path")
    if not isinstance(method, str) or not isinstance(path, str) or not set(payload) <= {"method", "path", "params",
                                                                                          "body"}:
        return None
    segments = [s for s in path.split("/") if s]
    if not all(s.isidentifier() for s in segments) or method.lower() not in VERBS:
        return None
    entry = "_".join([method.lower(), *segments])
    if named_route(entry) != (method, path):
        return None
    raw = payload.get("params", payload.get("body", {}))
    if not isinstance(raw, dict):
        return None
    try:
        return Call(function, entry, method, path, _decode_template(raw))
    except ValueError:
        return None


def _decode_template(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key.endswith(".$"):
            if not is_reference(item):
                raise ValueError(key)
            out[key[:-2]] = item
        elif isinstance(item, dict):
            out[key] = _decode_template(item)
        elif is_reference(item):
            raise ValueError(key)
        else:
            out[key] = item
    return out


