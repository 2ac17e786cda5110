"""Compiled states: the data flow of each ASL state type, with retries and catches.

Each state is compiled once into a ``Step`` whose ``run`` takes the raw state input and a
:class:`~coworks.biz.engine.scope.Scope` and returns ``(output, next state name or None)``; failures
are :class:`StatesError` exceptions, which the Retry/Catch wrapper handles like AWS does.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

from coworks.biz.engine.scope import ExecutionTimedOut, Scope
from coworks.biz.errors import StatesError
from coworks.biz.lang.fields import TIMESTAMP
from coworks.biz.lang.jsonata import compile_value, inner, is_jsonata
from coworks.biz.lang.paths import Path, compile_path, put
from coworks.biz.lang.templates import compile_expression, compile_template

_UNSET: Any = object()
_NO_CONTEXT: dict[str, Any] = {}
DATA_LIMIT = 262_144
UNCATCHABLE = frozenset({"States.Runtime"})
#: Errors that States.ALL does not match (they must be named explicitly). States.DataLimitExceeded
#: is caught by States.ALL, as AWS's executions record it.
NOT_IN_ALL = frozenset({"States.Runtime"})
#: The state types whose context object has ``$$.State.RetryCount`` (those that can retry).
RETRYING = frozenset({"Task", "Parallel", "Map"})


def _other(value: Any) -> str:
    """What JSON cannot hold, as text: a time as AWS writes times (``2024-01-01T00:00:00.000Z``)."""
    if isinstance(value, datetime):
        from coworks.biz.engine.execution import aws_timestamp

        return aws_timestamp(value)
    return str(value)


_ENCODE = json.JSONEncoder(separators=(",", ":"), default=_other).encode


def dumps(value: Any) -> str:
    """Compact JSON as AWS shows it in history events."""
    return _ENCODE(value)


def error_matches(names: list[str], error: str) -> bool:
    """Whether a Retry/Catch ``ErrorEquals`` list covers ``error``, with AWS's wildcards."""
    if error in names:
        return True
    if "States.ALL" in names and error not in NOT_IN_ALL:
        return True
    if error == "States.HeartbeatTimeout" and "States.Timeout" in names:
        return True
    return ("States.TaskFailed" in names and error not in NOT_IN_ALL and not error.endswith("Timeout")
            and error != "States.DataLimitExceeded")


