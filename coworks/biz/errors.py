"""Every error the workflow layer raises: one sentence saying what to fix, the thing it is about attached.

::

    CoworksError                      (coworks.errors)
     └── WorkflowError                a workflow built, loaded or run in a way that cannot work
          ├── WorkflowValidationError a definition's problems, all at once (.name, .problems)
          ├── UnresolvedResourceError Task resources run_local has no implementation for (.unresolved)
          ├── StateNotFoundError      workflow[name] for a state it does not hold (.workflow, .state);
          │                           also a KeyError, as a mapping's lookup is
          ├── ExpressionSyntaxError   text inside a field that cannot be parsed (.expression);
          │    │                      also a ValueError, which callers caught before it was a WorkflowError
          │    ├── PathSyntaxError       a JSONPath
          │    ├── IntrinsicSyntaxError  an intrinsic function call (States.Format(...)), or its arity
          │    └── JsonataSyntaxError    a {% JSONata %} expression
          └── StatesError             an ASL error inside a run (.error, .cause): States.TaskFailed, HTTP404...

``except WorkflowError`` catches all of them; ``except CoworksError`` anything Coworks raises.

``Problem`` is not an error: it is one line of a :class:`WorkflowValidationError` (and what
``Workflow.problems()`` lists). Failures *inside* an execution are not Python exceptions for the
caller: a :class:`StatesError` becomes a Retry, a Catch or a failed execution (``status ==
"FAILED"`` with its ``error``/``cause``), as on AWS; it never escapes ``run_local``.
"""

from __future__ import annotations

from dataclasses import dataclass

from coworks.errors import CoworksError


class WorkflowError(CoworksError):
    """A workflow was built, loaded or run in a way that cannot work; the message says what to fix."""


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is (``States.Check.Choices[0].Next``) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class WorkflowValidationError(WorkflowError):
    """A definition has problems; ``problems`` lists every one so they can be fixed in one pass."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"Workflow {name!r} has {count}:\n{lines}")


class UnresolvedResourceError(WorkflowError):
    """A Task names a resource that ``run_local`` cannot call; raised before the run starts."""

    def __init__(self, unresolved: dict[str, str]) -> None:
        self.unresolved = unresolved
        lines = "\n".join(f"  - state {s!r}: {r}" for s, r in unresolved.items())
        super().__init__(
            "These Task resources have no implementation; pass them in services={...} "
            f"(a TechMicroService, a callable, or an invoker):\n{lines}"
        )


class StateNotFoundError(WorkflowError, KeyError):
    """``workflow[name]`` names no state of the workflow (nested ones included)."""

    def __init__(self, workflow: str, state: str) -> None:
        self.workflow = workflow
        self.state = state
        super().__init__(f"Workflow {workflow!r} has no state named {state!r}.")

    def __str__(self) -> str:  # KeyError would show the message quoted, as a repr
        return str(self.args[0])


class ExpressionSyntaxError(WorkflowError, ValueError):
    """Text inside a field (a path, an intrinsic call, a JSONata expression) that cannot be parsed."""

    def __init__(self, message: str, *, expression: object) -> None:
        super().__init__(message)
        #: The text as written (not necessarily a string: a field may hold any JSON value).
        self.expression = expression


class PathSyntaxError(ExpressionSyntaxError):
    """A JSONPath that neither the simple reader nor jsonpath-ng can parse."""


class IntrinsicSyntaxError(ExpressionSyntaxError):
    """An intrinsic function call that cannot be parsed, or has the wrong number of arguments."""


class JsonataSyntaxError(ExpressionSyntaxError):
    """A ``{% %}`` expression that JSONata cannot parse."""


class StatesError(WorkflowError):
    """An ASL-level failure inside a run (``States.TaskFailed``, ``HTTP404``...).

    The executor turns it into a Catch, a Retry or a failed execution; it never reaches the user
    as an exception from ``run_local``.
    """

    def __init__(self, error: str, cause: str | None = "") -> None:
        self.error = error
        #: None when AWS records no cause at all (a task's timeout, a Fail state without Cause).
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else error)

    def details(self) -> dict[str, str]:
        """``{"error", "cause"}`` as a history event carries them: what is absent is left out."""
        return {k: v for k, v in (("error", self.error), ("cause", self.cause)) if v is not None}
