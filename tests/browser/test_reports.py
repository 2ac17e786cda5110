"""The HTML report ``cws runbook`` writes, opened in Chromium and measured: the log viewer's static
form is laid out like the live widget, whatever the report's stylesheet (which centres tables,
right-aligns cells and breaks ``<pre>`` text anywhere): its table starts at the output's left edge,
every cell's text starts at the cell's left, no word is broken between two letters, and the columns
before the message stay on one line each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from .conftest import BROWSER, SHOTS, write_notebook

pytestmark = BROWSER

PROSE = ("the payment provider answered slowly for order 1234 while /aws/lambda/shop-dev-orders-processing "
         "retried the charge, so the customer https://shop.example.com/orders/1234/invoice saw a spinner ") * 4
CELLS = [
    f'''
import json
from coworks.cloud.logs.records import LogRecord
from coworks.notebook import LogViewer

T0 = 1_796_000_000_000
lines = ["START RequestId: 1 Version: 1", "all fine", {PROSE!r}.strip(),
         json.dumps({{"level": "ERROR", "message": "card declined", "order": "ord-20261130-000042"}}),
         "WARNING stock of ink-cartridge-black-xl is low"]
records = [LogRecord(T0 + i, f"2026/11/30/[1]{{i % 2:012d}}", line, f"{{i:08d}}") for i, line in enumerate(lines)]


class LogCloud:
    def logs(self, target, since="15m", until=None, pattern=None, follow=False, *, stage="dev"):
        return records


viewer = LogViewer(LogCloud(), "shop", since="1d")
viewer
''',
]

# Where each cell's text lies: its first line's left edge against the cell's content edge, the lines
# each word (a run of letters and digits) spans, and the lines each cell's text takes. A line may
# end after a space, a hyphen or a slash, as in the live widget; never between two letters.
LAYOUT = """(viewer) => {
    const table = viewer.querySelector("table.coworks-logs");
    const lines = (rects) => new Set(Array.from(rects, (r) => Math.round(r.top))).size;
    const cells = [];
    for (const cell of table.querySelectorAll("td")) {
        const style = getComputedStyle(cell);
        const content = cell.getBoundingClientRect().left + parseFloat(style.paddingLeft)
            + parseFloat(style.borderLeftWidth);
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        const words = [];
        let first = null, spans = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const all = document.createRange();
            all.selectNodeContents(node);
            spans = Math.max(spans, lines(all.getClientRects()));
            const start = node.textContent.search(/\\S/);
            if (first === null && start >= 0) {
                const letter = document.createRange();
                letter.setStart(node, start);
                letter.setEnd(node, start + 1);
                first = letter.getBoundingClientRect().left;
            }
            for (const match of node.textContent.matchAll(/[\\p{L}\\p{N}]+/gu)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                words.push({word: match[0], lines: lines(range.getClientRects())});
            }
        }
        cells.push({column: cell.cellIndex, text: cell.innerText.slice(0, 40),
                    offset: first === null ? 0 : first - content, lines: spans,
                    broken: words.filter((w) => w.lines > 1).map((w) => w.word)});
    }
    const box = viewer.getBoundingClientRect(), drawn = table.getBoundingClientRect();
    return {cells, left: drawn.left - box.left, overflow: drawn.right - box.right};
}"""


def test_the_log_viewers_static_form_in_a_report_is_left_aligned_without_mid_word_wrapping(
        page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    book = tmp_path / "logs_report.ipynb"
    write_notebook(book, CELLS)
    cws = Path(sys.executable).with_name("cws")
    done = subprocess.run([str(cws), "runbook", str(book), "--output", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    report = tmp_path / "out" / "logs_report.html"

    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(report.as_uri(), wait_until="domcontentloaded")
    viewer = page.locator(".coworks-log-viewer")
    expect(viewer.locator(".coworks-log-row")).to_have_count(5)
    viewer.screenshot(path=str(SHOTS / "log-viewer-report.png"))
    layout = viewer.evaluate(LAYOUT)
    cells = layout["cells"]
    assert abs(layout["left"]) < 1 and layout["overflow"] <= 1, layout  # not centred, not wider than the page
    assert [c for c in cells if abs(c["offset"]) > 1.5] == []  # every text starts at its cell's left
    assert [c for c in cells if c["broken"]] == []  # no word split across two lines
    assert [c for c in cells if c["column"] < 3 and c["lines"] > 1] == []  # time, stream, level: one line
    prose = next(c for c in cells if c["text"].startswith("the payment provider"))
    assert prose["lines"] >= 3  # the long message did wrap (between words)
