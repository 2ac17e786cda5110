"""Resolving Task resources to implementations, and calling them as AWS would.

``services`` given to ``run_local`` may hold, by key or in a list:

* TechMicroService instances: called in-process with the direct-invocation event, as their
  Lambda would be (``lambda:invoke`` with ``FunctionName`` = the service's name);
* Python callables, keyed by function name, function ARN or any Resource ARN; called with the
  payload (and a :class:`TaskContext` if they take a second argument);
* invokers: objects with ``has_function(name)`` and ``invoke(name, payload)``, the seam through
  which a cloud (local workers or real AWS) runs deployed functions.

Resolution happens before the run, so a missing implementation fails fast with every name.
"""

from __future__ import annotations

import inspect
import json
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from coworks.biz.errors import StatesError, WorkflowError

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


@runtime_checkable
class Invoker(Protocol):
    """Runs functions deployed somewhere (the local cloud's workers, real AWS Lambda).

    ``name`` is the FunctionName as the Task gives it: a name, ``name:qualifier`` or an ARN.
    """

    def has_function(self, name: str) -> bool: ...

    def invoke(self, name: str, payload: Any) -> Any: ...


@dataclass
class TaskContext:
    """What a Python task may use: the clock (to take simulated time), heartbeats, the token."""

    clock: Any
    state: str
    token: str | None = None
    heartbeats: list[float] = field(default_factory=list)

    def heartbeat(self) -> None:
        """Tell the executor the task is alive (checked against HeartbeatSeconds)."""
        self.heartbeats.append(self.clock.elapsed())


#: A resolved Task: (parameters, context) -> result, raising StatesError on failure.
Call = Callable[[Any, TaskContext], Any]


def service_name(service: Any) -> str | None:
    """The Lambda name of a TechMicroService-like object (it has routes and a name)."""
    return getattr(service, "name", None) if hasattr(service, "route_of") else None


class Resolver:
    """Turns ``services`` into lookups by function name and by resource ARN."""

    def __init__(self, services: Mapping[str, Any] | Iterable[Any] | None) -> None:
        self.by_key: dict[str, Any] = {}
        self.invokers: list[Invoker] = []
        items: Iterable[tuple[str | None, Any]]
        if services is None:
            items = []
        elif isinstance(services, Mapping):
            items = list(services.items())
        else:
            items = [(None, s) for s in services]
        for key, target in items:
            if key is None:
                name = service_name(target)
                if name is not None:
                    self.by_key[name] = target
                elif isinstance(target, Invoker):
                    self.invokers.append(target)
                else:
                    raise WorkflowError(
                        f"services lists {target!r}, which is neither a TechMicroService nor an invoker; "
                        "key callables by resource or function name in a dict."
                    )
            else:
                self.by_key[key] = target

    def resolve(self, resource: str, parameters: Any) -> tuple[str, Call] | None:
        """``(kind, call)`` for a Task; kind is ``lambda-invoke``, ``lambda`` or ``resource``."""
        base = resource.removesuffix(".waitForTaskToken").removesuffix(".sync")
        if base in self.by_key:
            return "resource", _plain(self.by_key[base], resource)
        if base == LAMBDA_INVOKE:
            name = parameters.get("FunctionName") if isinstance(parameters, dict) else None
            if name is None and isinstance(parameters, dict) and "FunctionName.$" in parameters:
                return "lambda-invoke", self._dynamic()
            target = self._function(name) if isinstance(name, str) else None
            return ("lambda-invoke", _lambda_invoke(target, str(name))) if target is not None else None
        if base.startswith("arn:aws:lambda:") and ":function:" in base:
            target = self._function(base)
            return ("lambda", _lambda(target, base)) if target is not None else None
        return None

    def _function(self, name: str) -> Any:
        short = name.split(":function:")[-1].split(":")[0] if ":function:" in name else name
        for key in (name, short):
            if key in self.by_key:
                return self.by_key[key]
        for invoker in self.invokers:  # as the Task wrote it: a qualifier or an ARN says which version
            if invoker.has_function(name):
                return lambda payload, ctx, invoker=invoker: invoker.invoke(name, payload)
        return None

    def _dynamic(self) -> Call:
        def call(parameters: Any, ctx: TaskContext) -> Any:
            name = parameters.get("FunctionName")
            target = self._function(name) if isinstance(name, str) else None
            if target is None:
                raise StatesError("Lambda.ResourceNotFoundException", f"Function not found: {name}")
            return _lambda_invoke(target, name)(parameters, ctx)

        return call


def _invoke_target(target: Any, payload: Any, ctx: TaskContext) -> Any:
    """Call a service (as its Lambda handler) or a callable, with a copy of the payload."""
    payload = json.loads(json.dumps(payload))
    if service_name(target) is not None:
        return target(payload, None)
    if _wants_context(target):
        return target(payload, ctx)
    return target(payload)


def _wants_context(func: Any) -> bool:
    try:
        params = [
            p
            for p in inspect.signature(func).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return False
    return len(params) >= 2


def _lambda_error(exc: Exception) -> StatesError:
    if isinstance(exc, StatesError):
        return exc
    cause = {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__)[-3:],
    }
    return StatesError(type(exc).__name__, json.dumps(cause))


def _lambda_invoke(target: Any, name: str) -> Call:
    def call(parameters: Any, ctx: TaskContext) -> Any:
        try:
            body = _invoke_target(target, parameters.get("Payload"), ctx)
        except Exception as exc:
            raise _lambda_error(exc) from None
        return {"ExecutedVersion": "$LATEST", "Payload": body, "StatusCode": 200}

    return call


def _lambda(target: Any, arn: str) -> Call:
    def call(parameters: Any, ctx: TaskContext) -> Any:
        try:
            return _invoke_target(target, parameters, ctx)
        except Exception as exc:
            raise _lambda_error(exc) from None

    return call


def _plain(target: Any, resource: str) -> Call:
    if service_name(target) is not None:
        return _lambda(target, resource)
    if not callable(target):
        raise WorkflowError(f"services[{resource!r}] is {target!r}; give a callable or a TechMicroService.")

    def call(parameters: Any, ctx: TaskContext) -> Any:
        try:
            return _invoke_target(target, parameters, ctx)
        except StatesError:
            raise
        except Exception as exc:
            raise StatesError(type(exc).__name__, str(exc)) from None

    return call


class BotoLambdaInvoker:
    """An :class:`Invoker` over a boto3 Lambda client, for functions deployed on a cloud.

    ``BotoLambdaInvoker(boto3.client("lambda", endpoint_url=...))`` runs Tasks against real AWS or
    the local cloud's front door; a function error comes back as the ASL error its
    ``errorType`` names (``HTTP404`` for a Coworks service), as on Step Functions.
    """

    def __init__(self, client: Any, names: Iterable[str] | None = None) -> None:
        self.client = client
        self._known: dict[str, bool] = {n: True for n in names or ()}

    def has_function(self, name: str) -> bool:
        if name not in self._known:
            try:
                self.client.get_function(FunctionName=name)
                self._known[name] = True
            except Exception:  # the client's ResourceNotFoundException, or no access at all
                self._known[name] = False
        return self._known[name]

    def invoke(self, name: str, payload: Any) -> Any:
        response = self.client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
        raw = response["Payload"].read() if hasattr(response["Payload"], "read") else response["Payload"]
        body = json.loads(raw) if raw else None
        if response.get("FunctionError"):
            error = body.get("errorType", "Lambda.Unknown") if isinstance(body, dict) else "Lambda.Unknown"
            raise StatesError(error, json.dumps(body))
        return body
