"""The quickstart and the workflow runbook in a real JupyterLab and a real Chromium: run all cells,
click, read the DOM (fixtures in conftest.py)."""

from __future__ import annotations

from typing import Any

from .conftest import BROWSER, SHOTS

pytestmark = BROWSER


def test_quickstart_runs_in_jupyterlab_and_the_caller_answers_a_click(lab: str, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(lab)
    expect(page.get_by_text("| Idle")).to_be_visible(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    caller = page.locator(".coworks-endpoint-caller")
    expect(caller).to_be_visible(timeout=90_000)
    expect(caller.locator(".coworks-status")).to_have_text("200", timeout=30_000)  # sent by the cell
    resend = caller.locator("button", has_text="Re-send")
    expect(resend).to_have_count(1)
    caller.locator("button", has_text="Send").first.click()
    expect(resend).to_have_count(2, timeout=30_000)  # the click made a second call...
    expect(caller.locator(".coworks-status")).to_have_text("200")  # ...which answered 200

    panel = page.locator(".coworks-deploy-panel").last  # shown after the plan, then after apply
    expect(panel.locator(".coworks-url")).to_be_visible()
    viewer = page.locator(".coworks-log-viewer")
    expect(viewer.locator(".coworks-log-row").first).to_be_visible()
    for name, widget in [("endpoint-caller", caller), ("deploy-panel", panel), ("log-viewer", viewer)]:
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(SHOTS / f"{name}.png"))
    page.screenshot(path=str(SHOTS / "quickstart.png"))
    assert {p.name for p in SHOTS.glob("*.png")} >= {"endpoint-caller.png", "deploy-panel.png", "log-viewer.png"}


def test_workflow_graph_recolours_live_as_the_execution_proceeds(lab: str, page: Any) -> None:
    from playwright.sync_api import expect

    from coworks.biz.graph import svg_id

    page.goto(lab.replace("quickstart.ipynb", "workflow.ipynb"))
    expect(page.get_by_text("| Idle")).to_be_visible(timeout=60_000)
    # Record every status the page gives a state, in order, as the widget repaints it.
    page.evaluate("""() => {
        window.coworksStatuses = [];
        new MutationObserver((changes) => {
            for (const change of changes) {
                const id = change.target.id || "";
                const status = change.target.getAttribute("data-status");
                if (id.startsWith("cw_")) window.coworksStatuses.push([id, status]);
            }
        }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["data-status"]});
    }""")
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    views = page.locator(".coworks-workflow-view")
    expect(views).to_have_count(2, timeout=120_000)  # the local run, then the cloud execution
    done_id = svg_id("Done")
    for index in range(2):
        done = views.nth(index).locator(f'[id="{done_id}"]')
        expect(done).to_have_attribute("data-status", "succeeded", timeout=120_000)
    fill = views.nth(1).locator(f'[id="{done_id}"] ellipse').first.get_attribute("fill")
    assert fill == "#86efac"  # the succeeded colour, painted in the browser
    seen = page.evaluate("window.coworksStatuses")
    fetch = svg_id("get_item")
    sequence = [status for element, status in seen if element == fetch]
    assert "running" in sequence and sequence.index("running") < len(sequence) - 1  # it changed after

    views.nth(0).locator(f'[id="{fetch}"]').click()  # a click shows the state's details
    expect(views.nth(0).locator(".coworks-details")).to_contain_text("get_item", timeout=30_000)
    views.nth(1).scroll_into_view_if_needed()
    views.nth(1).screenshot(path=str(SHOTS / "workflow-view.png"))
    assert (SHOTS / "workflow-view.png").exists()
