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
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
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


@dataclass(frozen=True)
class Invoked:
    """What Lambda answered a synchronous Invoke: the payload, the version that ran (an alias
    resolved), the request id and status. An invoker may return it instead of the bare payload."""

    payload: Any
    executed_version: str = "$LATEST"
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status_code: int = 200


def compact(value: Any) -> str:
    """JSON as AWS serialises an error's cause: no spaces."""
    return json.dumps(value, separators=(",", ":"))


def invoke_result(answer: Any, now: datetime | None = None) -> dict[str, Any]:
    """The result of ``arn:aws:states:::lambda:invoke`` as Step Functions records it: the SDK's
    response with its HTTP metadata (``SdkHttpMetadata``, ``SdkResponseMetadata``)."""
    invoked = answer if isinstance(answer, Invoked) else Invoked(answer)
    body = compact(invoked.payload)
    date = (now or datetime.now(UTC)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(body.encode())),
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": invoked.executed_version,
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": invoked.request_id,
        "X-Amzn-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0",
    }
    return {
        "ExecutedVersion": invoked.executed_version,
        "Payload": invoked.payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {k: [v] for k, v in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": invoked.status_code,
        },
        "SdkResponseMetadata": {"RequestId": invoked.request_id},
        "StatusCode": invoked.status_code,
    }


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


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
            if key is None and isinstance(target, Mapping):  # a list may hold a mapping of more services
                self.by_key.update(target)
                continue
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
            computed = not isinstance(parameters, dict) or _is_expression(name) or (
                name is None and "FunctionName.$" in parameters)
            if computed:  # known at run time only: never look up a function named "{% ... %}"
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
                run = getattr(invoker, "invoke_function", None) or invoker.invoke
                return lambda payload, ctx, run=run: run(name, payload)
        return None

    def _dynamic(self) -> Call:
        def call(parameters: Any, ctx: TaskContext) -> Any:
            name = parameters.get("FunctionName") if isinstance(parameters, dict) else None
            target = self._function(name) if isinstance(name, str) else None
            if target is None:
                raise StatesError("Lambda.ResourceNotFoundException", f"Function not found: {name}")
            return _lambda_invoke(target, str(name))(parameters, ctx)

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
    """A function error as Step Functions reports it: the ``errorType`` is the error, Lambda's error
    payload (``errorMessage``, ``errorType``, ``requestId``, ``stackTrace``, in the Python runtime's
    order) the cause (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html,
    https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html)."""
    if isinstance(exc, StatesError):
        return exc
    cause = {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": str(uuid.uuid4()),
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }
    return StatesError(type(exc).__name__, compact(cause))


def _lambda_invoke(target: Any, name: str) -> Call:
    def call(parameters: Any, ctx: TaskContext) -> Any:
        payload = parameters.get("Payload") if isinstance(parameters, dict) else None
        try:
            answer = _invoke_target(target, payload, ctx)
        except Exception as exc:
            raise _lambda_error(exc) from None
        return invoke_result(answer, ctx.clock.now() if hasattr(ctx.clock, "now") else None)

    return call


def _lambda(target: Any, arn: str) -> Call:
    def call(parameters: Any, ctx: TaskContext) -> Any:
        try:
            answer = _invoke_target(target, parameters, ctx)
        except Exception as exc:
            raise _lambda_error(exc) from None
        return answer.payload if isinstance(answer, Invoked) else answer

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
        return self.invoke_function(name, payload).payload

    def invoke_function(self, name: str, payload: Any) -> Invoked:
        """The invocation with what Lambda says of it (the version that ran, the request id)."""
        response = self.client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
        raw = response["Payload"].read() if hasattr(response["Payload"], "read") else response["Payload"]
        body = json.loads(raw) if raw else None
        if response.get("FunctionError"):
            error = body.get("errorType", "Lambda.Unknown") if isinstance(body, dict) else "Lambda.Unknown"
            raise StatesError(error, compact(body))
        metadata = response.get("ResponseMetadata") or {}
        return Invoked(body, response.get("ExecutedVersion") or "$LATEST",
                       metadata.get("RequestId") or str(uuid.uuid4()), int(response.get("StatusCode") or 200))
