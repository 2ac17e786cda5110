"""The workflow editor in a real JupyterLab and Chromium: a workflow built by clicks and typing
only (a task from a deployed service, a Choice, two endings), a validation mark that appears and
goes, Save, a local run that recolours the states, a deploy confirmed, the saved YAML checked,
and the panel readable in the light and the dark theme (fixtures in conftest.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from .conftest import BROWSER, ROOT, SHOTS, pick_theme, run_all_cells

pytestmark = BROWSER

# The contrast of a colour over the first opaque background behind an element (WCAG's formula).
CONTRAST = """(element) => {
    const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
        const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    let back = element, bg = null;
    while (back) {
        const colour = rgb(getComputedStyle(back).backgroundColor);
        if (colour.length >= 3 && (colour.length < 4 || colour[3] > 0.5)) { bg = colour; break; }
        back = back.parentElement;
    }
    bg = bg || [255, 255, 255];
    const [a, b] = [lum(rgb(getComputedStyle(element).color)), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
}"""


def _readable(panel: Any) -> dict[str, float]:
    found = {}
    for name, selector in (("panel", ".cw-header"), ("button", ".cw-run"), ("entry", ".cw-entry"),
                           ("label", ".cw-row > label"), ("input", ".cw-title")):
        found[name] = panel.locator(selector).first.evaluate(CONTRAST)
    return found


def test_a_workflow_is_built_saved_run_and_deployed_by_clicking(lab: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from coworks.biz import Choice, Fail, Ref, Succeed, Task, Var, Workflow
    from coworks.biz.graph import svg_id

    run_all_cells(page, lab.replace("quickstart.ipynb", "workflow_editor.ipynb"))
    expect(page.get_by_text("workflow: from-asl")).to_be_visible(timeout=240_000)  # every cell has run

    box = page.locator(".coworks-editor-box").first  # the empty editor, for clicking
    panel = box.locator(".coworks-workflow-editor")
    graph = box.locator(".coworks-workflow-view")
    expect(panel.locator(".cw-palette")).to_contain_text("shop-stock (deployed)")

    # A task from the deployed service: its path needs item_id, so the state is marked...
    panel.locator('[data-call="shop-stock.get_item"]').click()
    fetch = graph.locator(f'[id="{svg_id("get_item")}"]')
    expect(fetch).to_have_class(re.compile("coworks-invalid"), timeout=30_000)
    expect(panel.locator(".cw-form .cw-problem").first).to_contain_text("needs item_id")
    # ...until the argument reads the input.
    panel.locator(".cw-mode").first.select_option("ref")
    panel.locator('.cw-arg[data-arg="item_id"]').fill("$.id")
    panel.locator('.cw-arg[data-arg="item_id"]').press("Tab")
    expect(graph.locator(".coworks-invalid")).to_have_count(0, timeout=30_000)
    panel.locator(".cw-field-result_path").fill("$.item")
    panel.locator(".cw-field-result_path").press("Tab")
    expect(panel.locator(".cw-field-result_path")).to_have_value("$.item")

    # Two endings, then a Choice between the task and them.
    panel.locator('.cw-kind[data-kind="succeed"]').click()
    expect(panel.locator(".cw-form")).to_have_attribute("data-state", "Done")
    panel.locator('.cw-kind[data-kind="fail"]').click()
    expect(panel.locator(".cw-form")).to_have_attribute("data-state", "Failed")
    fetch.click()  # a click in the graph selects the state
    expect(panel.locator(".cw-form")).to_have_attribute("data-state", "get_item")
    panel.locator('.cw-kind[data-kind="choice"]').click()
    expect(panel.locator(".cw-form")).to_have_attribute("data-state", "Choice")
    rule = panel.locator('.cw-choice[data-index="0"]')
    rule.locator(".cw-path").fill("$.item.body.qty")
    rule.locator(".cw-op").select_option(">")
    rule.locator(".cw-value").fill("0")
    rule.locator(".cw-then").select_option("Done")
    rule.locator(".cw-set-choice").click()
    expect(panel.locator('.cw-choice[data-index="0"] .cw-path')).to_have_value("$.item.body.qty")
    panel.locator(".cw-otherwise").select_option("Failed")
    expect(panel.locator(".cw-problems")).to_contain_text("Valid", timeout=30_000)
    expect(graph.locator(".coworks-invalid")).to_have_count(0)

    panel.locator(".cw-save").click()
    expect(panel.locator(".cw-message")).to_contain_text("Saved orders to orders.yaml")
    panel.locator(".cw-run").click()
    expect(graph.locator(f'[id="{svg_id("Done")}"]')).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(fetch).to_have_attribute("data-status", "succeeded")
    expect(panel.locator(".cw-message")).to_contain_text("Run succeeded")
    panel.locator(".cw-deploy").click()
    expect(panel.locator(".cw-shown-plan")).to_contain_text("Plan for orders at stage dev", timeout=60_000)
    panel.locator(".cw-confirm").click()
    expect(panel.locator(".cw-message")).to_contain_text("Deployed orders at stage dev", timeout=60_000)

    expect(page.get_by_text("Jupyter news")).to_have_count(0)  # no toast over the screenshot
    box.scroll_into_view_if_needed()
    box.screenshot(path=str(SHOTS / "workflow-editor.png"))
    light = _readable(panel)

    # The YAML saved by the clicks is the workflow a Python author would have written.
    sys.path.insert(0, str(ROOT / "notebooks"))
    try:
        from samples.shop import stock
    finally:
        sys.path.remove(str(ROOT / "notebooks"))
    fetch_task = Task(stock.get_item, item_id=Ref("$.id"), result_path="$.item")
    fetch_task >> Choice("Choice").when(Var("$.item.body.qty") > 0, Succeed("Done")).otherwise(Fail("Failed"))
    saved = tmp_path / "notebooks" / "orders.yaml"
    assert Workflow.from_yaml(saved).to_asl() == Workflow("orders", fetch_task).to_asl()

    # The dark theme, as a person picks it: Settings > Theme > JupyterLab Dark.
    pick_theme(page, "JupyterLab Dark")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false", timeout=30_000)
    page.wait_for_function("getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() !== "
                           "'white' && getComputedStyle(document.body).getPropertyValue('--jp-layout-color0')"
                           ".trim() !== '#ffffff'")
    dark = _readable(panel)
    box.screenshot(path=str(SHOTS / "workflow-editor-dark.png"))
    for theme, ratios in (("light", light), ("dark", dark)):
        low = {k: round(v, 2) for k, v in ratios.items() if v < 4.5}
        assert not low, f"in the {theme} theme these read below 4.5:1: {low}"
    assert panel.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(255, 255, 255)"  # it did change
