"""The live workflow view, driven without a browser: statuses go out as small deltas."""

from __future__ import annotations

import json
from typing import Any

from coworks.biz import Choice, Pass, Succeed, Task, Var, Workflow
from coworks.biz.graph import svg_id
from coworks.notebook.workflowview import WorkflowView, state_details

FN = "arn:aws:lambda:us-east-1:123456789012:function:charge"


def workflow() -> Workflow:
    charge = Task("Charge", FN, result_path="$.charged")
    route = Choice("Big?").when(Var("$.amount") > 100, Pass("Review") >> Succeed("Done")).otherwise(Succeed("Small"))
    return Workflow("pay", Pass("Start") >> charge >> route)


class Recorder(WorkflowView):
    """Keeps what would have gone to the browser."""

    def send(self, content: Any, buffers: Any = None) -> None:  # type: ignore[override]
        self.messages.append(content)


def view() -> Recorder:
    v = Recorder(workflow())
    v.messages = []
    return v


def test_the_svg_is_laid_out_once_with_an_id_per_state() -> None:
    v = view()
    for state in ("Start", "Charge", "Big?", "Review", "Done", "Small"):
        assert f'id="{svg_id(state)}"' in v.svg
    svg = v.svg
    v.run({"amount": 150}, services={FN: lambda payload: {"ok": True}})
    assert v.svg is svg  # never re-rendered


def test_each_status_change_is_sent_alone_and_small() -> None:
    v = view()
    execution = v.run({"amount": 150}, services={FN: lambda payload: {"ok": True}})
    assert execution.status == "SUCCEEDED"
    changes = [m["changes"] for m in v.messages]
    assert {"Start": "running"} in changes and {"Charge": "succeeded"} in changes
    assert all(m["type"] == "statuses" for m in v.messages)
    assert max(v.sent) < 1024
    assert v.statuses["Review"] == "succeeded" and "Small" not in v.statuses  # the branch not taken
    assert v.statuses == {"Start": "succeeded", "Charge": "succeeded", "Big?": "succeeded",
                          "Review": "succeeded", "Done": "succeeded"}


def test_clicking_a_state_shows_its_input_output_error_and_attempts() -> None:
    v = view()
    v.run({"amount": 5}, services={FN: lambda payload: {"ok": True}})
    v.selected = "Charge"  # what the browser sets on a click
    assert "<b>Charge</b>: succeeded" in v.details and "charged" in v.details and "attempts: 1" in v.details
    info = state_details(v.history, "Charge")
    assert info["input"] == {"amount": 5} and info["output"]["charged"] == {"ok": True}


def test_a_failure_is_shown_with_its_error() -> None:
    def refuse(payload: Any) -> Any:
        raise RuntimeError("card declined")

    v = view()
    execution = v.run({"amount": 5}, services={FN: refuse})
    assert execution.status == "FAILED" and v.statuses["Charge"] == "failed"
    assert "card declined" in v.select("Charge")


def test_a_cloud_execution_is_followed_by_polling_its_history() -> None:
    local = workflow().run_local({"amount": 150}, services={FN: lambda payload: {}})
    events = local.history
    seen = {"n": 0}

    def history() -> list[dict[str, Any]]:  # the history grows by three events per poll
        seen["n"] += 3
        return events[: seen["n"]]

    v = view()
    naps: list[float] = []
    v.follow(history, lambda: seen["n"] >= len(events), interval=0.5, sleep=naps.append)
    assert v.statuses == {"Start": "succeeded", "Charge": "succeeded", "Big?": "succeeded",
                          "Review": "succeeded", "Done": "succeeded"}
    assert naps and set(naps) == {0.5}
    assert json.dumps(v.messages)  # every message is plain JSON


def test_the_end_of_an_execution_is_never_missed() -> None:
    """The execution ends between a history read and the status check: the last events still show."""
    events = workflow().run_local({"amount": 150}, services={FN: lambda payload: {}}).history
    state = {"reads": 0}

    def history() -> list[dict[str, Any]]:
        state["reads"] += 1
        return events if state["reads"] > 1 else events[:4]

    def done() -> bool:  # already finished at the second check, after one partial read
        return state["reads"] >= 1

    v = view()
    v.follow(history, done, sleep=lambda s: None)
    assert v.statuses["Done"] == "succeeded" and len(v.history) == len(events)
