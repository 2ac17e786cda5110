"""Loading ASL (Amazon States Language) definitions into builder objects.

The loader is deliberately lenient: it keeps anything it does not model verbatim, so a valid
definition round-trips exactly and an invalid one still loads far enough for ``validate()`` to
list all of its problems.
"""

from __future__ import annotations

import json
from typing import Any

from coworks.biz.branches import Branch, Map, Parallel
from coworks.biz.choice import Choice, Rule
from coworks.biz.errors import WorkflowError
from coworks.biz.states import Catch, Fail, Pass, Retry, State, Succeed, Task, Wait

STATE_TYPES: dict[str, type[State]] = {
    cls.type: cls for cls in (Task, Pass, Choice, Wait, Parallel, Map, Succeed, Fail)
}


class UnknownState(State):
    """A state whose ``Type`` is not an ASL type; kept so validation can name it."""

    type = ""


def parse_definition(definition: dict[str, Any] | str | bytes) -> dict[str, Any]:
    """The definition as a dict, from a dict or its JSON text."""
    if isinstance(definition, str | bytes):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise WorkflowError(f"The ASL definition is not valid JSON ({exc}); fix the JSON text.") from None
    if not isinstance(definition, dict):
        raise WorkflowError(f"An ASL definition is a JSON object, got {type(definition).__name__}.")
    return definition


def load_body(data: dict[str, Any]) -> Branch:
    """A ``StartAt``/``States`` body with its links resolved to state objects where they exist."""
    raw_states = data.get("States")
    states: dict[str, Any] = {}
    if isinstance(raw_states, dict):
        states = {name: load_state(name, value) for name, value in raw_states.items()}
    for state in states.values():
        if isinstance(state, State):
            _resolve(state, states)
    start_name = data.get("StartAt")
    start = states.get(start_name, start_name) if isinstance(start_name, str) else start_name
    fields = {k: v for k, v in data.items() if k not in ("StartAt", "States")}
    if not isinstance(raw_states, dict) and "States" in data:
        fields["States"] = raw_states
    return Branch.raw(start, states, fields, tuple(data))


def _target(value: Any, states: dict[str, Any]) -> Any:
    found = states.get(value) if isinstance(value, str) else None
    return found if isinstance(found, State) else value


def _resolve(state: State, states: dict[str, Any]) -> None:
    state.next = _target(state.next, states)
    for catch in state.catches:
        catch.next = _target(catch.next, states)
    if isinstance(state, Choice):
        state.default = _target(state.default, states)
        if state.choices is not None:
            state.choices = [(rule, _target(t, states)) for rule, t in state.choices]


def load_state(name: str, data: Any) -> Any:
    """One state object from its ASL dict (non-dict values are kept as they are)."""
    if not isinstance(data, dict):
        return data
    cls = STATE_TYPES.get(data.get("Type"), UnknownState)  # type: ignore[arg-type]
    state = cls.__new__(cls)
    state.name = name
    state.fields = {}
    state.next = state.end = None
    state.retries, state.catches = [], []
    state._order = tuple(data)
    state.loaded = True
    _init_structure(state)
    linking = {"Next", "End", "Retry", "Catch"} if not cls.terminal else set()
    for key, value in data.items():
        if key == "Type" and cls is not UnknownState:
            continue
        if key == "Next" and key in linking:
            state.next = value
        elif key == "End" and key in linking:
            state.end = value
        elif key == "Retry" and key in linking and _list_of_dicts(value):
            state.retries = [Retry.from_asl(r) for r in value]
        elif key == "Catch" and key in linking and _list_of_dicts(value):
            state.catches = [Catch.from_asl(c) for c in value]
        elif not _structure(state, key, value):
            state.fields[key] = value
    return state


def _list_of_dicts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _structure(state: State, key: str, value: Any) -> bool:
    """Load a type-specific linking field; False when ``key`` is a plain field."""
    if isinstance(state, Choice):
        if key == "Choices" and _list_of_dicts(value):
            state.choices = []
            for entry in value:
                rule = Rule({k: v for k, v in entry.items() if k != "Next"})
                rule.order = tuple(entry)
                state.choices.append((rule, entry.get("Next")))
            return True
        if key == "Default":
            state.default = value
            return True
    if isinstance(state, Parallel):
        if key == "Branches" and isinstance(value, list):
            state.branches = [load_body(b) if isinstance(b, dict) else b for b in value]
            return True
    if isinstance(state, Map):
        if key in ("ItemProcessor", "Iterator") and state.processor is None:
            state.processor_key = key
            state.processor = load_body(value) if isinstance(value, dict) else value
            return True
    return False


def _init_structure(state: Any) -> None:
    """Give structural attributes their empty values when the ASL had none of those fields."""
    if isinstance(state, Choice) and not hasattr(state, "choices"):
        state.choices, state.default = None, None
    if isinstance(state, Parallel) and not hasattr(state, "branches"):
        state.branches = []
    if isinstance(state, Map) and not hasattr(state, "processor"):
        state.processor, state.processor_key = None, "ItemProcessor"
