"""The quickstart and the workflow runbook in a real JupyterLab and a real Chromium: run all cells
once each (one lab for the module), click, read the DOM (fixtures in conftest.py). On the embedded
local cloud for real: the caller targets the deployed URL it was given, shown in full; a second
Apply with nothing changed keeps the last apply's table; a cloud execution followed with
``view.follow(arn, cloud=cloud)`` recolours its graph live and ends with its header."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import BROWSER, SHOTS, Lab, new_page, run_all_cells

pytestmark = BROWSER

# Whether a <select> shows its chosen option whole: the option's text, measured in the select's own
# font, fits inside the select's content box (its padding, and the arrow drawn in it, left out).
FITS = """(select) => {
    const style = getComputedStyle(select);
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = select.options[select.selectedIndex].text;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return {text, needed: context.measureText(text).width, room};
}"""


@pytest.fixture(scope="module")
def quickstart(module_lab: Lab, browser: Any) -> Iterator[Any]:
    """The quickstart's page, every cell run (deployed on the kernel's embedded local cloud)."""
    from playwright.sync_api import expect

    page = new_page(browser)
    run_all_cells(page, module_lab.notebook("quickstart.ipynb"))
    caller = page.locator(".coworks-endpoint-caller")
    expect(caller).to_be_visible(timeout=90_000)
    expect(caller.locator(".coworks-status")).to_have_text("200", timeout=30_000)  # sent by the last cell
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def workflow(module_lab: Lab, browser: Any) -> Iterator[Any]:
    """The workflow runbook's page, every cell run, each status the page gave a state recorded in order."""
    from playwright.sync_api import expect

    from coworks.biz.graph import svg_id

    page = new_page(browser)
    page.goto(module_lab.notebook("workflow.ipynb"))
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
    run_all_cells(page)  # the notebook open: only the menu
    views = page.locator(".coworks-workflow-view")
    expect(views).to_have_count(2, timeout=120_000)  # the local run, then the cloud execution
    for index in range(2):
        done = views.nth(index).locator(f'[id="{svg_id("Done")}"]')
        expect(done).to_have_attribute("data-status", "succeeded", timeout=120_000)
    yield page
    page.context.close()


def test_quickstart_runs_in_jupyterlab_and_the_caller_answers_a_click(quickstart: Any) -> None:
    from playwright.sync_api import expect

    page = quickstart
    caller = page.locator(".coworks-endpoint-caller")
    resend = caller.locator("button", has_text="Re-send")
    expect(resend).to_have_count(1)
    caller.locator("button", has_text="Send").first.click()
    expect(resend).to_have_count(2, timeout=30_000)  # the click made a second call...
    expect(caller.locator(".coworks-status")).to_have_text("200")  # ...which answered 200

    panel = page.locator(".coworks-deploy-panel").last  # shown after the plan, then after apply
    expect(panel.locator(".coworks-url")).to_be_visible()
    viewer = page.locator(".coworks-log-viewer")
    expect(viewer.locator(".coworks-log-row").first).to_be_visible()
    expect(page.get_by_text("Jupyter news")).to_have_count(0)  # no toast over the screenshots
    for name, widget in [("endpoint-caller", caller), ("deploy-panel", panel), ("log-viewer", viewer)]:
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(SHOTS / f"{name}.png"))
    page.screenshot(path=str(SHOTS / "quickstart.png"))
    assert {p.name for p in SHOTS.glob("*.png")} >= {"endpoint-caller.png", "deploy-panel.png", "log-viewer.png"}


def test_the_caller_given_url_targets_the_deployed_url_shown_in_full(quickstart: Any) -> None:
    from playwright.sync_api import expect

    url = quickstart.locator(".coworks-deploy-panel .coworks-url").last.inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/_aws/execute-api/\w+/dev", url), url
    caller = quickstart.locator(".coworks-endpoint-caller")
    target = caller.locator("select").first
    expect(target).to_have_value(url)  # EndpointCaller(app, url=url): that URL from the start
    shown = target.evaluate(FITS)
    assert shown["text"] == url and shown["needed"] <= shown["room"], shown  # not cut off
    # the calls went there: the history names the URL as their target
    expect(caller.locator(".widget-html", has_text=f"GET /item/3 ({url})").first).to_be_visible()


def test_a_second_apply_with_no_changes_keeps_the_last_apply_table(quickstart: Any) -> None:
    from playwright.sync_api import expect

    panel = quickstart.locator(".coworks-deploy-panel").last
    rows = panel.locator("tbody tr")
    before = rows.evaluate_all("rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))")
    assert before and all(row[-1] == "done" for row in before), before  # the quickstart's apply
    title = panel.locator("b", has_text="deploy of inventory")
    expect(title).to_contain_text(re.compile(r": \d+ to create$"))
    panel.locator("button", has_text="Apply").click()  # the local cloud plans again: nothing changed
    expect(title).to_contain_text(re.compile(r": no changes since the last apply \(\d+ to create\)$"),
                                  timeout=60_000)
    after = rows.evaluate_all("rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))")
    assert after == before  # the last apply's table, kept
    expect(panel.locator(".coworks-url")).to_be_visible()
    expect(panel.locator(".coworks-error")).to_have_count(0)


def test_workflow_graph_recolours_live_as_the_execution_proceeds(workflow: Any) -> None:
    from playwright.sync_api import expect

    from coworks.biz.graph import svg_id

    page = workflow
    views = page.locator(".coworks-workflow-view")
    done_id = svg_id("Done")
    fill = views.nth(1).locator(f'[id="{done_id}"] ellipse').first.get_attribute("fill")
    assert fill == "#86efac"  # the succeeded colour, painted in the browser
    seen = page.evaluate("window.coworksStatuses")
    fetch = svg_id("get_item")
    sequence = [status for element, status in seen if element == fetch]
    assert "running" in sequence and sequence.index("running") < len(sequence) - 1  # it changed after

    views.nth(0).locator(f'[id="{fetch}"]').click()  # a click shows the state's details
    expect(views.nth(0).locator(".coworks-details")).to_contain_text("get_item", timeout=30_000)
    expect(page.get_by_text("Jupyter news")).to_have_count(0)
    views.nth(1).scroll_into_view_if_needed()
    views.nth(1).screenshot(path=str(SHOTS / "workflow-view.png"))
    assert (SHOTS / "workflow-view.png").exists()


def test_a_cloud_execution_followed_by_its_arn_ends_with_its_header(workflow: Any) -> None:
    from playwright.sync_api import expect

    live = workflow.locator(".coworks-workflow-view").nth(1)  # live.follow(arn, cloud=cloud)
    expect(live.locator(".coworks-header")).to_have_text(re.compile(r"^SUCCEEDED · \d+\.\d s$"), timeout=60_000)
    seen = workflow.evaluate("window.coworksStatuses")
    assert any(status == "running" for _, status in seen)  # while followed, a state showed as running
    expect(live.locator(".coworks-legend > span")).to_have_count(6)
