"""Compiling ``Task(service.entry, **args)`` into a Lambda invoke of the direct-invocation event.

The service's Lambda handler understands ``{"method", "path", "params", "body", "headers"}`` and
answers with the parsed body (2xx) or raises ``HTTP<status>`` (non-2xx), so in ASL:

* JSONPath: ``Parameters = {"FunctionName": <service name>, "Payload": <event>}`` with dynamic
  values as ``"key.$"`` (a dynamic path segment uses ``States.Format``), and
  ``ResultSelector = {"body.$": "$.Payload"}``: the Task's result is ``{"body": <response body>}``
  (ResultSelector must build an object, and naming it ``body`` keeps ``ResultPath`` usable).
* JSONata: ``Arguments`` with ``{% %}`` expressions and ``Output = {% $states.result.Payload %}``:
  the Task's output is the response body itself.

Path placeholders (``/item/{item_id}``) take their argument; other arguments are the query
string for GET/DELETE/HEAD and the JSON body otherwise. A ``Catch`` on ``["HTTP404"]`` then
handles a 404 answer.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from coworks.biz.errors import WorkflowError
from coworks.biz.refs import Ref, encode_jsonata, encode_template, jsonata_inner

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_PLACEHOLDER = re.compile(r"{(\w+)}")
_QUERY_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS"})


def entry_fields(entry: Any, args: dict[str, Any], *, jsonata: bool = False) -> tuple[str, dict[str, Any]]:
    """The default state name and the ASL fields of a Task calling ``entry`` with ``args``."""
    service = getattr(entry, "__self__", None)
    if service is not None and not hasattr(service, "route_of") and hasattr(service, "service"):
        # A blueprint's entry: the service it is mounted on answers it, on the mounted path.
        if service.service is None:
            raise WorkflowError(f"Task({type(service).__name__}.{getattr(entry, '__name__', entry)}) calls a "
                                "blueprint that is not mounted: register_blueprint it on a service first.")
        service = service.service
    if service is None or not hasattr(service, "route_of"):
        raise WorkflowError(
            f"Task needs a state name or a TechMicroService entry such as inventory.get_item, got {entry!r}."
        )
    route = service.route_of(entry)
    _check_arguments(service, route, args)
    return route.name, call_fields(service.name, route.method, route.path, args, jsonata=jsonata)


def call_fields(
    function: str, method: str, path: str, args: dict[str, Any], *, jsonata: bool = False
) -> dict[str, Any]:
    """The ASL fields of a Task invoking ``method path`` on the service deployed as ``function``
    (what a Task calling an entry compiles to; the YAML format names the route itself)."""
    names = _PLACEHOLDER.findall(path)
    missing = [n for n in names if n not in args]
    if missing:
        raise WorkflowError(f"The route {method} {path} needs {', '.join(f'{m}=...' for m in missing)}.")
    rest = {k: v for k, v in args.items() if k not in names}
    payload: dict[str, Any] = {"method": method}
    if jsonata:
        payload["path"] = _jsonata_path(path, args)
        rest = {k: encode_jsonata(v) for k, v in rest.items()}
    else:
        dynamic = any(isinstance(args[n], Ref) for n in names)
        if dynamic:
            payload["path.$"] = _format_path(path, args)
        else:
            payload["path"] = _PLACEHOLDER.sub(lambda m: str(args[m.group(1)]), path)
        rest = encode_template(rest)
    if method in _QUERY_METHODS:
        if rest:
            payload["params"] = rest
    else:
        payload["body"] = rest
    fields: dict[str, Any] = {"Resource": LAMBDA_INVOKE}
    if jsonata:
        fields["Arguments"] = {"FunctionName": function, "Payload": payload}
        fields["Output"] = "{% $states.result.Payload %}"
    else:
        fields["Parameters"] = {"FunctionName": function, "Payload": payload}
        fields["ResultSelector"] = {"body.$": "$.Payload"}
    return fields


def _check_arguments(service: Any, route: Any, args: dict[str, Any]) -> None:
    where = f"{type(service).__name__}.{route.name}"
    missing = [n for n in _PLACEHOLDER.findall(route.path) if n not in args]
    if missing:
        raise WorkflowError(
            f"Task({where}) needs {', '.join(f'{m}=...' for m in missing)}: part of the path {route.path}."
        )
    try:
        params = inspect.signature(route.func).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins have no signature
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    known = set(params) - {"self"}
    unknown = sorted(set(args) - known)
    if unknown:
        raise WorkflowError(
            f"Task({where}) got {', '.join(unknown)}, which the entry does not take; "
            f"its parameters are: {', '.join(sorted(known)) or 'none'}."
        )


def _format_path(template: str, args: dict[str, Any]) -> str:
    """``States.Format('/item/{}', $.id)`` for a path with dynamic segments."""
    pieces: list[str] = []
    values: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append(_escape(template[last : match.start()]))
        value = args[match.group(1)]
        if isinstance(value, Ref):
            pieces.append("{}")
            values.append(value.expression)
        else:
            pieces.append(_escape(str(value)))
        last = match.end()
    pieces.append(_escape(template[last:]))
    return f"States.Format('{''.join(pieces)}', {', '.join(values)})"


def _escape(text: str) -> str:
    for char in "\\'{}":
        text = text.replace(char, "\\" + char)
    return text


def _jsonata_path(template: str, args: dict[str, Any]) -> str:
    names = _PLACEHOLDER.findall(template)
    dynamic = [n for n in names if isinstance(args[n], Ref) or _is_jsonata(args[n])]
    if not dynamic:
        return _PLACEHOLDER.sub(lambda m: str(args[m.group(1)]), template)
    parts: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[last : match.start()]
        if literal:
            parts.append("'" + literal.replace("'", "\\'") + "'")
        value = args[match.group(1)]
        if isinstance(value, Ref) or _is_jsonata(value):
            expr = jsonata_inner(value if isinstance(value, Ref) else Ref(value))
            parts.append(f"$string({expr})")
        else:
            parts.append("'" + str(value).replace("'", "\\'") + "'")
        last = match.end()
    if template[last:]:
        parts.append("'" + template[last:].replace("'", "\\'") + "'")
    return "{% " + " & ".join(parts) + " %}"


def _is_jsonata(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith("{%") and value.strip().endswith("%}")
