"""Every notebook of notebooks/ runs top to bottom headlessly, with its widgets' state saved,
and never shows a secret.

Each notebook runs once, through ``run_runbook`` (papermill driving nbclient, as ``cws runbook``
does), with secrets planted in the kernel's environment; the deploy runbook also deploys one of
them as a setting of the service and authenticates its smoke test with it. The business runbooks
(invoicing, dashboards) get an Odoo-protocol server started here, its URL as a parameter and its
API key by the name of the variable that holds it. The checks all read that one executed copy and
its HTML report (notebook execution is the slow part of the suite).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest

from coworks.notebook.runbooks import run_runbook
from tests.extensions.odooserver import DATABASE, OdooServer
from tests.extensions.odooserver import USERS as ODOO_USERS
from tests.notebook.notebooks import errors, runbooks, shown_views, state_text, texts, widget_state, with_class

pytestmark = [pytest.mark.kernel, pytest.mark.localcloud]

TOKEN = "tok-" + secrets.token_hex(12)  # in the environment, and deployed as the sample's INVENTORY_TOKEN
PLANTED = "env-" + secrets.token_hex(12)  # only in the environment
ODOO_KEY = ODOO_USERS["admin"][1]  # in the environment as COWORKS_TEST_ODOO_KEY, deployed by reference only
PARAMETERS: dict[str, dict[str, Any]] = {
    "deploy_runbook": {"secret_settings": ["INVENTORY_TOKEN"], "token_setting": "INVENTORY_TOKEN",
                       "smoke_route": "GET /item/{item_id}", "smoke_values": {"item_id": 1}},
    "dashboards": {"day": "2024-03-01"},
}
NEEDS_ODOO = {"invoicing", "dashboards"}  # given the URL of an Odoo-protocol server started by the test


def _html_values(states: list[dict[str, Any]], book: Any) -> str:
    """The HTML shown inside a widget box (its children's values, as saved)."""
    models = widget_state(book)
    found: list[str] = []

    def walk(state: dict[str, Any]) -> None:
        for child in state.get("children", []):
            model = models.get(child.removeprefix("IPY_MODEL_"), {}).get("state", {})
            if isinstance(model.get("value"), str):
                found.append(model["value"])
            walk(model)

    for state in states:
        walk(state)
    return "\n".join(found)


def check_quickstart(book: Any) -> None:
    shown = texts(book)
    assert re.search(r"GET +/item/\{item_id\} +item_id: int", shown)  # %load_ext coworks: the route table
    assert "200 {'id': 3, 'name': 'pen'}" in shown  # in-process, then the deployed URL
    assert "{'id': 4, 'name': 'pen'}" in shown  # the local server
    assert re.search(r"URL: http://127\.0\.0\.1:\d+/_aws/execute-api/\w+/dev", shown)
    assert "START RequestId" in shown and "item read" in shown  # the logs, as a table and in the viewer
    panel = with_class(book, "coworks-deploy-panel")
    assert len(panel) == 1
    panel_html = _html_values(panel, book)
    assert panel_html.count(">done</td>") >= 10 and "pending" not in panel_html and "coworks-url" in panel_html
    viewer_html = _html_values(with_class(book, "coworks-log-viewer"), book)
    assert "events 1-" in viewer_html and "&quot;event&quot;: &quot;item read&quot;" in viewer_html
    caller_html = _html_values(with_class(book, "coworks-endpoint-caller"), book)
    assert 'class="coworks-status coworks-ok"' in caller_html and ">200</span>" in caller_html


def check_deploy_runbook(book: Any) -> None:
    shown = texts(book)
    # The deployed authorizer compared the smoke test's Authorization header with the deployed setting.
    assert "13 to create" in shown and re.search(r'200 \{"id": ?1, ?"name": ?"pen"', shown)
    assert "request headers</summary><div>Authorization: ••••</div>" in state_text(book)
    panel_html = _html_values(with_class(book, "coworks-deploy-panel"), book)
    assert panel_html.count(">done</td>") == 13 and "coworks-url" in panel_html
    viewer_html = _html_values(with_class(book, "coworks-log-viewer"), book)
    assert "&quot;path&quot;: &quot;/item/1&quot;" in viewer_html  # the smoke test's request line, pretty-printed


def check_logs(book: Any) -> None:
    shown = texts(book)
    assert "/report 500" in shown and "/item/9 404" in shown
    assert re.search(r"events 1-10 of \d\d+ \(page 1 of \d+\)", shown)  # pages of page_size=10
    viewers = with_class(book, "coworks-log-viewer")
    assert len(viewers) == 3
    pages = [_html_values([v], book) for v in viewers]  # saved in no particular order
    assert any("cw-error" in p and "RuntimeError: the report store is unreachable" in p for p in pages)
    assert any("events 1-1 of 1" in p and "&quot;status&quot;: 404" in p for p in pages)
    assert any("START RequestId" in p and "color:#" in p for p in pages)  # streams in colour


def check_workflow(book: Any) -> None:
    shown = texts(book)
    outcome = "[(3, 'invoiced'), (404, 'unknown'), (7, 'out of stock'), (503, 'unknown')]"
    assert shown.count(outcome) == 2  # the local run and the execution on the cloud agree
    assert shown.count("SUCCEEDED") == 2 and "Plan for shop-orders at stage dev" in shown
    assert "<svg" in state_text(book) or any("image/svg+xml" in o.get("data", {})
                                              for c in book.cells for o in c.get("outputs", []))
    views = [m["state"] for m in widget_state(book).values() if "statuses" in m.get("state", {})]
    assert len(views) == 2 and all(v["statuses"]["Done"] == "succeeded" for v in views)
    assert all(v["statuses"]["get_item"] in ("succeeded", "caught", "retried") for v in views)


def check_workflow_editor(book: Any) -> None:
    shown = texts(book)
    assert "needs item_id" in shown and "\nvalid\n" in shown  # a problem, then none
    assert "- task: shop-stock.get_item" in shown and "Task(shop_stock.get_item, item_id=Ref('$.id')" in shown
    assert shown.count("SUCCEEDED") == 2 and "Deployed scripted-orders at stage dev" in shown
    editors = with_class(book, "coworks-workflow-editor")
    assert len(editors) == 4 and {e["title"] for e in editors} == {"orders", "scripted-orders", "from-asl"}


def _view_statuses(book: Any) -> list[dict[str, str]]:
    return [m["state"]["statuses"] for m in widget_state(book).values() if "statuses" in m.get("state", {})]


def check_invoicing(book: Any) -> None:
    shown = texts(book)
    assert "SUCCEEDED" in shown and "{'invoiced': 3, 'failed': 0, 'skipped': 0}" in shown
    assert re.search(r"S00001 +invoiced +INV/2024/\d+", shown)
    for reference, customer in (("S00001", "ann"), ("S00002", "deco"), ("S00003", "azure")):
        assert re.search(rf"to {customer}@example\.com: Invoice INV/2024/\d+ for your order {reference}\n"
                         rf" +attached: invoice-{reference}\.pdf \(\d+ bytes\)", shown)
    assert "to accounting@example.com: Invoicing: 3 invoiced, 0 failed, 0 skipped" in shown
    assert "Please find attached our invoice <strong>INV/2024/" in shown and "<td>S00003</td>" in shown  # both shown
    [statuses] = _view_statuses(book)
    assert statuses["Report"] == "succeeded" and statuses["Mail invoice"] == "succeeded"
    assert '"path":"/search/sale.order"' in shown and '"type": "ExecutionStarted"' in shown  # both logs


def check_dashboards(book: Any) -> None:
    shown = texts(book)
    assert "kept as s3://coworks-dashboards/dashboards/2024-03-01.html | mailed to team@example.com" in shown
    assert "unavailable: none" in shown
    assert re.search(r"to team@example\.com: Coworks Shop: the day of 2024-03-01\n"
                     r" +attached: dashboard-2024-03-01\.html \(\d+ bytes\)", shown)
    page = shown.split("s3://coworks-dashboards/dashboards/2024-03-01.html: ", 1)[1]
    assert "<svg" in page and "€1,829.50" in page and "Pens in stock" in page  # the stored page, displayed
    [statuses] = _view_statuses(book)
    assert statuses["Gather figures"] == "succeeded" and statuses["Report"] == "succeeded"
    assert '"route":"PUT /dashboard/{day}","status":201' in shown  # the Archive service's log


CHECKS: dict[str, Callable[[Any], None]] = {
    "invoicing": check_invoicing,
    "dashboards": check_dashboards,
    "workflow_editor": check_workflow_editor,
    "workflow": check_workflow,
    "quickstart": check_quickstart,
    "deploy_runbook": check_deploy_runbook,
    "logs": check_logs,
}


@pytest.mark.parametrize("path", runbooks(), ids=lambda p: p.stem)
def test_notebook_runs_headlessly_saves_its_widgets_and_shows_no_secret(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVENTORY_TOKEN", TOKEN)  # the kernel inherits them
    monkeypatch.setenv("COWORKS_TEST_API_KEY", PLANTED)
    monkeypatch.setenv("COWORKS_TEST_ODOO_KEY", ODOO_KEY)
    parameters = dict(PARAMETERS.get(path.stem, {}))
    odoo = OdooServer(today="2024-03-01") if path.stem in NEEDS_ODOO else None
    if odoo is not None:
        parameters.update(odoo_url=odoo.url, odoo_database=DATABASE, odoo_user="admin",
                          odoo_key_env="COWORKS_TEST_ODOO_KEY")
    try:
        result = run_runbook(path, parameters or None, output=tmp_path)
    finally:
        if odoo is not None:
            odoo.stop()
    book = nbformat.read(result.notebook, as_version=4)
    assert errors(book) == []
    assert book.metadata["kernelspec"]["name"] == "python3"
    shown = set(shown_views(book))
    assert shown <= set(widget_state(book)), "a displayed widget has no saved state"
    assert 'class=\\"coworks-error' not in state_text(book)  # no widget reported an error (the CSS names it)
    check = CHECKS.get(path.stem)
    if check is not None:
        check(book)
    executed = json.dumps(json.loads(result.notebook.read_text()), ensure_ascii=False)
    report = result.report.read_text()
    assert "<html" in report and "jp-OutputArea" in report
    for secret in (TOKEN, PLANTED, ODOO_KEY):
        assert secret not in executed and secret not in report


def test_the_invoicing_runbook_without_an_odoo_shows_the_accountant_told_why(tmp_path: Path) -> None:
    """Its default parameters name no Odoo: everything deploys, the one execution cannot read the
    orders and fails, and the accountant's mail and the logs say ODOO_URL is not set."""
    result = run_runbook(Path(__file__).resolve().parents[2] / "notebooks" / "invoicing.ipynb", output=tmp_path)
    book = nbformat.read(result.notebook, as_version=4)
    assert errors(book) == []
    shown = texts(book)
    assert "FAILED HTTP500\nODOO_URL is not set" in shown
    assert "to accounting@example.com: Invoicing did not run: Odoo did not give the orders" in shown
    [statuses] = _view_statuses(book)
    assert statuses["Orders to invoice"] == "caught" and statuses["No orders"] == "failed"
    assert "[ERROR] HTTP500: {\"message\":\"ODOO_URL is not set" in shown  # in the Odoo service's log too


def test_runbooks_are_stored_without_outputs_and_with_a_parameters_cell() -> None:
    import nbformat

    assert {"quickstart", "workflow", "deploy_runbook", "logs", "invoicing", "dashboards"} <= {
        p.stem for p in runbooks()}
    for path in runbooks():
        book = nbformat.read(path, as_version=4)
        code = [c for c in book.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        assert any("parameters" in c.metadata.get("tags", []) for c in code), path.name
        assert "widgets" not in book.metadata, path.name
