"""The widgets' first-hour behaviour, clicked and typed in a real JupyterLab and Chromium: the caller's
JSON editor sends a model body, the log viewer filters on Enter, the deploy panel shows its plan
when displayed and asks before Destroy, the workflow view has its legend and header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import BROWSER, SHOTS

pytestmark = BROWSER

CELLS = [
    '''
import dataclasses
import json
from types import SimpleNamespace
from coworks import TechMicroService, entry
from coworks.biz import Pass, Workflow
from coworks.cloud.deploy.plan import Action, Plan
from coworks.cloud.logs.patterns import compile_pattern
from coworks.cloud.logs.records import LogRecord
from coworks.notebook import DeployPanel, EndpointCaller, LogViewer, WorkflowView


@dataclasses.dataclass
class Item:
    name: str
    qty: int = 0


class Shop(TechMicroService):
    @entry
    def post_item(self, item: Item):
        return {"made": item.name, "qty": item.qty}, 201


caller = EndpointCaller(Shop())
caller
''',
    '''
T0 = 1_796_000_000_000
records = [LogRecord(T0 + i, "2026/11/30/[1]000000000001", line, f"{i:08d}")
           for i, line in enumerate(["ERROR boom", "all fine", "WARNING slow"])]


class LogCloud:
    def logs(self, target, since="15m", until=None, pattern=None, follow=False, *, stage="dev"):
        match = compile_pattern(pattern) if pattern else None
        return [r for r in records if match is None or match.matches(r.message)]


viewer = LogViewer(LogCloud(), "shop", since="1d")
viewer
''',
    '''
ACTIONS = (Action("create", "iam role", "shop-dev"), Action("create", "lambda function", "shop-dev"))


class Deployment:
    service, url = "shop", "http://127.0.0.1:9/dev"

    def plan(self):
        return Plan("shop", "dev", "us-east-1", ACTIONS)


class Cloud:
    region, account, endpoint_url = "eu-west-1", "123456789012", None
    destroyed = []

    def deploy(self, target, stage="dev", settings=None):
        return Deployment()

    def destroy_plan(self, service, stage):
        return Plan(service, stage, "eu-west-1", tuple(Action("delete", a.kind, a.name) for a in ACTIONS))

    def destroy(self, service, stage, progress=None):
        plan = self.destroy_plan(service, stage)
        for i, action in enumerate(plan.changes, 1):
            progress(i, 2, action, "start")
            progress(i, 2, action, "done")
        self.destroyed.append(service)
        return plan


panel = DeployPanel("shop:app", cloud=Cloud())
panel
''',
    '''
view = WorkflowView(Workflow("hello", Pass("Start") >> Pass("Done")))
view
''',
    '''
view.run({}).status
''',
]


def _notebook(path: Path) -> None:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
              "source": source.strip().splitlines(keepends=True)} for i, source in enumerate(CELLS)]
    book = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                        "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(book))


def test_the_widgets_first_hour_by_clicking_and_typing(lab: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    _notebook(tmp_path / "notebooks" / "widgets.ipynb")
    page.goto(lab.replace("quickstart.ipynb", "widgets.ipynb"))
    expect(page.get_by_text("| Idle")).to_be_visible(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    caller = page.locator(".coworks-endpoint-caller").first
    editor = caller.locator("textarea").first
    expect(editor).to_be_visible(timeout=90_000)
    assert json.loads(editor.input_value()) == {"name": ""}  # started from the model's schema
    editor.fill(json.dumps({"name": "pen", "qty": 2}))
    caller.locator("button", has_text="Send").first.click()
    expect(caller.locator(".coworks-status").first).to_have_text("201", timeout=30_000)
    expect(caller.locator(".coworks-body").first).to_contain_text('"made": "pen"')
    caller.screenshot(path=str(SHOTS / "endpoint-caller-model.png"))

    viewer = page.locator(".coworks-log-viewer").first
    expect(viewer.locator(".coworks-log-row")).to_have_count(3, timeout=30_000)  # read when displayed
    box = viewer.locator("input[placeholder^='CloudWatch pattern']")
    box.fill("ERROR")
    box.press("Enter")
    expect(viewer.locator(".coworks-log-row")).to_have_count(1, timeout=30_000)
    expect(viewer.locator(".coworks-log-row").first).to_contain_text("boom")

    panel = page.locator(".coworks-deploy-panel").first
    expect(panel.locator("table")).to_contain_text("lambda function", timeout=30_000)  # the plan, on display
    panel.locator("button", has_text="Destroy").first.click()
    expect(panel.locator(".coworks-question")).to_contain_text("Delete these 2 resources of shop (dev)",
                                                               timeout=30_000)
    confirm = panel.locator("button", has_text="Confirm")
    expect(confirm).to_be_visible()
    panel.screenshot(path=str(SHOTS / "deploy-panel-confirm.png"))
    confirm.click()
    expect(panel.locator("table")).to_contain_text("done", timeout=30_000)
    expect(confirm).to_be_hidden()

    view = page.locator(".coworks-workflow-view").first
    expect(view.locator(".coworks-legend")).to_contain_text("succeeded")
    expect(view.locator(".coworks-legend > span")).to_have_count(6)
    expect(view.locator(".coworks-header")).to_contain_text("SUCCEEDED", timeout=60_000)
    view.screenshot(path=str(SHOTS / "workflow-view-header.png"))
