"""The Task step: resolve the resource, call it, record the events AWS records, time it out."""

from __future__ import annotations

import uuid
from typing import Any

from coworks.biz.engine.invokers import Call, Resolver, TaskContext
from coworks.biz.engine.scope import Scope
from coworks.biz.engine.steps import Step, dumps
from coworks.biz.errors import StatesError

DEFAULT_TIMEOUT = 99_999_999


def resource_kind(resource: str) -> tuple[str, str]:
    """``("lambda", "invoke")`` for ``arn:aws:states:::lambda:invoke``, as TaskScheduled names it."""
    if resource.startswith("arn:aws:states:::"):
        service, _, action = resource[len("arn:aws:states:::") :].partition(":")
        return service, action
    parts = resource.split(":")
    return (parts[2] if len(parts) > 2 else "unknown"), (parts[-1] if parts else resource)


class TaskStep(Step):
    """Task: effective input -> resource call -> result, under Retry/Catch and timeouts."""

    def __init__(self, name: str, spec: dict[str, Any], ql: str) -> None:
        super().__init__(name, spec, ql)
        self.resource: str = spec["Resource"]
        self.call: Call | None = None
        self.kind = "resource"
        self.resource_type, self.resource_name = resource_kind(self.resource)
        self.token = self.resource.endswith(".waitForTaskToken")

    def bind(self, resolver: Resolver) -> bool:
        """Find the implementation before the run; False when there is none."""
        params = self.spec.get("Arguments" if self.jsonata else "Parameters")
        found = resolver.resolve(self.resource, params if isinstance(params, dict) else {})
        if found is None:
            return False
        self.kind, self.call = found
        return True

    def execute(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> tuple[Any, str | None]:
        return self.guarded(raw, ctx, scope, lambda c: self.attempt(raw, c, scope))

    def attempt(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> Any:
        if self.token:
            ctx = {**ctx, "Task": {"Token": uuid.uuid4().hex}}
        params = self.effective_input(raw, ctx, scope)
        timeout = self.number("TimeoutSeconds", raw, ctx, scope) or DEFAULT_TIMEOUT
        heartbeat = self.number("HeartbeatSeconds", raw, ctx, scope)
        plain_lambda = self.kind == "lambda"
        prefix = "LambdaFunction" if plain_lambda else "Task"
        ids = {"resourceType": self.resource_type, "resource": self.resource_name}
        scheduled: dict[str, Any]
        if plain_lambda:
            scheduled = {"resource": self.resource, "input": dumps(params), "inputDetails": {"truncated": False}}
        else:
            scheduled = {**ids, "region": scope.run.region, "parameters": dumps(params)}
        scheduled["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            scheduled["heartbeatInSeconds"] = heartbeat
        scope.event(f"{prefix}Scheduled", scheduled)
        scope.event(f"{prefix}Started", None if plain_lambda else ids)
        task_ctx = TaskContext(scope.clock, self.name, ctx.get("Task", {}).get("Token"))
        started = scope.clock.elapsed()
        call = self.call
        try:
            if call is None:  # pragma: no cover - bind() runs before every execution
                raise StatesError("States.TaskFailed", f"No implementation for {self.resource}.")
            if scope.clock.real and timeout < DEFAULT_TIMEOUT:
                # In real time a task that hangs is cut off at TimeoutSeconds, as on AWS.
                result = scope.clock.call_with_timeout(lambda: call(params, task_ctx), float(timeout))
            else:
                result = call(params, task_ctx)
        except TimeoutError:
            # AWS records a task's timeout with its error and no cause.
            scope.event(f"{prefix}TimedOut", ({} if plain_lambda else ids) | {"error": "States.Timeout"})
            raise StatesError("States.Timeout", None) from None
        except StatesError as err:
            scope.event(f"{prefix}Failed", ({} if plain_lambda else ids) | err.details())
            raise
        timed_out = self._timed_out(started, scope.clock.elapsed(), timeout, heartbeat, task_ctx.heartbeats)
        if timed_out is not None:
            error = "States.HeartbeatTimeout" if timed_out.endswith("Heartbeat") else "States.Timeout"
            scope.event(f"{prefix}TimedOut", ({} if plain_lambda else ids) | {"error": error})
            raise StatesError(error, None)
        succeeded = {"output": dumps(result), "outputDetails": {"truncated": False}}
        scope.event(f"{prefix}Succeeded", succeeded if plain_lambda else ids | succeeded)
        return result

    @staticmethod
    def _timed_out(start: float, end: float, timeout: float, heartbeat: float | None, beats: list[float]) -> str | None:
        if heartbeat is not None:
            marks = [start, *beats, end]
            if any(b - a > heartbeat for a, b in zip(marks, marks[1:], strict=False)):
                return "Heartbeat"
        if end - start > timeout:
            return "Timeout"
        return None