class Step:
    """A compiled state: the data flow shared by all types (paths or JSONata, Assign)."""

    def __init__(self, name: str, spec: dict[str, Any], ql: str) -> None:
        self.name = name
        self.type = spec["Type"]
        self.spec = spec
        self.jsonata = spec.get("QueryLanguage", ql) == "JSONata"
        self.next: str | None = spec.get("Next")
        self.entered = f"{self.type}StateEntered"
        self.exited = f"{self.type}StateExited"
        self.input_path = self._path(spec.get("InputPath", _UNSET))
        self.output_path = self._path(spec.get("OutputPath", _UNSET))
        result_path = spec.get("ResultPath", "$")
        self.result_path: Path | None = compile_path(result_path) if result_path is not None else None
        self.replace_result = result_path == "$"
        self.parameters = compile_template(spec["Parameters"]) if "Parameters" in spec and not self.jsonata else None
        self.selector = compile_template(spec["ResultSelector"]) if "ResultSelector" in spec else None
        self.arguments = compile_value(spec["Arguments"]) if "Arguments" in spec and self.jsonata else None
        self.output = compile_value(spec["Output"]) if "Output" in spec and self.jsonata else None
        assign = spec.get("Assign")
        self.assign: Callable[..., Any] | None = None
        if assign is not None:
            self.assign = compile_value(assign) if self.jsonata else compile_template(assign)
        #: Only states that read ``$$`` (or JSONata's ``$states.context``) need a context object.
        self.uses_context = self.jsonata or "$$" in dumps(spec)
        self.retriers = [dict(r) for r in spec.get("Retry", [])]
        self.catchers = [dict(c) for c in spec.get("Catch", [])]

    @staticmethod
    def _path(value: Any) -> Any:
        if value is _UNSET or value is None:
            return value
        return compile_path(value)

    # -- data flow ---------------------------------------------------------------------------
    def effective_input(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> Any:
        """The input after InputPath and Parameters (JSONPath), or Arguments (JSONata)."""
        if self.jsonata:
            if self.arguments is None:
                return raw
            return self.arguments(scope.bindings(raw, ctx))
        data = raw
        if self.input_path is None:
            data = {}
        elif self.input_path is not _UNSET:
            data = self.input_path.get(raw, ctx, scope.variables)
        if self.parameters is not None:
            data = self.parameters(data, ctx, scope.variables)
        return data

    def finish(self, raw: Any, result: Any, ctx: dict[str, Any], scope: Scope) -> Any:
        """The state output from its result (ResultSelector, ResultPath, OutputPath or Output),
        after which Assign updates the variables (evaluated with the values from before)."""
        if self.jsonata:
            bindings = scope.bindings(raw, ctx, result=result)
            out = self.output(bindings) if self.output is not None else result
            if self.assign is not None:
                scope.assign(self.assign(bindings))
            return out
        # As on AWS (and LocalStack), JSONPath Assign reads the raw result, before ResultSelector.
        if self.assign is not None:
            scope.assign(self.assign(result, ctx, scope.variables))
        if self.selector is not None:
            result = self.selector(result, ctx, scope.variables)
        if self.replace_result:
            out = result
        elif self.result_path is None:
            out = raw
        else:
            out = put(raw, self.result_path, result)
        if self.output_path is None:
            return {}
        if self.output_path is not _UNSET:
            return self.output_path.get(out, ctx, scope.variables)
        return out

    # -- running -----------------------------------------------------------------------------
    def run(self, raw: Any, scope: Scope) -> tuple[Any, str | None]:
        entered = scope.clock.now()
        text = scope.last_text if raw is scope.last_output else dumps(raw)
        entered_id = scope.event(self.entered, {"name": self.name, "input": text, "inputDetails": {"truncated": False}})
        ctx = self.context(scope, entered) if self.uses_context or self.retriers else _NO_CONTEXT
        try:
            output, nxt = self.execute(raw, ctx, scope)
        except StatesError as err:
            if err.error == "States.Runtime" and (err.cause or "").startswith("Invalid path"):
                # AWS names the state and where it was entered.
                err.cause = (
                    f"An error occurred while executing the state '{self.name}' "
                    f"(entered at the event id #{entered_id}). {err.cause}"
                )
            if err.error == "States.QueryEvaluationError" and not getattr(err, "recorded", False):
                # AWS records a JSONata failure as its own event before the state (or execution) fails.
                err.recorded = True  # type: ignore[attr-defined]
                scope.event("EvaluationFailed", {**err.details(), "state": self.name})
            raise
        text = dumps(output)
        scope.last_output, scope.last_text = output, text
        self._check_size(output, text)
        details: dict[str, Any] = {"name": self.name, "output": text, "outputDetails": {"truncated": False}}
        if scope.assigned:
            details["assignedVariables"] = {k: dumps(v) for k, v in scope.assigned.items()}
            details["assignedVariablesDetails"] = {"truncated": False}
            scope.assigned = {}
        scope.event(self.exited, details)
        return output, nxt

    def _check_size(self, value: Any, text: str | None = None) -> None:
        text = dumps(value) if text is None else text
        if len(text) > DATA_LIMIT // 4 and len(text.encode()) > DATA_LIMIT:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The state/task '{self.name}' returned a result with a "
                f"size exceeding the maximum number of bytes service limit.",
            )

    def context(self, scope: Scope, entered: datetime, retries: int = 0) -> dict[str, Any]:
        """``$$`` for this state: ``State.RetryCount`` only in the states that can retry."""
        return scope.context(self.name, entered, retries if self.type in RETRYING else None)

    def execute(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> tuple[Any, str | None]:
        """Type-specific behaviour; the default passes the effective input through."""
        return self.finish(raw, self.effective_input(raw, ctx, scope), ctx, scope), self.next

    def guarded(
        self, raw: Any, ctx: dict[str, Any], scope: Scope, attempt: Callable[[dict[str, Any]], Any]
    ) -> tuple[Any, str | None]:
        """Run ``attempt`` (which returns the result) under this state's Retry and Catch rules."""
        counts = [0] * len(self.retriers)
        retries = 0
        while True:
            try:
                result = attempt(ctx)
                self._check_size(result)  # inside the try: a result over the limit is caught like any error
                return self.finish(raw, result, ctx, scope), self.next
            except StatesError as err:
                if err.error in UNCATCHABLE or isinstance(err, ExecutionTimedOut):
                    raise
                delay = self._retry_delay(err.error, counts, scope.run.rng)
                if delay is not None:
                    scope.sleep(delay)
                    retries += 1
                    ctx = self.context(scope, datetime.fromisoformat(ctx["State"]["EnteredTime"]), retries)
                    continue
                for catcher in self.catchers:
                    if error_matches(catcher.get("ErrorEquals", []), err.error):
                        return self._caught(raw, err, catcher, ctx, scope), catcher["Next"]
                raise

    def _retry_delay(self, error: str, counts: list[int], rng: random.Random) -> float | None:
        for i, retrier in enumerate(self.retriers):
            if not error_matches(retrier.get("ErrorEquals", []), error):
                continue
            if counts[i] >= retrier.get("MaxAttempts", 3):
                return None
            delay = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** counts[i]
            if "MaxDelaySeconds" in retrier:
                delay = min(delay, retrier["MaxDelaySeconds"])
            if retrier.get("JitterStrategy") == "FULL":
                delay = rng.uniform(0, delay)
            counts[i] += 1
            return float(delay)
        return None

    def _caught(self, raw: Any, err: StatesError, catcher: dict[str, Any], ctx: dict[str, Any], scope: Scope) -> Any:
        error_output = {k.capitalize(): v for k, v in err.details().items()}
        if self.jsonata:
            bindings = scope.bindings(raw, ctx, error=error_output)
            if "Assign" in catcher:
                scope.assign(compile_value(catcher["Assign"])(bindings))
            return compile_value(catcher["Output"])(bindings) if "Output" in catcher else error_output
        if "Assign" in catcher:
            scope.assign(compile_template(catcher["Assign"])(error_output, ctx, scope.variables))
        result_path = catcher.get("ResultPath", "$")
        if result_path is None:
            return raw
        return put(raw, compile_path(result_path), error_output)

    def number(self, key: str, raw: Any, ctx: dict[str, Any], scope: Scope, data: Any = None) -> Any:
        """A numeric field given literally, by ``<key>Path`` or as JSONata (None when absent)."""
        value = self.spec.get(key)
        if is_jsonata(value):
            return compile_value(value)(scope.bindings(raw, ctx))
        if value is None and f"{key}Path" in self.spec:
            return compile_path(self.spec[f"{key}Path"]).get(raw if data is None else data, ctx, scope.variables)
        return value


class PassStep(Step):
    """Pass: the result is ``Result``, or the effective input."""

    def execute(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> tuple[Any, str | None]:
        if "Result" in self.spec and not self.jsonata:
            return self.finish(raw, self.spec["Result"], ctx, scope), self.next
        if self.jsonata:
            return self.finish(raw, raw, ctx, scope), self.next
        return self.finish(raw, self.effective_input(raw, ctx, scope), ctx, scope), self.next


class SucceedStep(Step):
    """Succeed: ends the machine (or branch) with the effective input as output."""

    def execute(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> tuple[Any, str | None]:
        data = raw if self.jsonata else self.effective_input(raw, ctx, scope)
        return self.finish(raw, data, ctx, scope), None


class FailStep(Step):
    """Fail: ends the machine (or branch) with an error and a cause."""

    def run(self, raw: Any, scope: Scope) -> tuple[Any, str | None]:
        entered = scope.clock.now()
        scope.event(self.entered, {"name": self.name, "input": dumps(raw), "inputDetails": {"truncated": False}})
        ctx = self.context(scope, entered)
        values: list[str | None] = []
        for key in ("Error", "Cause"):
            value = self.spec.get(key)
            if self.jsonata and is_jsonata(value):
                value = compile_value(value)(scope.bindings(raw, ctx))
            elif f"{key}Path" in self.spec:  # a path or an intrinsic call, as in a template
                value = compile_expression(self.spec[f"{key}Path"])(raw, ctx, scope.variables)
            values.append(None if value is None else str(value))
        # Without Error or Cause, AWS records none: no invented States.Fail.
        raise StatesError(values[0] or "", values[1])


class WaitStep(Step):
    """Wait: lets time pass on the execution's clock (instantly when simulated).

    A value read at run time is checked as AWS checks it: SecondsPath must give a non-negative
    integer and TimestampPath an RFC 3339 timestamp with its zone, else ``States.Runtime`` with
    AWS's cause; in JSONata, a bad Seconds or Timestamp is ``States.QueryEvaluationError``."""

    def execute(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> tuple[Any, str | None]:
        data = raw if self.jsonata else self.effective_input(raw, ctx, scope)
        if "Seconds" in self.spec or "SecondsPath" in self.spec:
            seconds = self._value("Seconds", raw, data, ctx, scope)
            if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
                raise self._bad("Seconds", seconds, "a non-negative integer")
            scope.sleep(float(seconds))
        else:
            stamp = self._value("Timestamp", raw, data, ctx, scope)
            if not isinstance(stamp, str) or not TIMESTAMP.match(stamp):
                raise self._bad("Timestamp", stamp, "an ISO-8601 extended offset date-time")
            until = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            scope.sleep((until - scope.clock.now()).total_seconds())
        return self.finish(raw, data, ctx, scope), self.next

    def _value(self, key: str, raw: Any, data: Any, ctx: dict[str, Any], scope: Scope) -> Any:
        if f"{key}Path" not in self.spec:
            return self.number(key, raw, ctx, scope, data)
        path = self.spec[f"{key}Path"]
        try:
            return compile_path(path).get(data, ctx, scope.variables)
        except StatesError:
            raise StatesError("States.Runtime",
                              f"The {key}Path parameter does not reference an input value: {path}") from None

    def _bad(self, key: str, value: Any, wanted: str) -> StatesError:
        if self.jsonata:
            text = inner(self.spec[key]) if is_jsonata(self.spec.get(key)) else dumps(self.spec.get(key))
            return StatesError(
                "States.QueryEvaluationError",
                f"The JSONata expression '{text}' specified for the field '{key}' returned an unexpected result type. "
                f"Expected {wanted}, but was '{_jsonata_type(value)}' for value: {dumps(value)}")
        path = self.spec[f"{key}Path"]
        if key == "Seconds":
            if isinstance(value, int) and not isinstance(value, bool):
                return StatesError("States.Runtime",
                                   f"The SecondsPath parameter references a negative value: {path} == {value}")
            return StatesError("States.Runtime",
                               f"The SecondsPath parameter cannot be parsed as a long value: {path} == {dumps(value)}")
        shown = value if isinstance(value, str) else dumps(value)
        return StatesError("States.Runtime", "The TimestampPath parameter does not reference a valid ISO-8601 "
                                             f"extended offset date-time format string: {path} == {shown}")


def _jsonata_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    kinds: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return kinds.get(type(value), type(value).__name__)
