"""JupyterLab and Chromium for the browser tests: a lab over a copy of notebooks/, and a page.

JupyterLab listens on 127.0.0.1 (a free port, a random token) over a temporary copy of
notebooks/; Playwright drives Debian's /usr/bin/chromium (never a browser Playwright downloads).
Screenshots go to test-output/screenshots/. Everything started here is stopped. A browser test
module sets ``pytestmark = BROWSER`` and asks for ``lab`` (the quickstart's URL; replace the
notebook's name for another) and ``page``.
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
from typing import Any

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


@pytest.fixture
def page() -> Iterator[Any]:
    """A Chromium page, 1400 x 1000, closed with its browser after the test."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()
