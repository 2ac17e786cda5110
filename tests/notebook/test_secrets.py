"""A secret planted in the environment and in a deployed service's settings reaches the service
(the smoke test's authorised call succeeds) yet appears in no output of the executed runbook,
in no saved widget state, and nowhere in its HTML report."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from coworks.runbooks import run_runbook

from .notebooks import NOTEBOOKS


def test_a_planted_secret_is_used_but_never_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = "tok-" + secrets.token_hex(12)
    planted = "env-" + secrets.token_hex(12)
    monkeypatch.setenv("INVENTORY_TOKEN", token)  # the kernel inherits it; the runbook passes it as a setting
    monkeypatch.setenv("COWORKS_TEST_API_KEY", planted)
    result = run_runbook(
        NOTEBOOKS / "deploy_runbook.ipynb",
        {"secret_settings": ["INVENTORY_TOKEN"], "token_setting": "INVENTORY_TOKEN",
         "smoke_route": "GET /item/{item_id}", "smoke_values": {"item_id": 1}},
        output=tmp_path,
    )
    executed = json.dumps(json.loads(result.notebook.read_text()), ensure_ascii=False)
    report = result.report.read_text()
    # The deployed authorizer compared the Authorization header with the deployed setting: it got through.
    assert "200 {" in executed and '\\"name\\": \\"pen\\"' in executed
    assert "••••" in executed  # the Authorization header, shown masked
    for secret in (token, planted):
        assert secret not in executed
        assert secret not in report
    assert "13 to create" in report and "coworks-deploy-panel" in report
