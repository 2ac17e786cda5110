"""ASL round-trip: from_asl -> to_asl is the identity on valid input (corpus and generated)."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coworks.biz import Workflow, WorkflowError
from coworks.biz.choice import Choice
from coworks.biz.states import Task

from .conftest import corpus

CORPUS = corpus()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_round_trips_exactly(name: str) -> None:
    definition = CORPUS[name]
    wf = Workflow.from_asl(definition)
    assert wf.to_asl() == definition
    # Key order is kept too, so the JSON text is the same.
    assert json.dumps(wf.to_asl()) == json.dumps(definition)
    assert Workflow.from_asl(json.dumps(definition)).to_asl() == definition


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_is_valid(name: str) -> None:
    Workflow.from_asl(CORPUS[name]).validate()


def test_loaded_states_are_builder_objects() -> None:
    wf = Workflow.from_asl(CORPUS["retry_catch"])
    task = wf["HelloWorld"]
    assert isinstance(task, Task)
    assert [c.next.name for c in task.catches] == ["CustomErrorFallback", "CatchAllFallback"]
    choice = Workflow.from_asl(CORPUS["choice_state"])["ChoiceStateX"]
    assert isinstance(choice, Choice) and choice.default.name == "DefaultState"


def test_loaded_workflows_can_be_edited() -> None:
    wf = Workflow.from_asl(CORPUS["hello_world"])
    wf["World"].set(result="Everyone")
    assert wf.to_asl()["States"]["World"]["Result"] == "Everyone"


def test_bad_text_is_explained() -> None:
    with pytest.raises(WorkflowError, match="not valid JSON"):
        Workflow.from_asl("{nope")
    with pytest.raises(WorkflowError, match="JSON object"):
        Workflow.from_asl("[]")


def test_invalid_definitions_still_load_for_validation() -> None:
    broken = {"StartAt": "A", "States": {"A": {"Type": "Nope"}, "B": "not a state", "C": {"Type": "Choice"}}}
    wf = Workflow.from_asl(broken)
    assert wf.to_asl()["States"]["B"] == "not a state"
    assert len(wf.problems()) >= 3


# -- generated definitions -------------------------------------------------------------------
names = st.text(alphabet=string.ascii_letters + string.digits + " -_", min_size=1, max_size=12)
result_paths = st.sampled_from(["$", "$.a", "$.a.b", "$.list[0]", "$['oddKey']"])
paths = st.one_of(result_paths, st.just("$$.Execution.Id"))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=8))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def state_machines(draw: Any, depth: int = 0) -> dict[str, Any]:
    state_names = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    if depth:  # names are unique in the whole machine, nested bodies included
        prefix = f"b{draw(st.integers(0, 10**9))}-"
        state_names = [prefix + n for n in state_names]
    states: dict[str, Any] = {}
    for i, name in enumerate(state_names):
        following = state_names[i + 1] if i + 1 < len(state_names) else None
        flow: dict[str, Any] = {"Next": following} if following else {"End": True}
        kind = draw(st.sampled_from(["Pass", "Task", "Wait", "Choice", "Succeed", "Fail", "Parallel", "Map"]))
        if depth >= 1 and kind in ("Parallel", "Map"):
            kind = "Pass"
        state: dict[str, Any] = {"Type": kind}
        if draw(st.booleans()):
            state["Comment"] = draw(st.text(max_size=10))
        if kind == "Pass":
            if draw(st.booleans()):
                state["Result"] = draw(json_values)
            if draw(st.booleans()):
                state["ResultPath"] = draw(st.one_of(st.none(), result_paths))
            state.update(flow)
        elif kind == "Task":
            state["Resource"] = "arn:aws:lambda:us-east-1:123456789012:function:f"
            if draw(st.booleans()):
                state["Parameters"] = {"x.$": draw(paths), "y": draw(json_values)}
            if draw(st.booleans()):
                state["Retry"] = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": draw(st.integers(0, 5))}]
            if draw(st.booleans()):
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": state_names[0]}]
            state.update(flow)
        elif kind == "Wait":
            state["Seconds"] = draw(st.integers(0, 100))
            state.update(flow)
        elif kind == "Choice":
            target = following or state_names[0]
            state["Choices"] = [{"Variable": draw(paths), "NumericGreaterThan": draw(st.integers()), "Next": target}]
            if draw(st.booleans()):
                state["Default"] = state_names[0]
        elif kind == "Fail":
            state["Error"] = draw(st.text(max_size=6))
        elif kind == "Parallel":
            state["Branches"] = [draw(state_machines(depth + 1)) for _ in range(draw(st.integers(1, 2)))]
            state.update(flow)
        elif kind == "Map":
            state["ItemsPath"] = draw(paths)
            state["ItemProcessor"] = draw(state_machines(depth + 1))
            if draw(st.booleans()):
                state["MaxConcurrency"] = draw(st.integers(0, 10))
            state.update(flow)
        keys = list(state)
        order = draw(st.permutations(keys))
        states[name] = {k: state[k] for k in order}
    machine: dict[str, Any] = {"StartAt": state_names[0], "States": states}
    if depth == 0 and draw(st.booleans()):
        machine = {"Comment": draw(st.text(max_size=10)), **machine}
    return machine


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state_machines())
def test_generated_definitions_round_trip(definition: dict[str, Any]) -> None:
    loaded = Workflow.from_asl(definition).to_asl()
    assert loaded == definition
    assert json.dumps(loaded) == json.dumps(definition)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(state_machines(), json_values)
def test_any_valid_definition_runs_to_an_end(definition: dict[str, Any], data: Any) -> None:
    """run_local never raises on a valid definition: it ends SUCCEEDED, FAILED or TIMED_OUT."""
    from hypothesis import assume

    from coworks.biz.executor import Executor

    wf = Workflow.from_asl(definition)
    assume(not wf.problems())

    def work(payload: Any) -> Any:
        if isinstance(payload, dict) and payload.get("x") is None:
            raise ValueError("no x")
        return payload

    executor = Executor(wf.to_asl(), services={"f": work}, max_events=400)
    ex = executor.run({"a": {"b": data}, "list": [data], "oddKey": 1, "items": [1, 2]})
    assert ex.status in ("SUCCEEDED", "FAILED", "TIMED_OUT")
    assert ex.history[0]["type"] == "ExecutionStarted"
    assert ex.history[-1]["type"].startswith("Execution")
