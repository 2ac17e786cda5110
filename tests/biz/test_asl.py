"""ASL round-trip: from_asl -> to_asl is the identity on valid input (corpus and generated)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from coworks.biz import Workflow, WorkflowError
from coworks.biz.choice import Choice
from coworks.biz.states import Task

from .support import corpus, json_values, state_machines

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

    from coworks.biz.engine.executor import Executor

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
