"""JupyterLab and Chromium for the browser tests: a lab over a copy of notebooks/, and a page.

JupyterLab listens on 127.0.0.1 (a free port, a random token) over a temporary copy of
notebooks/, with dummy AWS credentials and no Jupyter news toast; Playwright drives Debian's
/usr/bin/chromium (never a browser Playwright downloads). Screenshots go to
test-output/screenshots/. Everything started here is stopped. A browser test module sets
``pytestmark = BROWSER`` and asks for ``lab`` (the quickstart's URL; replace the notebook's name
for another) and ``page``; tests that can share one lab and one notebook run ask for
``module_lab`` (a :class:`Lab`) and open their own page with ``new_page(browser)`` in a
module-scoped fixture. ``write_notebook``, ``run_all_cells`` and ``pick_theme`` do what every
module does.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

#: What every browser test module is marked with.
BROWSER = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.localcloud,
           pytest.mark.skipif(not os.path.exists(CHROMIUM),
                              reason=f"{CHROMIUM} is missing: scripts/test.sh installs it with apt-get")]


class Lab(NamedTuple):
    """A running JupyterLab: the quickstart's URL (with the token) and the folder it serves."""

    url: str
    root: Path

    def notebook(self, name: str) -> str:
        """The URL that opens notebook ``name`` (a path under ``root``) in a workspace of its own: the
        default one would open the notebooks other pages left open too, and a notebook another page
        saves meanwhile stops this page with JupyterLab's "File Changed" dialog."""
        workspace = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
        return self.url.replace("/lab/tree/quickstart.ipynb", f"/lab/workspaces/{workspace}/tree/{name}")


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


@contextmanager
def jupyterlab(base: Path) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 over a copy of notebooks/ in ``base``, stopped (with its kernels) on exit."""
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns("*.executed.ipynb", "*.html",
                                                                            "__pycache__"))
    settings = base / "settings" / "@jupyterlab"
    # Every cell in the DOM (no virtual scrolling), so each widget can be found and photographed.
    _setting(settings / "notebook-extension" / "tracker.jupyterlab-settings", {"windowingMode": "none"})
    # No "Would you like to get notified about official Jupyter news?" toast over the widgets: it asks
    # whenever fetchNews is "none" (its default), whatever --LabApp.news_url says.
    _setting(settings / "apputils-extension" / "notification.jupyterlab-settings",
             {"fetchNews": "false", "checkForUpdates": False})
    port, token = _free_port(), secrets.token_hex(16)
    home = base / "home"
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               COWORKS_HOME=str(base / "coworks-home"),  # never attach to a developer's shared cloud
               # dummy credentials and no profile files: a kernel can never reach a real account
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=str(home / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"))
    env.pop("AWS_PROFILE", None)
    log = (base / "lab.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/status?token={token}", server, time.monotonic() + 60)
        yield Lab(f"http://127.0.0.1:{port}/lab/tree/quickstart.ipynb?token={token}", root)
    finally:
        server.terminate()  # the server shuts its kernels down (and their local cloud) on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _setting(path: Path, values: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 over a copy of notebooks/ (in ``tmp_path``); yields the quickstart's URL."""
    with jupyterlab(tmp_path) as running:
        yield running.url


@pytest.fixture(scope="module")
def module_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One JupyterLab for every test of a module (its notebooks run once, each test reads the DOM)."""
    with jupyterlab(tmp_path_factory.mktemp("lab")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, one per module; each page gets its own context."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Any) -> Any:
    """A page of 1400 x 1000 in a fresh context (no cookies or storage from another page)."""
    return browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A Chromium page, 1400 x 1000, closed with its context after the test."""
    opened = new_page(browser)
    try:
        yield opened
    finally:
        opened.context.close()


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of these code cells (no outputs), on the python3 kernel."""
    made = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
             "source": source.strip().splitlines(keepends=True)} for i, source in enumerate(cells)]
    book = {"cells": made, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                       "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(book))


def run_all_cells(page: Any, url: str | None = None) -> None:
    """Open the notebook at ``url`` (None: the one open), once its kernel is idle Run > Run All Cells,
    as a person does."""
    from playwright.sync_api import expect

    if url is not None:
        page.goto(url)
    expect(page.get_by_text("| Idle")).to_be_visible(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def pick_theme(page: Any, theme: str) -> None:
    """Settings > Theme > ``theme`` (``"JupyterLab Dark"``), as a person picks it."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text=theme).first.click()
