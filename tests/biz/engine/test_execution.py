"""An execution shows its coloured graph and its event table; a terminal gets the table as text."""

from __future__ import annotations

from coworks.biz import Pass, Succeed, Task, Workflow

FN = "arn:aws:lambda:us-east-1:123456789012:function:charge"


def test_execution_displays_graph_and_event_table() -> None:
    wf = Workflow("pay", Pass("Start") >> Task("Charge", FN) >> Succeed("Done"))
    execution = wf.run_local({"amount": 3}, services={FN: lambda payload: {"ok": True}})
    table = execution.events()
    kinds = [row[2] for row in table.rows]
    assert kinds[0] == "ExecutionStarted" and kinds[-1] == "ExecutionSucceeded"
    assert ("TaskStateEntered" in kinds) and any(row[3] == "Charge" for row in table.rows)
    html = execution._repr_html_()
    assert html.index("<svg") < html.index("<table")
    text = str(execution)
    assert text.startswith('SUCCEEDED output: {"ok": true}') and "ExecutionSucceeded" in text


def test_failed_execution_text_names_the_error() -> None:
    def refuse(payload: object) -> object:
        raise RuntimeError("declined")

    wf = Workflow("pay", Task("Charge", FN))
    text = str(wf.run_local({}, services={FN: refuse}))
    assert text.startswith("FAILED error: RuntimeError") and "declined" in text
