"""Errors of the workflow layer.

Everything the workflow layer raises for a user mistake derives from :class:`WorkflowError`, itself
a :class:`coworks.errors.CoworksError`, so ``except CoworksError`` catches any Coworks problem.
Failures *inside* an execution (a Task raising, a Fail state) are not Python exceptions: they end
the execution with ``status == "FAILED"`` and an ``error``/``cause`` pair, like on AWS.
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


class StatesError(WorkflowError):
    """An ASL-level failure inside a run (``States.TaskFailed``, ``HTTP404``...).

    The executor turns it into a Catch, a Retry or a failed execution; it never reaches the user
    as an exception from ``run_local``.
    """

    def __init__(self, error: str, cause: str = "") -> None:
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else error)
