"""Reading and rewriting the Lambda functions an ASL definition calls, for the deploy: which
functions a workflow's role may invoke, and each Task's FunctionName resolved to a deployed
service's stage alias."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


def _bodies(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The nested bodies of a Parallel (Branches) or a Map (ItemProcessor, or the older Iterator)."""
    found = list(state.get("Branches") or [])
    for key in ("ItemProcessor", "Iterator"):
        if isinstance(state.get(key), dict):
            found.append(state[key])
    return [b for b in found if isinstance(b, dict)]


def _tasks(body: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for state in (body.get("States") or {}).values():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Task":
            yield state
        for inner in _bodies(state):
            yield from _tasks(inner)


def _arguments(task: dict[str, Any]) -> dict[str, Any] | None:
    if not str(task.get("Resource", "")).startswith(LAMBDA_INVOKE):
        return None
    args = task.get("Arguments", task.get("Parameters"))
    return args if isinstance(args, dict) else None


def task_functions(definition: dict[str, Any]) -> list[str]:
    """The Lambda functions the Tasks name: ``lambda:invoke`` FunctionNames and function ARNs."""
    names: list[str] = []
    for task in _tasks(definition):
        resource = str(task.get("Resource", ""))
        args = _arguments(task)
        name = args.get("FunctionName") if args is not None else None
        if isinstance(name, str) and not name.strip().startswith("{%"):
            names.append(name)
        elif resource.startswith("arn:aws:lambda:") and ":function:" in resource:
            names.append(resource)
    return names


def resolve_functions(definition: dict[str, Any], resolve: Callable[[str], str]) -> dict[str, Any]:
    """A copy of ``definition`` where each literal ``lambda:invoke`` FunctionName went through ``resolve``."""
    copy: dict[str, Any] = json.loads(json.dumps(definition))
    for task in _tasks(copy):
        args = _arguments(task)
        name = args.get("FunctionName") if args is not None else None
        if args is not None and isinstance(name, str) and not name.strip().startswith("{%"):
            args["FunctionName"] = resolve(name)
    return copy
