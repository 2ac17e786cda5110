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


class FakeCloud:
    """An execution on a cloud whose history grows by ``step`` events per read."""

    def __init__(self, events: list[dict[str, Any]], step: int = 3, ends_after: int | None = None) -> None:
        self.events, self.step, self.reads, self.naps = events, step, 0, []  # type: ignore[var-annotated]
        self.ends_after = ends_after

    def describe_execution(self, arn: str) -> Any:
        from types import SimpleNamespace

        shown = min(self.reads * self.step, len(self.events))
        done = self.ends_after is not None and self.reads >= self.ends_after or shown >= len(self.events)
        return SimpleNamespace(status="SUCCEEDED" if done else "RUNNING")

    def execution_history(self, arn: str) -> list[dict[str, Any]]:
        self.reads += 1
        return self.events[: self.reads * self.step]

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)


def test_a_cloud_execution_is_followed_by_its_arn() -> None:
    local = workflow().run_local({"amount": 150}, services={FN: lambda payload: {}})
    cloud = FakeCloud(local.history)
    v = view()
    assert v.follow("arn:aws:states:us-east-1:1:execution:pay:x", cloud=cloud, interval=0.5) == "SUCCEEDED"
    assert v.statuses == {"Start": "succeeded", "Charge": "succeeded", "Big?": "succeeded",
                          "Review": "succeeded", "Done": "succeeded"}
    assert cloud.naps and set(cloud.naps) == {0.5}  # the cloud's own sleep: no real wait in a test
    assert json.dumps(v.messages)  # every message is plain JSON
    assert v.header.startswith('<span class="coworks-status" data-status="succeeded">SUCCEEDED · ')


def test_the_end_of_an_execution_is_never_missed() -> None:
    """The execution ends between two reads: the status is asked first, so the last events still show."""
    events = workflow().run_local({"amount": 150}, services={FN: lambda payload: {}}).history
    cloud = FakeCloud(events, step=4, ends_after=1)
    cloud.describe_execution = lambda arn: __import__("types").SimpleNamespace(  # type: ignore[method-assign]
        status="SUCCEEDED" if cloud.reads >= 1 else "RUNNING")
    original = cloud.execution_history
    cloud.execution_history = lambda arn: events if cloud.reads >= 1 else original(arn)  # type: ignore[method-assign]
    v = view()
    v.follow("arn", cloud=cloud)
    assert v.statuses["Done"] == "succeeded" and len(v.history) == len(events)


def test_the_header_says_status_elapsed_time_and_the_running_state() -> None:
    from coworks.notebook.workflowview import execution_header

    events = workflow().run_local({"amount": 150}, services={FN: lambda payload: {}}).history
    v = view()
    for event in events[:5]:
        v.on_event(event)
    v._status = "RUNNING"
    running = execution_header(v.history, v._live, "RUNNING")
    assert running.startswith('<span class="coworks-status" data-status="running">RUNNING · ')
    assert "now: " in running and " s · " in running
    done = v.run({"amount": 150}, services={FN: lambda payload: {}})
    assert done.status == "SUCCEEDED" and "SUCCEEDED" in v.header and "now:" not in v.header


def test_the_legend_names_every_status_colour() -> None:
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "coworks" / "notebook" / "static" / "workflow_view.js").read_text()
    assert "coworks-legend" in script and 'model.get("colors")' in script
    assert set(view().colors) == {"not started", "running", "succeeded", "failed", "caught", "retried"}
