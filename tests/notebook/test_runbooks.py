"""Every notebook of notebooks/ runs top to bottom headlessly, with its widgets' state saved.

One kernel per notebook and one execution each: the checks of a notebook all read that one
executed copy (notebook execution is the slow part of the suite).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .notebooks import errors, execute, runbooks, shown_views, state_text, texts, widget_state, with_class


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
    assert 'class="coworks-status"' in caller_html and ">200</span>" in caller_html


def check_deploy_runbook(book: Any) -> None:
    shown = texts(book)
    assert "13 to create" in shown and "200 ready" in shown
    panel_html = _html_values(with_class(book, "coworks-deploy-panel"), book)
    assert panel_html.count(">done</td>") == 13 and "coworks-url" in panel_html
    viewer_html = _html_values(with_class(book, "coworks-log-viewer"), book)
    assert "&quot;path&quot;: &quot;/&quot;" in viewer_html  # the smoke test's request line, pretty-printed


def check_logs(book: Any) -> None:
    shown = texts(book)
    assert "/report 500" in shown and "/item/9 404" in shown
    assert re.search(r"events 1-10 of \d\d+ \(page 1 of \d+\)", shown)  # pages of page_size=10
    viewers = with_class(book, "coworks-log-viewer")
    assert len(viewers) == 3
    every, failed, missing = (_html_values([v], book) for v in viewers)
    assert "cw-error" in failed and "RuntimeError: the report store is unreachable" in failed
    assert "events 1-1 of 1" in missing and "&quot;status&quot;: 404" in missing
    assert "START RequestId" in every and "color:#" in every  # streams in colour


CHECKS: dict[str, Callable[[Any], None]] = {
    "quickstart": check_quickstart,
    "deploy_runbook": check_deploy_runbook,
    "logs": check_logs,
}


@pytest.mark.parametrize("path", runbooks(), ids=lambda p: p.stem)
def test_notebook_runs_headlessly_and_saves_its_widgets(path: Path) -> None:
    book = execute(path)
    assert errors(book) == []
    assert book.metadata["kernelspec"]["name"] == "python3"
    shown = set(shown_views(book))
    assert shown <= set(widget_state(book)), "a displayed widget has no saved state"
    assert "coworks-error" not in state_text(book)  # no widget reported an error
    check = CHECKS.get(path.stem)
    if check is not None:
        check(book)


def test_runbooks_are_stored_without_outputs_and_with_a_parameters_cell() -> None:
    import nbformat

    assert {"quickstart", "deploy_runbook", "logs"} <= {p.stem for p in runbooks()}
    for path in runbooks():
        book = nbformat.read(path, as_version=4)
        code = [c for c in book.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        assert any("parameters" in c.metadata.get("tags", []) for c in code), path.name
        assert "widgets" not in book.metadata, path.name
