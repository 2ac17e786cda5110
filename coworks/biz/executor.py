"""The local executor: runs an ASL definition in-process with Step Functions semantics.

Pure state-machine logic lives in the steps (``steps``, ``tasks``, ``rules``, ``iteration``);
this module compiles a definition into them, resolves Task resources up front, and drives an
execution: its context object, variables, clock, history and final status.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from coworks.biz.clock import Clock, SimulatedClock
from coworks.biz.errors import StatesError, UnresolvedResourceError, WorkflowError, WorkflowValidationError
from coworks.biz.execution import Execution, History
from coworks.biz.invokers import Resolver
from coworks.biz.steps import FailStep, PassStep, Step, SucceedStep, WaitStep, dumps


@dataclass
class Body:
    """A compiled ``StartAt``/``States`` body."""

    start: str
    steps: dict[str, Step]


@dataclass
class Run:
    """What every branch of one execution shares."""

    history: History
    execution: dict[str, Any]
    machine: dict[str, Any]
    resolver: Resolver
    rng: random.Random
    region: str


@dataclass
class Scope:
    """Where a body runs: its clock (forked per concurrent branch), variables, Map item."""

    run: Run
    clock: Clock
    variables: dict[str, Any]
    previous: int = 0
    map_item: dict[str, Any] | None = None
    assigned: dict[str, Any] = field(default_factory=dict)
    #: The last state output and its JSON, so the next state's entered event reuses the text.
    last_output: Any = None
    last_text: str = ""

    def event(self, event_type: str, details: dict[str, Any] | None) -> int:
        self.previous = self.run.history.emit(event_type, self.clock.now(), self.previous, details)
        return self.previous

    def context(self, name: str, entered: datetime, retries: int) -> dict[str, Any]:
        """The context object (``$$``) for a state."""
        ctx = {
            "Execution": self.run.execution,
            "StateMachine": self.run.machine,
            "State": {"EnteredTime": entered.isoformat(), "Name": name, "RetryCount": retries},
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

    def child(self, clock: Clock, map_item: dict[str, Any] | None = None) -> Scope:
        """A scope for a Parallel branch or Map iteration: outer variables are copied in, and
        nothing assigned inside leaks out (as on AWS)."""
        return Scope(self.run, clock, dict(self.variables), self.previous, map_item)


def run_body(body: Body, data: Any, scope: Scope, deadline: float | None = None) -> Any:
    """Run a body from its StartAt to a terminal state; returns its output."""
    name: str | None = body.start
    steps = body.steps
    while name is not None:
        data, name = steps[name].run(data, scope)
        if deadline is not None and scope.clock.elapsed() > deadline:
            raise StatesError("States.Timeout", "The execution ran longer than its TimeoutSeconds.")
    return data


def compile_body(spec: dict[str, Any], ql: str, tasks: list[Any]) -> Body:
    """Compile a body; Task steps are appended to ``tasks`` for resolution."""
    from coworks.biz.iteration import MapStep, ParallelStep
    from coworks.biz.rules import ChoiceStep
    from coworks.biz.tasks import TaskStep

    classes: dict[str, type[Step]] = {
        "Pass": PassStep,
        "Succeed": SucceedStep,
        "Fail": FailStep,
        "Wait": WaitStep,
        "Choice": ChoiceStep,
        "Task": TaskStep,
        "Parallel": ParallelStep,
        "Map": MapStep,
    }
    ql = spec.get("QueryLanguage", ql)
    steps: dict[str, Step] = {}
    for name, state in spec["States"].items():
        step = classes[state["Type"]](name, state, ql)
        if isinstance(step, TaskStep):
            tasks.append(step)
        elif isinstance(step, ParallelStep | MapStep):
            step.compile(tasks)
        steps[name] = step
    return Body(spec["StartAt"], steps)


class Executor:
    """Compiles and checks a definition once; ``run`` executes it (as often as wanted)."""

    def __init__(
        self,
        definition: dict[str, Any],
        *,
        services: Mapping[str, Any] | Iterable[Any] | None = None,
        clock: Clock | None = None,
        workflow_name: str = "workflow",
        region: str = "us-east-1",
        account: str = "123456789012",
        seed: int | None = None,
        max_events: int = 25_000,
        role_arn: str | None = None,
    ) -> None:
        from coworks.biz.validation import check

        problems = check(definition)
        if problems:
            raise WorkflowValidationError(workflow_name, problems)
        self.definition = definition
        self.name = workflow_name
        self.clock = clock
        self.region = region
        self.arn = f"arn:aws:states:{region}:{account}:stateMachine:{workflow_name}"
        #: The role the state machine runs as, shown in ExecutionStarted (a placeholder locally).
        self.role_arn = role_arn or f"arn:aws:iam::{account}:role/{workflow_name}"
        self.seed = seed
        self.max_events = max_events
        self.resolver = Resolver(services)
        tasks: list[Any] = []
        self.body = compile_body(definition, "JSONPath", tasks)
        self.ql = definition.get("QueryLanguage", "JSONPath")
        unresolved = {t.name: t.resource for t in tasks if not t.bind(self.resolver)}
        for step in self._maps(self.body):
            unresolved.update(step.bind(self.resolver))
        if unresolved:
            raise UnresolvedResourceError(unresolved)

    def _maps(self, body: Body) -> list[Any]:
        from coworks.biz.iteration import MapStep, ParallelStep

        out: list[Any] = []
        for step in body.steps.values():
            if isinstance(step, MapStep):
                out.append(step)
                out.extend(self._maps(step.body))
            elif isinstance(step, ParallelStep):
                for branch in step.bodies:
                    out.extend(self._maps(branch))
        return out

    def run(
        self,
        input: Any = None,
        *,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        name: str | None = None,
    ) -> Execution:
        """Execute once; never raises for failures inside the workflow (see ``status``)."""
        data = {} if input is None else input
        try:
            json.dumps(data)
        except (TypeError, ValueError):
            raise WorkflowError(
                f"The input of {self.name!r} must be JSON data (dicts, lists, strings, numbers, booleans, None); "
                f"got {type(data).__name__} holding something else."
            ) from None
        clock = self.clock if self.clock is not None else SimulatedClock()
        name = name or uuid.uuid4().hex
        arn = self.arn.replace(":stateMachine:", ":execution:") + f":{name}"
        history = History(on_event, self.max_events)
        start = clock.now()
        execution_ctx = {
            "Id": arn,
            "Input": data,
            "Name": name,
            "StartTime": start.isoformat(),
            "RoleArn": self.role_arn,
            "RedriveCount": 0,
        }
        run = Run(
            history,
            execution_ctx,
            {"Id": self.arn, "Name": self.name},
            self.resolver,
            random.Random(self.seed),
            self.region,
        )
        scope = Scope(run, clock, {})
        execution = Execution(name, arn, data, start=start, definition=self.definition)
        scope.event(
            "ExecutionStarted",
            {
                "input": dumps(data),
                "inputDetails": {"truncated": False},
                "roleArn": execution_ctx["RoleArn"],
            },
        )
        timeout = self.definition.get("TimeoutSeconds")
        try:
            output = run_body(self.body, data, scope, deadline=timeout)
        except StatesError as err:
            timed_out = timeout is not None and err.error == "States.Timeout" and clock.elapsed() > timeout
            execution.status = "TIMED_OUT" if timed_out else "FAILED"
            execution.error, execution.cause = err.error, err.cause
            kind = "ExecutionTimedOut" if timed_out else "ExecutionFailed"
            scope.event(kind, {"error": err.error, "cause": err.cause})
        else:
            execution.status, execution.output = "SUCCEEDED", output
            scope.event("ExecutionSucceeded", {"output": dumps(output), "outputDetails": {"truncated": False}})
        execution.stop = clock.now()
        execution.history = history.events
        return execution
