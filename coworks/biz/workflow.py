"""``Workflow``: a named state machine (a BizMicroService) built in Python or loaded from ASL.

Everything past the builder works on the ASL dict (``to_asl()``), so a workflow loaded from a
definition made elsewhere validates, draws and runs exactly like one built here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from coworks.biz.asl import load_body, parse_definition
from coworks.biz.branches import Branch
from coworks.biz.errors import Problem, StateNotFoundError, WorkflowError, WorkflowValidationError
from coworks.biz.states import Chain, State, Task

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

    from coworks.biz.engine.clock import Clock
    from coworks.biz.engine.execution import Execution


class Workflow:
    """A state machine: ``Workflow("invoicing", fetch >> check >> send, comment="...")``."""

    def __init__(
        self,
        name: str,
        start: State | Chain | Branch,
        *,
        comment: str | None = None,
        query_language: str | None = None,
        timeout_seconds: int | None = None,
        version: str | None = None,
        triggers: list[Any] | tuple[Any, ...] = (),
    ) -> None:
        if not isinstance(name, str) or not name:
            raise WorkflowError(f"A Workflow needs a non-empty name, got {name!r}.")
        self.name = name
        #: What starts it once deployed: "rate(1 hour)", "cron(0 8 * * ? *)" or EventBridge
        #: event-pattern dicts. Not part of the ASL: the deploy turns them into rules.
        self.triggers = tuple(triggers)
        self.body = start if isinstance(start, Branch) else Branch(start)
        given = {
            "Comment": comment,
            "QueryLanguage": query_language,
            "TimeoutSeconds": timeout_seconds,
            "Version": version,
        }
        self.body.fields.update({k: v for k, v in given.items() if v is not None})
        if query_language == "JSONata":
            for state in self.body.walk():
                if isinstance(state, Task):
                    state.use_jsonata()

    @classmethod
    def from_asl(cls, definition: dict[str, Any] | str | bytes, name: str = "workflow") -> Workflow:
        """Load any ASL definition (dict or JSON text); ``from_asl(d).to_asl() == d``."""
        return cls(name, load_body(parse_definition(definition)))

    @classmethod
    def from_yaml(cls, source: str | os.PathLike[str]) -> Workflow:
        """Load a workflow written in YAML for people (text, or a ``.yaml``/``.yml`` path); see
        :mod:`coworks.biz.yaml`. Its comments come back out of :meth:`to_yaml`."""
        from coworks.biz.yaml import load_source, remember

        compiled, doc = load_source(source)
        workflow = cls(compiled.name, load_body(compiled.definition), triggers=compiled.triggers)
        remember(workflow, doc, compiled.calls)
        return workflow

    def to_yaml(self) -> str:
        """The workflow in the YAML format: ``Workflow.from_yaml(wf.to_yaml()).to_asl() == wf.to_asl()``."""
        from coworks.biz.yaml import dump_workflow

        return dump_workflow(self)

    def to_asl(self) -> dict[str, Any]:
        """The ASL definition as a dict, ready for ``json.dumps`` or CreateStateMachine."""
        return self.body.to_asl()

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_asl(), indent=indent)

    @property
    def states(self) -> dict[str, State]:
        """Every state, nested ones included, by name."""
        return {s.name: s for s in self.body.walk()}

    def __getitem__(self, name: str) -> State:
        try:
            return self.states[name]
        except KeyError:
            raise StateNotFoundError(self.name, name) from None

    def problems(self) -> list[Problem]:
        """Every problem of the definition (empty when valid); see :meth:`validate`."""
        from coworks.biz.lang.validation import check

        return check(self.to_asl())

    def validate(self) -> Workflow:
        """Raise :class:`WorkflowValidationError` listing every problem at once; returns self."""
        problems = self.problems()
        if problems:
            raise WorkflowValidationError(self.name, problems)
        return self

    def graph(
        self, execution: Execution | None = None, *, history: list[dict[str, Any]] | None = None
    ) -> graphviz.Digraph:
        """The workflow as a graphviz Digraph (dot layout).

        With ``execution`` (from ``run_local``) or ``history`` (GetExecutionHistory events of an
        AWS execution, or the events seen so far by an ``on_event`` callback), each state is
        coloured by its status.
        """
        from coworks.biz.graph import draw

        events = execution.history if execution is not None else history
        return draw(self.to_asl(), name=self.name, history=events)

    def _repr_svg_(self) -> str:
        """Inline SVG for Jupyter, rendered by the local ``dot`` binary (no network)."""
        return self.graph().pipe(format="svg").decode()

    def run_local(
        self,
        input: Any = None,
        *,
        services: Mapping[str, Any] | list[Any] | None = None,
        clock: Clock | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        name: str | None = None,
        type: str = "STANDARD",
    ) -> Execution:
        """Run the workflow in-process with Step Functions semantics and return the execution.

        ``services`` maps Task resources to implementations: TechMicroService instances (by their
        name, or a list of them), callables, or invokers; ``clock`` defaults to a simulated clock
        (Waits and Retry delays take no real time); ``on_event`` sees each history event live;
        ``type="EXPRESS"`` runs it as an Express machine would (5 minutes at most).
        """
        from coworks.biz.engine.executor import Executor

        executor = Executor(self.to_asl(), services=services, clock=clock, workflow_name=self.name,
                            workflow_type=type)
        return executor.run(input, on_event=on_event, name=name)

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, {len(self.states)} states)"
