"""The live workflow view: the graph laid out once with dot, then recoloured as the execution
runs, sending the browser only the states whose status changed (not a new SVG). Clicking a
state shows its input, output, error and retries. Works for ``run_local`` (events arrive
through ``on_event``) and for executions on a cloud (``follow(arn, cloud=cloud)`` polls their
history). A header says the execution's status, its elapsed time and the state running now; a
legend says what each colour means. The graph keeps dot's white page, so it reads in either
JupyterLab theme; header and legend take the theme's colours.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..biz.graph import STATUS_COLORS
from ..biz.history import state_statuses

_STATIC = Path(__file__).with_name("static")


class WorkflowView(anywidget.AnyWidget):  # type: ignore[misc]
    """``view = WorkflowView(wf)``; display it, then ``view.run(input, services=[...])``."""

    _esm = _STATIC / "workflow_view.js"
    _css = """
    .coworks-workflow-view { color: var(--jp-content-font-color1, #212121); }
    .coworks-workflow-view .coworks-graph { background: #fff; display: inline-block; border-radius: 4px; }
    .coworks-workflow-view .coworks-header { font-weight: bold; margin: 4px 0; }
    .coworks-workflow-view .coworks-legend { display: flex; flex-wrap: wrap; gap: 10px; margin: 4px 0;
      font-size: var(--jp-ui-font-size1, 13px); }
    .coworks-workflow-view .coworks-swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
      border: 1px solid var(--jp-border-color1, #999); vertical-align: middle; }
    .coworks-workflow-view svg { max-width: 100%; height: auto; }
    .coworks-workflow-view g.node { cursor: pointer; }
    .coworks-details pre { max-height: 16em; overflow: auto; }
    .coworks-invalid > polygon, .coworks-invalid > ellipse, .coworks-invalid > path {
      stroke: #dc2626; stroke-width: 3px; }
    """
    svg = traitlets.Unicode("").tag(sync=True)
    statuses = traitlets.Dict().tag(sync=True)  # synced whole only at the start and the end
    colors = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    details = traitlets.Unicode("").tag(sync=True)
    header = traitlets.Unicode("").tag(sync=True)  # status, elapsed time, current state (HTML)
    #: A problem per state ({name: message}), drawn as a mark on its shape (the workflow editor's).
    marks = traitlets.Dict().tag(sync=True)

    def __init__(self, workflow: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.workflow = workflow
        self.history: list[dict[str, Any]] = []
        self.execution: Any = None
        self.sent: list[int] = []  # bytes of each status message, for benchmarks and tests
        self._live: dict[str, str] = {}
        self._parts: dict[str, Any] = {}  # the drawing last sent, read into groups, for the next patch
        self._status = ""
        self.colors = dict(STATUS_COLORS)
        self.svg = workflow.graph().pipe(format="svg").decode()
        self.observe(lambda change: self.select(change["new"]), names="selected")

    # -- redrawing after an edit ---------------------------------------------------------

    def redraw(self, workflow: Any, svg: str | None = None) -> int:
        """Show ``workflow`` (laid out again by dot, or ``svg`` given): the browser gets only the
        parts of the drawing that changed. Returns the bytes sent (0 when nothing changed)."""
        self.workflow = workflow
        new = svg if svg is not None else workflow.graph().pipe(format="svg").decode()
        if new == self.svg:
            return 0
        patch = svg_patch(self.svg, new, self._parts)
        if patch is None or len(json.dumps(patch)) > len(new) // 2:
            self.svg = new  # most of it changed: the whole drawing is smaller than its changes
            self.sent.append(len(new))
            return len(new)
        message = {"type": "patch", **patch}
        size = len(json.dumps(message))  # (the comm serialises it once more; small beside the layout)
        self.sent.append(size)
        self.send(message)
        with self._lock_property(svg=new):  # the state saved with the notebook, not sent again
            self.svg = new
        return size

    # -- following an execution ----------------------------------------------------------

    def on_event(self, event: dict[str, Any]) -> None:
        """Take one history event (live from ``run_local`` or read from a cloud's history)."""
        self.history.append(event)
        now = state_statuses(self.history)
        changes = {name: status for name, status in now.items() if self._live.get(name) != status}
        if changes:
            self._live.update(changes)
            message = {"type": "statuses", "changes": changes}
            self.sent.append(len(json.dumps(message)))
            self.send(message)
        self.header = execution_header(self.history, self._live, self._status)

    def run(self, input: Any = None, **kwargs: Any) -> Any:
        """Run the workflow locally, recolouring live; returns the execution."""
        self._reset()
        self._status = "RUNNING"
        self.execution = self.workflow.run_local(input, on_event=self.on_event, **kwargs)
        self._status = str(self.execution.status)
        self.statuses = dict(self._live)  # the final picture, also saved with the notebook
        self.header = execution_header(self.history, self._live, self._status)
        return self.execution

    def follow(
        self,
        arn: str,
        cloud: Any,
        *,
        interval: float = 1.0,
        sleep: Callable[[float], None] | None = None,
        polls: int | None = None,
    ) -> str:
        """Follow the execution ``arn`` on ``cloud`` (its history polled every ``interval`` seconds,
        with the cloud's own ``sleep`` unless given) until it ends; returns its final status."""
        nap = sleep if sleep is not None else getattr(cloud, "sleep", time.sleep)
        self._reset()
        count = 0
        while True:
            # The status first: the history read next then holds every event up to that status.
            self._status = str(cloud.describe_execution(arn).status)
            for event in list(cloud.execution_history(arn))[len(self.history):]:
                self.on_event(event)
            self.header = execution_header(self.history, self._live, self._status)
            count += 1
            if self._status != "RUNNING" or (polls is not None and count >= polls):
                break
            nap(interval)
        self.statuses = dict(self._live)
        return self._status

    def _reset(self) -> None:
        self.history = []
        self._live = {}
        self._status = ""
        self.statuses = {}
        self.header = ""

    # -- a state's details ---------------------------------------------------------------

    def select(self, name: str) -> str:
        """Show the input, output, error and retries of state ``name``; returns that HTML."""
        if not name:
            self.details = ""
            return ""
        info = state_details(self.history, name)
        rows = [f"<b>{html.escape(name)}</b>: {html.escape(self._live.get(name, 'not started'))}"]
        for key in ("input", "output", "error", "cause"):
            if info.get(key) is not None:
                value = info[key]
                text = json.dumps(value, indent=2) if not isinstance(value, str) else value
                rows.append(f"<div>{key}</div><pre>{html.escape(text)}</pre>")
        rows.append(f"<div>attempts: {info['attempts']}</div>")
        self.details = "".join(rows)
        return self.details


_GROUP = re.compile(r'^<g id="([^"]+)" class="(node|edge|cluster)">')


def svg_parts(svg: str) -> tuple[str, dict[str, str]] | None:
    """dot's SVG as its head (the ``<svg>`` and graph tags) and its groups (nodes, edges, clusters) by id."""
    lines = svg.splitlines(keepends=True)
    head = [line for line in lines if line.startswith(("<svg", " viewBox", '<g id="graph0"'))]
    groups: dict[str, str] = {}
    current: list[str] | None = None
    depth = 0
    key = ""
    for line in lines:
        if current is None:
            match = _GROUP.match(line)
            if match:
                key, current, depth = match.group(1), [line], 1
            continue
        current.append(line)
        depth += line.count("<g ") + line.count("<g>") - line.count("</g>")
        if depth <= 0:
            if key in groups:
                return None  # an id twice: not the SVG dot writes
            groups[key] = "".join(current).rstrip("\n")
            current = None
    return "".join(head), groups


def svg_patch(old: str, new: str, cache: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """What turns the drawing ``old`` into ``new``: the groups that only moved (by how much), the
    groups to set and to remove, and the new head.

    After an edit dot lays the graph out again and most shapes shift by the same distance (a
    label grew, a state was added below): those are sent as a shift, not as their SVG. ``shift``
    moves every group the patch does not name otherwise, ``keep`` names those that stay.
    """
    cache = cache if cache is not None else {}
    before = cache["parts"] if cache.get("svg") == old else svg_parts(old)
    after = svg_parts(new)
    geometry: dict[str, Any] = cache.get("geometry", {}) if cache.get("svg") == old else {}
    cache.clear()
    cache.update(svg=new, parts=after, geometry={})
    if before is None or after is None or not before[1]:
        return None
    changed: dict[str, str] = {}
    moved: dict[str, list[str]] = {}
    kept: list[str] = []
    for key, text_ in after[1].items():
        was = before[1].get(key)
        if was == text_ or (was is not None and _TITLE.sub("", was) == _TITLE.sub("", text_)):
            kept.append(key)
            if key in geometry:
                cache["geometry"][key] = geometry[key]
            continue
        delta = _translation(was, text_, geometry.get(key), cache["geometry"], key) if was is not None else None
        if delta is None:
            changed[key] = text_
        else:
            moved.setdefault(delta, []).append(key)
    removed = [k for k in before[1] if k not in after[1]]
    patch: dict[str, Any] = {"set": changed, "remove": removed}
    if moved:
        common = max(moved, key=lambda d: len(moved[d]))
        if len(moved[common]) > len(kept):
            patch["shift"] = [float(v) for v in common.split(",")]
            patch["keep"] = kept
            del moved[common]
        patch["moves"] = moved
    if before[0] != after[0]:
        patch["head"] = after[0]
    return patch


# dot titles each shape with its generated node id (s12, s3->s4): renumbered when a state is added
# above, meaningless to a person, and not worth sending again.
_TITLE = re.compile(r"<title>[^<]*</title>")
_COORDINATES = re.compile(r'\b(points|d|x|y|cx|cy)="([^"]*)"')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _geometry(text_: str) -> tuple[str, list[float], list[float]]:
    """A group's SVG without its coordinates (and title), then its x and y coordinates in order."""
    xs: list[float] = []
    ys: list[float] = []
    for name, value in _COORDINATES.findall(text_):
        if name in ("points", "d"):
            numbers = [float(n) for n in _NUMBER.findall(value)]
            xs.extend(numbers[0::2])
            ys.extend(numbers[1::2])
        elif name in ("x", "cx"):
            xs.append(float(value))
        else:
            ys.append(float(value))
    shape = _COORDINATES.sub(r'\1="#"', _TITLE.sub("", text_))
    return shape, xs, ys


def _translation(old: str, new: str, known: Any = None, keep: dict[str, Any] | None = None,
                 key: str = "") -> str | None:
    """``"dx,dy"`` when ``new`` is ``old`` moved by that much (to dot's 0.01 precision), else None
    (``known``: the old group's geometry already read; ``keep`` receives the new one's)."""
    shape, xs, ys = known if known is not None else _geometry(old)
    shape_new, xs_new, ys_new = found = _geometry(new)
    if keep is not None:
        keep[key] = found
    if shape != shape_new or len(xs) != len(xs_new) or len(ys) != len(ys_new) or not xs or not ys:
        return None
    dx, dy = round(xs_new[0] - xs[0], 2), round(ys_new[0] - ys[0], 2)
    if all(abs(b - a - dx) < 0.015 for a, b in zip(xs, xs_new, strict=True)) and all(
            abs(b - a - dy) < 0.015 for a, b in zip(ys, ys_new, strict=True)):
        return f"{dx:g},{dy:g}"
    return None


def execution_header(history: list[dict[str, Any]], live: Mapping[str, str], status: str) -> str:
    """``RUNNING · 3.2 s · now: Charge``: the execution's status, its elapsed time and the state running."""
    parts = [html.escape(status or "NOT STARTED")]
    from datetime import datetime

    times = [t for t in (e.get("timestamp") for e in history) if isinstance(t, datetime)]
    if len(times) >= 2 or (times and status == "RUNNING"):
        from datetime import UTC

        end = times[-1] if status != "RUNNING" or len(times) >= 2 else datetime.now(UTC)
        parts.append(f"{max((end - times[0]).total_seconds(), 0.0):.1f} s")
    running = [name for name, state in live.items() if state == "running"]
    if running and status in ("RUNNING", ""):
        parts.append("now: " + html.escape(", ".join(running)))
    return f'<span class="coworks-status" data-status="{html.escape(status.lower())}">' + " · ".join(parts) + "</span>"


def state_details(history: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """What happened to one state: its last input and output, its error, and how many attempts."""
    info: dict[str, Any] = {"input": None, "output": None, "error": None, "cause": None, "attempts": 0}
    inside = False
    for event in history:
        kind = event.get("type", "")
        entered = event.get("stateEnteredEventDetails")
        exited = event.get("stateExitedEventDetails")
        if entered and entered.get("name") == name:
            inside = True
            info["input"] = _json(entered.get("input"))
        elif exited and exited.get("name") == name:
            inside = False
            info["output"] = _json(exited.get("output"))
        elif entered or exited:
            continue
        elif inside and kind.endswith("Scheduled"):
            info["attempts"] += 1
        elif inside and kind.endswith(("Failed", "TimedOut")):
            details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, Mapping)), {})
            info["error"], info["cause"] = details.get("error"), details.get("cause")
    return info


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
