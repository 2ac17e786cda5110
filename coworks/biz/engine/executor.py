"""The local executor: runs an ASL definition in-process with Step Functions semantics.

Pure state-machine logic lives in the steps (``steps``, ``tasks``, ``choice``, ``iteration``),
which run in a ``scope``; this module compiles a definition into them, resolves Task resources up
front, and drives an execution: its context object, variables, clock, history and final status.

It is the only module that knows every step class: it compiles the bodies nested in a Parallel
or Map and hands them to the step, so the steps that run bodies never need the compiler.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from coworks.biz.engine.choice import ChoiceStep
from coworks.biz.engine.clock import Clock, SimulatedClock
from coworks.biz.engine.execution import Execution, History, aws_timestamp
from coworks.biz.engine.invokers import Resolver
from coworks.biz.engine.iteration import MapStep, ParallelStep
from coworks.biz.engine.scope import Body, ExecutionTimedOut, Run, Runnable, Scope, run_body
from coworks.biz.engine.steps import FailStep, PassStep, Step, SucceedStep, WaitStep, dumps
from coworks.biz.engine.tasks import TaskStep
from coworks.biz.errors import StatesError, UnresolvedResourceError, WorkflowError, WorkflowValidationError
from coworks.biz.lang.validation import check

#: How long an execution may run, by workflow type (Step Functions quotas, "Maximum execution time":
#: Standard 1 year, Express 5 minutes; https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html,
#: https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html).
MAX_DURATION = {"STANDARD": 365 * 24 * 3600.0, "EXPRESS": 300.0}

#: The steps of the state types that nest no body.
_STEPS: dict[str, type[Step]] = {
    "Pass": PassStep,
    "Succeed": SucceedStep,
    "Fail": FailStep,
    "Wait": WaitStep,
    "Choice": ChoiceStep,
    "Task": TaskStep,
}


def compile_body(spec: dict[str, Any], ql: str, tasks: list[TaskStep]) -> Body:
    """Compile a body, the bodies nested in its Parallel and Map states first; every Task step
    is appended to ``tasks`` (in document order) to be resolved before the run."""
    ql = spec.get("QueryLanguage", ql)
    steps: dict[str, Runnable] = {}
    for name, state in spec["States"].items():
        steps[name] = _compile_state(name, state, ql, tasks)
    return Body(spec["StartAt"], steps)


def _compile_state(name: str, state: dict[str, Any], ql: str, tasks: list[TaskStep]) -> Step:
    kind = state["Type"]
    inner = state.get("QueryLanguage", ql)  # what the nested bodies inherit
    if kind == "Parallel":
        return ParallelStep(name, state, ql, [compile_body(b, inner, tasks) for b in state["Branches"]])
    if kind == "Map":
        processor = state.get("ItemProcessor") or state["Iterator"]
        return MapStep(name, state, ql, compile_body(processor, inner, tasks))
    step = _STEPS[kind](name, state, ql)
    if isinstance(step, TaskStep):
        tasks.append(step)
    return step


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
        workflow_type: str = "STANDARD",
    ) -> None:
        """``workflow_type`` is the state machine's, STANDARD or EXPRESS: an execution lasts at most
        its ``TimeoutSeconds`` and at most the type's ``MAX_DURATION``, then times out."""
        if workflow_type not in MAX_DURATION:
            raise WorkflowError(f"The workflow type {workflow_type!r} is neither STANDARD nor EXPRESS: "
                                "give one of them.")
        problems = check(definition)
        if problems:
            raise WorkflowValidationError(workflow_name, problems)
        self.definition = definition
        self.name = workflow_name
        self.workflow_type = workflow_type
        self.clock = clock
        self.region = region
        self.arn = f"arn:aws:states:{region}:{account}:stateMachine:{workflow_name}"
        #: The role the state machine runs as, shown in ExecutionStarted (a placeholder locally).
        self.role_arn = role_arn or f"arn:aws:iam::{account}:role/{workflow_name}"
        self.seed = seed
        self.max_events = max_events
        self.resolver = Resolver(services)
        tasks: list[TaskStep] = []
        self.body = compile_body(definition, "JSONPath", tasks)
        self.ql = definition.get("QueryLanguage", "JSONPath")
        unresolved = {t.name: t.resource for t in tasks if not t.bind(self.resolver)}
        for step in self._maps(self.body):
            unresolved.update(step.bind(self.resolver))
        if unresolved:
            raise UnresolvedResourceError(unresolved)

    def _maps(self, body: Body) -> list[MapStep]:
        out: list[MapStep] = []
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
        redrive_count: int = 0,
        reuse: Mapping[tuple[Any, ...], Any] | None = None,
        kept: dict[tuple[Any, ...], Any] | None = None,
    ) -> Execution:
        """Execute once; never raises for failures inside the workflow (see ``status``).
        ``redrive_count`` is ``$$.Execution.RedriveCount`` (a redriven execution's run), ``reuse``
        the ``kept`` outputs of the attempt it redrives: those branches and iterations do not run again.
        ``kept`` is where this run keeps its own (given, it holds them even if the run is stopped midway)."""
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
            "StartTime": aws_timestamp(start),
            "RoleArn": self.role_arn,
            "RedriveCount": redrive_count,
        }
        run = Run(
            history,
            execution_ctx,
            {"Id": self.arn, "Name": self.name},
            self.resolver,
            random.Random(self.seed),
            self.region,
        )
        run.reuse = dict(reuse or {})
        if kept is not None:
            run.kept = kept
        timeout, limit = self.definition.get("TimeoutSeconds"), MAX_DURATION[self.workflow_type]
        if timeout is not None and timeout <= limit:
            run.deadline, run.deadline_cause = float(timeout), "The execution ran longer than its TimeoutSeconds."
        else:  # the type's limit: AWS records no cause we know of
            run.deadline = limit
        scope = Scope(run, clock, {})
        execution = Execution(name, arn, data, start=start, definition=self.definition, kept=run.kept)
        scope.event(
            "ExecutionStarted",
            {
                "input": dumps(data),
                "inputDetails": {"truncated": False},
                "roleArn": execution_ctx["RoleArn"],
            },
        )
        try:
            try:
                output = run_body(self.body, data, scope)
            except StatesError:
                raise
            except Exception as exc:  # a fault of the executor itself: the execution fails, run_local never raises
                raise StatesError("States.Runtime", f"{type(exc).__name__}: {exc}") from exc
        except StatesError as err:
            timed_out = isinstance(err, ExecutionTimedOut)
            execution.status = "TIMED_OUT" if timed_out else "FAILED"
            execution.error, execution.cause = err.error or None, err.cause
            kind = "ExecutionTimedOut" if timed_out else "ExecutionFailed"
            scope.event(kind, {k: v for k, v in err.details().items() if v})
        else:
            execution.status, execution.output = "SUCCEEDED", output
            scope.event("ExecutionSucceeded", {"output": dumps(output), "outputDetails": {"truncated": False}})
        execution.stop = clock.now()
        execution.history = history.events
        return execution
