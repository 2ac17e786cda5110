"""The notebook's log viewer with 50,000 events already fetched: time to show the first page,
and the bytes of widget messages that reach the browser for it, beside the anchor, the
all-rows HTML table that ``cloud.logs(...)`` displays (``LogRecords._repr_html_``).

Bytes are measured on the wire format: every comm message the widgets publish (open and
update) is recorded by a comm that serialises it as JSON instead of sending it.

    .venv/bin/python bench/notebook.py [--events 50000] [--runs 5]

The workflow view: time to first display of a 300-state workflow graph (graph built, laid out
by ``dot``, widget made), and the bytes sent to the browser per status update against a full
SVG re-render of the same graph.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import comm

from coworks.cloud.logs.reader import LogRecords
from coworks.cloud.logs.records import LogRecord
from coworks.notebook import LogViewer

T0 = 1_796_000_000_000


class CountingComm(comm.DummyComm):
    """A comm that keeps the size of every message it would send to the browser."""

    sent: list[int] = []

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None,
                    **keys: Any) -> None:
        CountingComm.sent.append(len(json.dumps(data or {}, separators=(",", ":"))) + sum(map(len, buffers or ())))


def records(count: int) -> list[LogRecord]:
    """Lambda-shaped logs from four warm workers: START, a JSON request line, a message, END, REPORT."""
    out = []
    for i in range(count):
        request = i // 5
        stream = f"2026/11/30/[1]{request % 4:032x}"
        kind = i % 5
        if kind == 0:
            message = f"START RequestId: {request:08d}-0000-4000-8000-000000000000 Version: 1"
        elif kind == 1:
            message = json.dumps({"level": "INFO", "type": "request", "service": "inventory", "method": "GET",
                                  "path": f"/item/{request}", "status": 200 if request % 50 else 500,
                                  "latency_ms": 0.7})
        elif kind == 2:
            message = "ERROR the report store is unreachable" if request % 50 == 0 else f"item {request} read"
        elif kind == 3:
            message = f"END RequestId: {request:08d}-0000-4000-8000-000000000000"
        else:
            message = (f"REPORT RequestId: {request:08d}-0000-4000-8000-000000000000\tDuration: 0.71 ms\t"
                       "Billed Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 15 MB")
        out.append(LogRecord(T0 + i, stream, message, f"{i:012d}"))
    return out


def first_page(events: list[LogRecord]) -> tuple[float, int, int]:
    """Milliseconds from records to the first page's widget (made and rendered); bytes sent; rows."""
    CountingComm.sent = []
    started = time.perf_counter()
    viewer = LogViewer(None, "inventory", page_size=100)
    viewer.load(events)
    bundle = viewer._repr_mimebundle_()
    elapsed = (time.perf_counter() - started) * 1000
    assert "application/vnd.jupyter.widget-view+json" in bundle
    return elapsed, sum(CountingComm.sent), viewer.page_html().count("coworks-log-row")


def next_page(events: list[LogRecord]) -> tuple[float, int]:
    viewer = LogViewer(None, "inventory", page_size=100)
    viewer.load(events)
    viewer.widget  # noqa: B018
    CountingComm.sent = []
    started = time.perf_counter()
    viewer.next_page()
    return (time.perf_counter() - started) * 1000, sum(CountingComm.sent)


def full_table(events: list[LogRecord]) -> tuple[float, int]:
    started = time.perf_counter()
    html = LogRecords(events)._repr_html_()
    return (time.perf_counter() - started) * 1000, len(html.encode())


def graph_first_display(size: int) -> tuple[float, int]:
    """Milliseconds from a workflow to its view made (dot layout included); bytes sent for it."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from workflow import graph_workflow  # the 300-state business-shaped workflow of bench/workflow.py

    from coworks.notebook import WorkflowView

    wf = graph_workflow(size)
    CountingComm.sent = []
    started = time.perf_counter()
    view = WorkflowView(wf)
    view._repr_mimebundle_()
    return (time.perf_counter() - started) * 1000, sum(CountingComm.sent)


def graph_updates(size: int) -> tuple[int, int, int, int]:
    """Bytes of each status message during a run of that workflow, against a full coloured SVG."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from workflow import graph_workflow

    from coworks.notebook import WorkflowView

    wf = graph_workflow(size)
    view = WorkflowView(wf)
    view._repr_mimebundle_()
    CountingComm.sent = []
    resources = {s.get("Resource") for s in _all_states(wf.to_asl()) if s.get("Type") == "Task"}
    execution = view.run({}, services={r: (lambda payload, ctx=None: {}) for r in resources if r})
    sizes = list(CountingComm.sent)
    full = len(wf.graph(execution).pipe(format="svg"))
    return max(sizes), int(statistics.median(sizes)), len(sizes), full


def _all_states(definition: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for state in definition.get("States", {}).values():
        found.append(state)
        for body in [*(state.get("Branches") or []), state.get("ItemProcessor") or state.get("Iterator") or {}]:
            found.extend(_all_states(body))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    comm.create_comm = CountingComm  # type: ignore[assignment] # every widget's comm records its messages
    events = records(args.events)
    firsts = [first_page(events) for _ in range(args.runs)]
    nexts = [next_page(events) for _ in range(args.runs)]
    tables = [full_table(events) for _ in range(max(1, args.runs // 2))]
    first_ms = statistics.median(r[0] for r in firsts)
    first_bytes, rows = firsts[-1][1], firsts[-1][2]
    next_ms, next_bytes = statistics.median(r[0] for r in nexts), nexts[-1][1]
    table_ms, table_bytes = statistics.median(r[0] for r in tables), tables[-1][1]
    print(f"Log viewer with {args.events:,} events already fetched (median of {args.runs})")
    print(f"{'display':<44} {'ms':>9} {'bytes to browser':>17} {'rows':>7}")
    print(f"{'LogViewer: first page (widget made)':<44} {first_ms:>9.1f} {first_bytes:>17,} {rows:>7}")
    print(f"{'LogViewer: next page':<44} {next_ms:>9.1f} {next_bytes:>17,} {rows:>7}")
    print(f"{'anchor: all rows as one HTML table':<44} {table_ms:>9.1f} {table_bytes:>17,} {args.events:>7,}")
    print(f"ratio anchor/viewer first page: {table_ms / first_ms:.0f}x time, {table_bytes / first_bytes:.0f}x bytes")
    shows = [graph_first_display(300) for _ in range(args.runs)]
    largest, median, count, full = graph_updates(300)
    print(f"\nWorkflow view, 300 states (median of {args.runs})")
    print(f"time to first display (graph, dot layout, widget): {statistics.median(r[0] for r in shows):.1f} ms, "
          f"{shows[-1][1]:,} bytes sent")
    print(f"status updates during a run: {count} messages, median {median} bytes, largest {largest} bytes "
          f"(target < 1,024); a full SVG re-render: {full:,} bytes ({full / largest:.0f}x the largest update)")


if __name__ == "__main__":
    main()
