"""The quickstart in a real JupyterLab and a real Chromium: run all cells, click Send, read the DOM.

JupyterLab listens on 127.0.0.1 (a free port, a random token) over a temporary copy of
notebooks/; Playwright drives Debian's /usr/bin/chromium (never a browser Playwright downloads).
Screenshots of each widget go to test-output/screenshots/. Everything started here is stopped.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.localcloud,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason=f"{CHROMIUM} is missing: scripts/test.sh installs it with apt-get")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], deadline: float) -> None:
    """Until the server answers (it exits or 60 s pass: fail with its log)."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"JupyterLab exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # the port is not open yet: nothing to wait on but the clock
    raise AssertionError("JupyterLab did not answer within 60 s")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 over a copy of notebooks/; yields the quickstart's URL."""
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns("*.executed.ipynb", "*.html",
                                                                            "__pycache__"))
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Every cell in the DOM (no virtual scrolling), so each widget can be found and photographed.
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               COWORKS_HOME=str(tmp_path / "coworks-home"))  # never attach to a developer's shared cloud
    log = (tmp_path / "lab.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/status?token={token}", server, time.monotonic() + 60)
        yield f"http://127.0.0.1:{port}/lab/tree/quickstart.ipynb?token={token}"
    finally:
        server.terminate()  # the server shuts its kernels down (and their local cloud) on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_quickstart_runs_in_jupyterlab_and_the_caller_answers_a_click(lab: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
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
        finally:
            browser.close()
    assert {p.name for p in SHOTS.glob("*.png")} >= {"endpoint-caller.png", "deploy-panel.png", "log-viewer.png"}


def test_workflow_graph_recolours_live_as_the_execution_proceeds(lab: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    from coworks.biz.graph import svg_id

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
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
        finally:
            browser.close()
    assert (SHOTS / "workflow-view.png").exists()
