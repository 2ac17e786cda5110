"""Where compiled states run: a body of steps, the scope it runs in, and the loop that runs it.

A :class:`Scope` is what a step sees of the execution: the clock (forked per concurrent branch),
the variables, the Map item, and the :class:`Run` every branch shares (history, context object,
resolver, seeded randomness). :func:`run_body` is the loop from ``StartAt`` to a terminal state.

Steps and the Parallel/Map steps that nest bodies both depend on this module and on nothing
above it; the executor, which compiles definitions into steps, sits on top of them all.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from coworks.biz.engine.clock import Clock
from coworks.biz.engine.execution import History, aws_timestamp
from coworks.biz.engine.invokers import Resolver
from coworks.biz.errors import StatesError


class ExecutionTimedOut(StatesError):
    """The execution ran past its deadline (its ``TimeoutSeconds``, or the 5 minutes an Express
    execution may last): no Retry or Catch of any state takes it, the execution ends TIMED_OUT."""

    def __init__(self, cause: str | None) -> None:
        super().__init__("States.Timeout", cause)


class Runnable(Protocol):
    """A compiled state, as a body runs it (every :class:`~coworks.biz.engine.steps.Step`)."""

    def run(self, raw: Any, scope: Scope) -> tuple[Any, str | None]:
        """The state's output and the name of the next state (None when the body ends)."""
        ...


@dataclass
class Body:
    """A compiled ``StartAt``/``States`` body."""

    start: str
    steps: Mapping[str, Runnable]


@dataclass
class Run:
    """What every branch of one execution shares."""

    history: History
    execution: dict[str, Any]
    machine: dict[str, Any]
    resolver: Resolver
    rng: random.Random
    region: str
    #: Seconds on the execution's clock after which it times out, and the cause it then records.
    deadline: float | None = None
    deadline_cause: str | None = None
    #: The output of each Parallel branch and Map iteration that succeeded, by its place (``Scope.place``):
    #: what a redrive of the execution reuses instead of running them again.
    kept: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    #: What an earlier attempt kept, when this run is its redrive.
    reuse: dict[tuple[Any, ...], Any] = field(default_factory=dict)


@dataclass
class Scope:
    """Where a body runs: its clock (forked per concurrent branch), variables, Map item."""

    run: Run
    clock: Clock
    variables: dict[str, Any]
    previous: int = 0
    map_item: dict[str, Any] | None = None
    assigned: dict[str, Any] = field(default_factory=dict)
    #: Where this scope runs: the (state, branch or item index) pairs of the Parallels and Maps around it.
    place: tuple[Any, ...] = ()
    #: The last state output and its JSON, so the next state's entered event reuses the text.
    last_output: Any = None
    last_text: str = ""

    def sleep(self, seconds: float) -> None:
        """Let time pass (a Wait, a Retry's delay), never past the execution's deadline: an execution
        that would still be waiting then times out at its deadline, as AWS times it out."""
        deadline = self.run.deadline
        if deadline is not None and self.clock.elapsed() + seconds > deadline:
            self.clock.sleep(deadline - self.clock.elapsed())
            raise ExecutionTimedOut(self.run.deadline_cause)
        self.clock.sleep(seconds)

    def check_deadline(self) -> None:
        """Raise ``ExecutionTimedOut`` once the execution's clock is past its deadline."""
        if self.run.deadline is not None and self.clock.elapsed() > self.run.deadline:
            raise ExecutionTimedOut(self.run.deadline_cause)

    def event(self, event_type: str, details: dict[str, Any] | None) -> int:
        self.previous = self.run.history.emit(event_type, self.clock.now(), self.previous, details)
        return self.previous

    def context(self, name: str, entered: datetime, retries: int | None) -> dict[str, Any]:
        """The context object (``$$``) for a state; ``RetryCount`` only where given (the states that retry)."""
        state: dict[str, Any] = {"EnteredTime": aws_timestamp(entered), "Name": name}
        if retries is not None:
            state["RetryCount"] = retries
        ctx = {
            "Execution": self.run.execution,
            "StateMachine": self.run.machine,
            "State": state,
        }
        if self.map_item is not None:
            ctx["Map"] = {"Item": self.map_item}
        return ctx

    def bindings(self, raw: Any, ctx: dict[str, Any], *, result: Any = None, error: Any = None) -> dict[str, Any]:
        """JSONata bindings: the variables and ``$states``."""
        states: dict[str, Any] = {"input": raw, "context": ctx}
        if result is not None:
            states["result"] = result
        if error is not None:
            states["errorOutput"] = error
        return {**self.variables, "states": states}

    def assign(self, values: Any) -> None:
        if not isinstance(values, dict):
            raise StatesError("States.Runtime", f"Assign must produce an object of variables, got {values!r}.")
        self.variables.update(values)
        self.assigned.update(values)

    def child(self, clock: Clock, map_item: dict[str, Any] | None = None, place: tuple[Any, ...] = ()) -> Scope:
        """A scope for a Parallel branch or Map iteration: outer variables are copied in, and
        nothing assigned inside leaks out (as on AWS)."""
        return Scope(self.run, clock, dict(self.variables), self.previous, map_item, place=place or self.place)


def run_body(body: Body, data: Any, scope: Scope) -> Any:
    """Run a body from its StartAt to a terminal state; returns its output. Every body, nested
    ones too, stops at the execution's deadline: no state starts after it."""
    name: str | None = body.start
    steps = body.steps
    while name is not None:
        data, name = steps[name].run(data, scope)
        scope.check_deadline()
    return data
