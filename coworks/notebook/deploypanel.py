"""The deploy panel: choose a stage and a cloud, read the plan, then Apply or Destroy with progress.

State is plain attributes and every action is a method (``use_stage``, ``use_cloud``, ``plan``,
``apply``, ``destroy``), so a runbook and a test drive it exactly as the buttons do. The cloud
layer does the work; the panel only keeps what it reported. A Coworks error becomes ``error``,
one sentence shown in red, never a traceback; environment values are never shown, only the
names of what changes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from ..cloud.opener import AWS, LOCAL, open_cloud
from ..errors import CoworksError
from ..tables import Table
from .redaction import mask_text
from .shown import Shown

_STATUS_COLOURS = {"done": "#e8f5e9", "failed": "#fdecea", "running": "#fff8e1"}


@dataclass(frozen=True)
class Step:
    """One action of the plan and where it stands: pending, running, done or failed."""

    verb: str
    kind: str
    name: str
    changes: tuple[str, ...]
    status: str = "pending"


class DeployPanel(Shown):
    """``DeployPanel("module:app")``: plan, apply and destroy a service from a notebook.

    ``cloud`` is a cloud object, or a name for :func:`open_cloud` (default: the embedded local
    cloud, started on first use and stopped by ``close()``).
    """

    def __init__(self, target: Any, cloud: Any = None, stage: str = "dev", settings: dict[str, Any] | None = None):
        self.target = target
        self.stage = stage
        self.settings = dict(settings or {})
        self.clouds: dict[str, Any] = {LOCAL: None, AWS: None}
        self.cloud_name = LOCAL
        if isinstance(cloud, str):
            self.cloud_name = cloud
            self.clouds.setdefault(cloud, None)
        elif cloud is not None:
            self.cloud_name = _label(cloud)
            self.clouds[self.cloud_name] = cloud
        self._owned: list[Any] = []
        self.deployment: Any = None
        self.steps: list[Step] = []
        self.summary = ""
        self.action = ""  # what the steps belong to: "deploy" or "destroy"
        self.progress = (0, 0)
        self.url: str | None = None
        self.error: str | None = None
        self._view: Any = None

    @property
    def cloud(self) -> Any:
        """The selected cloud, opened on first use."""
        if self.clouds.get(self.cloud_name) is None:
            made = open_cloud(self.cloud_name)
            self.clouds[self.cloud_name] = made
            self._owned.append(made)
        return self.clouds[self.cloud_name]

    # -- actions ---------------------------------------------------------------------------

    def use_stage(self, stage: str) -> None:
        if stage != self.stage:
            self.stage = stage.strip()
            self._reset()

    def use_cloud(self, name: str) -> None:
        if name != self.cloud_name:
            self.clouds.setdefault(name, None)
            self.cloud_name = name
            self._reset()

    def plan(self) -> Any:
        """Package the target and read the cloud: what ``apply`` would change (None on error)."""
        def work() -> Any:
            self.deployment = self.cloud.deploy(self.target, stage=self.stage, settings=self.settings or None)
            plan = self.deployment.plan()
            self._show_plan(plan, "deploy")
            return plan

        return self._guard(work)

    def apply(self) -> str | None:
        """Carry out the plan (made now if not shown yet); the stage's URL, or None on error."""
        def work() -> str:
            if self.deployment is None or self.action != "deploy" or self._started():
                if self.plan() is None:
                    raise _Shown()
            self.deployment.apply(progress=self._on_progress)
            self.url = self.deployment.url
            self._refresh()
            return self.url

        return self._guard(work)

    def destroy(self) -> Any:
        """Delete every resource of the service at this stage; the plan carried out (None on error)."""
        def work() -> Any:
            from ..cloud.targets import service_name

            name = self.deployment.service if self.deployment is not None else service_name(self.target)
            self._show_plan(self.cloud.destroy_plan(name, self.stage), "destroy")
            plan = self.cloud.destroy(name, self.stage, progress=self._on_progress)
            self.url = None
            self.deployment = None
            self._refresh()
            return plan

        return self._guard(work)

    def close(self) -> None:
        """Stop the clouds this panel started (a cloud passed in stays with its owner)."""
        for cloud in self._owned:
            close = getattr(cloud, "close", None)
            if close is not None:
                close()
        self._owned.clear()

    # -- state -----------------------------------------------------------------------------

    def _reset(self) -> None:
        self.deployment, self.steps, self.summary, self.action = None, [], "", ""
        self.progress, self.url, self.error = (0, 0), None, None
        self._refresh()

    def _started(self) -> bool:
        return any(step.status != "pending" for step in self.steps)

    def _show_plan(self, plan: Any, action: str) -> None:
        self.action = action
        self.summary = plan.summary()
        self.steps = [Step(a.verb, a.kind, a.name, tuple(a.changes)) for a in plan.changes]
        self.progress = (0, len(self.steps))
        self._refresh()

    def _on_progress(self, step: int, total: int, action: Any, status: str) -> None:
        """The executor's callback: ``status`` is start, done or failed for step ``step`` of ``total``."""
        index = step - 1
        if 0 <= index < len(self.steps):
            old = self.steps[index]
            self.steps[index] = Step(old.verb, old.kind, old.name, old.changes,
                                     "running" if status == "start" else status)
        self.progress = (sum(s.status == "done" for s in self.steps), total)
        self._refresh()

    def _guard(self, work: Any) -> Any:
        """Run an action; a Coworks error (or any other) becomes ``error``: one sentence, no traceback."""
        self.error = None
        try:
            return work()
        except _Shown:
            return None
        except CoworksError as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown to the user as one sentence
            self.error = f"{type(exc).__name__}: {exc}".rstrip(".") + "."
        self.error = mask_text(self.error)
        self._refresh()
        return None

    # -- display ---------------------------------------------------------------------------

    def table(self) -> Table:
        rows = [(i, s.verb, s.kind, s.name, ", ".join(s.changes), s.status) for i, s in enumerate(self.steps, 1)]
        colours = [_STATUS_COLOURS.get(s.status) for s in self.steps]
        head = f"{self.action or 'plan'} of {self.target_name} at stage {self.stage} on {self.cloud_name}"
        return Table(("#", "action", "resource", "name", "changes", "status"), rows,
                     title=f"{head}: {self.summary}" if self.summary else head, colours=colours)

    @property
    def target_name(self) -> str:
        if self.deployment is not None:
            return str(self.deployment.service)
        return self.target if isinstance(self.target, str) else str(getattr(self.target, "name", self.target))

    def __str__(self) -> str:
        lines = [str(self.table())]
        if self.url:
            lines.append(f"URL: {self.url}")
        if self.error:
            lines.append(f"Error: {self.error}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The static form (exported reports, terminals): the same table, URL and error."""
        return f'<div class="coworks-deploy-panel">{self._table_html()}{self._result_html()}</div>'

    def _table_html(self) -> str:
        return self.table()._repr_html_() if self.steps or self.summary else ""

    def _result_html(self) -> str:
        parts = []
        if self.url:
            url = html.escape(self.url)
            parts.append(f'<div>URL: <a class="coworks-url" href="{url}" target="_blank">{url}</a></div>')
        if self.error:
            parts.append(f'<div class="coworks-error" style="color:#c62828">{html.escape(self.error)}</div>')
        return "".join(parts)

    def _make_view(self) -> Any:
        return _PanelView(self)


class _Shown(Exception):
    """An inner action already recorded its error."""


def _label(cloud: Any) -> str:
    from ..cloud.local.cloud import LocalCloud

    return LOCAL if isinstance(cloud, LocalCloud) else f"{type(cloud).__name__} {getattr(cloud, 'region', '')}".strip()


class _PanelView:
    """The ipywidgets front of a DeployPanel: the controls call its methods, nothing more."""

    def __init__(self, panel: DeployPanel) -> None:
        import ipywidgets as w

        self.panel = panel
        self.stage = w.Text(value=panel.stage, description="stage", layout=w.Layout(width="180px"))
        self.cloud = w.Dropdown(options=list(panel.clouds), value=panel.cloud_name, description="cloud")
        self.plan = w.Button(description="Plan", icon="list")
        self.apply = w.Button(description="Apply", button_style="primary", icon="cloud-upload")
        self.destroy = w.Button(description="Destroy", button_style="danger", icon="trash")
        self.bar = w.IntProgress(value=0, min=0, max=1, description="progress")
        self.table = w.HTML()
        self.result = w.HTML()
        self.box = w.VBox([w.HBox([self.stage, self.cloud, self.plan, self.apply, self.destroy]), self.bar,
                           self.table, self.result])
        self.box.add_class("coworks-deploy-panel")
        self.stage.observe(lambda change: panel.use_stage(change["new"]), names="value")
        self.cloud.observe(lambda change: panel.use_cloud(change["new"]), names="value")
        self.plan.on_click(lambda _: panel.plan())
        self.apply.on_click(lambda _: panel.apply())
        self.destroy.on_click(lambda _: panel.destroy())
        self.refresh()

    def refresh(self) -> None:
        panel = self.panel
        done, total = panel.progress
        self.bar.max = max(total, 1)
        self.bar.value = done
        failed = any(step.status == "failed" for step in panel.steps)
        self.bar.bar_style = "danger" if failed else ("success" if total and done == total else "info")
        self.table.value = panel._table_html()
        self.result.value = panel._result_html()
