"""The widgets as the issue asks for them, clicked and typed in a real JupyterLab and Chromium, the
result read from the DOM: the caller's JSON editor (started from a nested model's schema, valid
input sent, invalid input refused with each problem named), the log viewer (events read when
displayed, a filter applied on Enter and on Refresh, Follow following the filter typed), the deploy
panel (its plan when displayed, Destroy asking first: Cancel changes nothing, Confirm deletes),
the workflow view (a legend of the graph's colours, a header with the status, the elapsed time and
the running state of an execution followed with ``view.follow(arn, cloud=...)``), and ``%cws``
without ``SystemExit``. One lab and one run of one notebook for the module: each widget is its own
instance, so each test reads only its own and runs alone too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import BROWSER, SHOTS, Lab, new_page, run_all_cells, write_notebook

pytestmark = BROWSER

# (name, source): each cell's output is found by its name (``_output``).
CELLS = [
    ("setup", '''
import dataclasses
import enum
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from coworks import TechMicroService, entry
from coworks.biz import Pass, Task, Workflow
from coworks.cloud.deploy.plan import Action, Plan
from coworks.cloud.logs.patterns import compile_pattern
from coworks.cloud.logs.records import LogRecord
from coworks.notebook import DeployPanel, EndpointCaller, LogViewer, WorkflowView


class Size(enum.Enum):
    S = "s"
    L = "l"


@dataclasses.dataclass
class Line:
    sku: str
    qty: int = 1


@dataclasses.dataclass
class Order:
    customer: str
    size: Size
    lines: list[Line]


class Orders(TechMicroService):
    @entry
    def post_order(self, order: Order):
        return {"customer": order.customer, "size": order.size.value, "lines": len(order.lines)}, 201
'''),
    ("model_caller", '''
model_caller = EndpointCaller(Orders())
model_caller
'''),
    ("logs", '''
T0 = 1_796_000_000_000
STREAM = "2026/11/30/[1]000000000001"


class LogCloud:
    """cloud.logs as the cloud layer answers it: the records that match, oldest first."""

    def __init__(self):
        self.records = [LogRecord(T0 + i, STREAM, line, f"{i:08d}")
                        for i, line in enumerate(["ERROR boom", "all fine", "WARNING slow"])]

    def logs(self, target, since="15m", until=None, pattern=None, follow=False, *, stage="dev"):
        match = compile_pattern(pattern) if pattern else None
        return [r for r in self.records if match is None or match.matches(r.message)]


class TickingCloud(LogCloud):
    """While followed (asked from a time, not a range), two events arrive before each answer."""

    def logs(self, target, since="15m", until=None, pattern=None, follow=False, *, stage="dev"):
        if not isinstance(since, str) and len(self.records) < 40:
            n = len(self.records)
            self.records += [LogRecord(T0 + n, STREAM, f"ERROR tick {n}", f"{n:08d}"),
                             LogRecord(T0 + n + 1, STREAM, f"fine tick {n}", f"{n + 1:08d}")]
        return super().logs(target, since, until, pattern, follow, stage=stage)
'''),
    ("shown_viewer", '''
shown_viewer = LogViewer(LogCloud(), "shop", since="1d")
shown_viewer
'''),
    ("filter_viewer", '''
filter_viewer = LogViewer(LogCloud(), "shop", since="1d")
filter_viewer
'''),
    ("follow_viewer", '''
follow_viewer = LogViewer(TickingCloud(), "shop", since="1d", interval=0.2)
follow_viewer
'''),
    ("deploy", '''
ACTIONS = (Action("create", "iam role", "shop-dev"), Action("create", "lambda function", "shop-dev"))


class Deployment:
    service, url = "shop", "https://abc.execute-api.eu-west-1.amazonaws.com/dev"

    def plan(self):
        return Plan("shop", "dev", "eu-west-1", ACTIONS)


class Cloud:
    """An AWS account as the panel sees one: its plan, and what Destroy would delete."""

    region, account, endpoint_url = "eu-west-1", "123456789012", None
    session = SimpleNamespace(profile_name=None)

    def __init__(self):
        self.destroyed = False

    def deploy(self, target, stage="dev", settings=None):
        return Deployment()

    def destroy_plan(self, service, stage):
        deletes = () if self.destroyed else tuple(Action("delete", a.kind, a.name) for a in ACTIONS)
        return Plan(service, stage, "eu-west-1", deletes)

    def destroy(self, service, stage, progress=None):
        plan = self.destroy_plan(service, stage)
        for i, action in enumerate(plan.changes, 1):
            progress(i, len(plan.changes), action, "start")
            progress(i, len(plan.changes), action, "done")
        self.destroyed = True
        return plan
'''),
    ("planned_panel", '''
planned_panel = DeployPanel("shop:app", cloud=Cloud())
planned_panel
'''),
    ("destroy_panel", '''
destroy_panel = DeployPanel("shop:app", cloud=Cloud())
destroy_panel
'''),
    ("executions", '''
CHARGE = "arn:aws:lambda:us-east-1:123456789012:function:charge"
flow = Workflow("pay", Pass("Start") >> Task("Charge", CHARGE) >> Pass("Done"))
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# A run's history, half a second between events, as a cloud's GetExecutionHistory gives it.
events = [{**event, "timestamp": START + timedelta(seconds=0.5 * i)}
          for i, event in enumerate(flow.run_local({}, services={CHARGE: lambda payload: {"paid": True}}).history)]
charging = next(i for i, e in enumerate(events) if e.get("stateEnteredEventDetails", {}).get("name") == "Charge") + 2


class Executions:
    """Step Functions as WorkflowView.follow reads it: the status first, then the history so far."""

    def __init__(self, history, status):
        self.history, self.status = history, status

    def describe_execution(self, arn):
        return SimpleNamespace(status=self.status)

    def execution_history(self, arn):
        return self.history
'''),
    ("running_view", '''
running_view = WorkflowView(flow)
running_view
'''),
    ("running_follow", '''
running_view.follow("arn:aws:states:us-east-1:123456789012:execution:pay:one",
                    cloud=Executions(events[:charging], "RUNNING"), polls=1)
'''),
    ("done_view", '''
done_view = WorkflowView(flow)
done_view
'''),
    ("done_follow", '''
done_view.follow("arn:aws:states:us-east-1:123456789012:execution:pay:two", cloud=Executions(events, "SUCCEEDED"))
'''),
    ("magic", '''
%load_ext coworks
%cws --version
%cws nope
%cws plan 'unclosed
'''),
    ("end", '''
print("every cell ran")
'''),
]
NAMES = [name for name, _ in CELLS]


@pytest.fixture(scope="module")
def notebook(module_lab: Lab, browser: Any) -> Iterator[Any]:
    """The page of widgets.ipynb, every cell run once (Run > Run All Cells)."""
    from playwright.sync_api import expect

    write_notebook(module_lab.root / "widgets.ipynb", [source for _, source in CELLS])
    page = new_page(browser)
    run_all_cells(page, module_lab.notebook("widgets.ipynb"))
    expect(_output(page, "end")).to_contain_text("every cell ran", timeout=120_000)
    yield page
    page.context.close()


def _output(page: Any, name: str) -> Any:
    """The output area of the cell called ``name`` in CELLS."""
    return page.locator(".jp-Notebook .jp-Cell").nth(NAMES.index(name)).locator(".jp-OutputArea")


def _rows(panel: Any) -> list[list[str]]:
    """The deploy panel's table, row by row, cell by cell, as shown."""
    return list(panel.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"))


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_the_json_editor_starts_from_the_models_schema_sends_valid_input_and_names_each_problem(notebook: Any) -> None:
    from playwright.sync_api import expect

    caller = _output(notebook, "model_caller").locator(".coworks-endpoint-caller")
    editor = caller.locator("textarea").first
    expect(editor).to_be_visible()
    # started from the schema: every required field, the enum at its first value, the list empty
    assert json.loads(editor.input_value()) == {"customer": "", "size": "s", "lines": []}
    status, resend = caller.locator(".coworks-status"), caller.locator("button", has_text="Re-send")

    editor.fill(json.dumps({"customer": "Ann", "size": "l", "lines": [{"sku": "pen", "qty": 2}]}))
    caller.locator("button", has_text="Send").first.click()
    expect(status).to_have_text("201", timeout=30_000)
    assert json.loads(caller.locator(".coworks-body").inner_text()) == {"customer": "Ann", "size": "l", "lines": 1}
    expect(resend).to_have_count(1)
    caller.screenshot(path=str(SHOTS / "endpoint-caller-model.png"))

    editor.fill(json.dumps({"customer": "Ann", "size": "xl", "lines": [{"qty": "two"}]}))
    caller.locator("button", has_text="Send").first.click()
    refused = caller.locator(".coworks-error")
    expect(refused).to_contain_text("Not sent: fix these first", timeout=30_000)
    assert refused.locator("li").all_inner_texts() == ["order.lines.0: 'sku' is a required property",
                                                       "order.lines.0.qty: 'two' is not of type 'integer'",
                                                       "order.size: 'xl' is not one of ['s', 'l']"]
    caller.screenshot(path=str(SHOTS / "endpoint-caller-refused.png"))
    editor.fill("{oops")
    caller.locator("button", has_text="Send").first.click()
    expect(refused.locator("li")).to_have_text([re.compile(r"^order: not JSON \(.+, line 1\)$")], timeout=30_000)
    expect(resend).to_have_count(1)  # neither left: the service saw one call


def test_the_log_viewer_shows_its_events_when_displayed(notebook: Any) -> None:
    from playwright.sync_api import expect

    viewer = _output(notebook, "shown_viewer").locator(".coworks-log-viewer")
    rows = viewer.locator(".coworks-log-row")
    expect(rows).to_have_count(3, timeout=30_000)  # no Refresh clicked, no fetch() in the cell
    expect(rows).to_contain_text(["ERROR boom", "all fine", "WARNING slow"])
    expect(viewer.locator(".coworks-log-position")).to_have_text("events 1-3 of 3 (page 1 of 1)")


def test_the_log_viewers_filter_applies_on_enter_and_on_refresh(notebook: Any) -> None:
    from playwright.sync_api import expect

    viewer = _output(notebook, "filter_viewer").locator(".coworks-log-viewer")
    rows, box = viewer.locator(".coworks-log-row"), viewer.locator("input[placeholder^='CloudWatch pattern']")
    expect(rows).to_have_count(3, timeout=30_000)
    box.fill("ERROR")
    expect(rows).to_have_count(3)  # typing alone sends nothing...
    box.press("Enter")
    expect(rows).to_have_count(1, timeout=30_000)  # ...Enter applies it
    expect(rows).to_contain_text(["boom"])
    box.fill("WARNING")
    viewer.locator("button", has_text="Refresh").click()
    expect(rows).to_contain_text(["slow"], timeout=30_000)
    expect(rows).to_have_count(1)
    box.fill("")
    box.press("Enter")
    expect(rows).to_have_count(3, timeout=30_000)


def test_follow_follows_the_filter_typed_in_the_box(notebook: Any) -> None:
    from playwright.sync_api import expect

    viewer = _output(notebook, "follow_viewer").locator(".coworks-log-viewer")
    rows = viewer.locator(".coworks-log-row")
    expect(rows).to_have_count(3, timeout=30_000)
    viewer.locator("input[placeholder^='CloudWatch pattern']").fill("ERROR")  # typed, no Enter
    follow = viewer.locator("button", has_text="Follow")
    follow.click()
    try:
        expect(follow).to_have_class(re.compile("mod-active"), timeout=30_000)
        # New events arrive on each poll, one of each kind: only the ERROR ones show, newest last.
        expect(rows.nth(3)).to_be_visible(timeout=30_000)
        shown = rows.all_inner_texts()
        assert shown[0].endswith("ERROR boom") and all("ERROR tick" in row for row in shown[1:]), shown
        assert not any("fine" in row or "WARNING" in row for row in shown), shown
    finally:
        follow.click()
    expect(follow).not_to_have_class(re.compile("mod-active"), timeout=30_000)


def test_the_deploy_panel_shows_its_plan_when_displayed(notebook: Any) -> None:
    from playwright.sync_api import expect

    panel = _output(notebook, "planned_panel").locator(".coworks-deploy-panel")
    expect(panel).to_contain_text("deploy of shop at stage dev on AWS account 123456789012 in eu-west-1: 2 to create",
                                  timeout=30_000)  # no Plan clicked, no plan() in the cell
    assert _rows(panel) == [["1", "create", "iam role", "shop-dev", "", "pending"],
                            ["2", "create", "lambda function", "shop-dev", "", "pending"]]


def test_destroy_asks_first_cancel_changes_nothing_and_confirm_deletes(notebook: Any) -> None:
    from playwright.sync_api import expect

    panel = _output(notebook, "destroy_panel").locator(".coworks-deploy-panel")
    expect(panel.locator("table")).to_contain_text("lambda function", timeout=30_000)
    question = panel.locator(".coworks-question")
    confirm, cancel = panel.locator("button", has_text="Confirm"), panel.locator("button", has_text="Cancel")
    expect(confirm).to_be_hidden()

    panel.locator("button", has_text="Destroy").click()
    expect(question).to_have_text("Delete these 2 resources of shop (dev) from AWS account 123456789012 in "
                                  "eu-west-1?", timeout=30_000)
    assert [row[1:] for row in _rows(panel)] == [["delete", "iam role", "shop-dev", "", "pending"],
                                                 ["delete", "lambda function", "shop-dev", "", "pending"]]
    expect(confirm).to_be_visible()
    panel.screenshot(path=str(SHOTS / "deploy-panel-confirm.png"))
    cancel.click()
    expect(question).to_have_count(0, timeout=30_000)
    expect(confirm).to_be_hidden()
    assert [row[-1] for row in _rows(panel)] == ["pending", "pending"]  # nothing was deleted

    panel.locator("button", has_text="Destroy").click()
    expect(question).to_be_visible(timeout=30_000)
    confirm.click()
    expect(panel.locator("tbody tr").last).to_contain_text("done", timeout=30_000)
    assert [row[-1] for row in _rows(panel)] == ["done", "done"]
    expect(question).to_have_count(0)
    expect(confirm).to_be_hidden()


def test_the_workflow_views_legend_names_the_colours_its_graph_is_painted_with(notebook: Any) -> None:
    from playwright.sync_api import expect

    from coworks.biz.graph import STATUS_COLORS, svg_id

    view = _output(notebook, "done_view").locator(".coworks-workflow-view")
    legend = view.locator(".coworks-legend > span")
    expect(legend).to_have_text(list(STATUS_COLORS))
    swatches = dict(zip(legend.all_inner_texts(), legend.locator(".coworks-swatch").evaluate_all(
        "spans => spans.map(s => getComputedStyle(s).backgroundColor)"), strict=True))
    assert swatches == {status: _rgb(colour) for status, colour in STATUS_COLORS.items()}
    done = view.locator(f'[id="{svg_id("Done")}"]')
    expect(done).to_have_attribute("data-status", "succeeded", timeout=30_000)
    painted = done.locator("ellipse, polygon, path").first.get_attribute("fill")
    assert _rgb(painted or "") == swatches["succeeded"]  # the graph in the legend's colour
    running = _output(notebook, "running_view").locator(".coworks-workflow-view")
    charge = running.locator(f'[id="{svg_id("Charge")}"]')
    expect(charge).to_have_attribute("data-status", "running", timeout=30_000)
    assert _rgb(charge.locator("polygon, ellipse, path").first.get_attribute("fill") or "") == swatches["running"]


def test_the_workflow_views_header_says_status_elapsed_time_and_the_running_state(notebook: Any) -> None:
    from playwright.sync_api import expect

    running = _output(notebook, "running_view").locator(".coworks-workflow-view")
    header = running.locator(".coworks-header")
    expect(header).to_have_text(re.compile(r"^RUNNING · \d+\.\d s · now: Charge$"), timeout=30_000)
    expect(_output(notebook, "running_follow")).to_contain_text("'RUNNING'")  # follow() returned after one poll
    running.screenshot(path=str(SHOTS / "workflow-view-running.png"))

    done = _output(notebook, "done_view").locator(".coworks-workflow-view")
    expect(done.locator(".coworks-header")).to_have_text(re.compile(r"^SUCCEEDED · \d+\.\d s$"), timeout=30_000)
    seconds = float(done.locator(".coworks-header").inner_text().split(" · ")[1].removesuffix(" s"))
    started = float(header.inner_text().split(" · ")[1].removesuffix(" s"))
    assert seconds > started > 0  # half a second per event: the whole run took longer than its start
    expect(_output(notebook, "done_follow")).to_contain_text("'SUCCEEDED'")
    done.screenshot(path=str(SHOTS / "workflow-view-header.png"))


def test_cws_in_a_cell_says_what_is_wrong_and_never_ends_with_system_exit(notebook: Any) -> None:
    from playwright.sync_api import expect

    shown = _output(notebook, "magic")
    expect(shown).to_contain_text("cws, version")
    expect(shown).to_contain_text("No such command 'nope'")
    expect(shown).to_contain_text("No closing quotation; close the quote.")
    text = shown.inner_text()
    assert "SystemExit" not in text and "Traceback" not in text, text
    expect(shown.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")).to_have_count(0)
