"""The deploy panel: choose a stage and a cloud, read the plan, then Apply or Destroy with progress.

State is plain attributes and every action is a method (``use_stage``, ``use_cloud``, ``plan``,
``apply``, ``destroy``, ``confirm``, ``cancel``), so a runbook and a test drive it exactly as the
buttons do. The cloud layer does the work; the panel only keeps what it reported. A Coworks error
becomes ``error``, one sentence shown in red, never a traceback; environment values are never
shown, only the names of what changes.

The panel follows the command line's rule: it names the cloud it targets (``local at ...`` or
``AWS account ... in ...``), shows the plan as soon as it is displayed, and asks before it
destroys anything or changes an AWS account: ``destroy()`` and, on AWS, ``apply()`` show what
they would do and wait for ``confirm()`` (the Confirm button), unless called with
``confirmed=True``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from ..cloud.opener import AWS, LOCAL, describe, is_local, open_cloud
from ..errors import CoworksError
from ..tables import Table
from .redaction import mask_text
from .shown import Shown
from .theme import STYLE, TINTS

# Translucent tints over the theme's own background: the text keeps the theme's colour, readable
# in light and dark themes alike.
_STATUS_COLOURS = {"done": TINTS["success"], "failed": TINTS["error"], "running": TINTS["warning"]}


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
        self.pending = ""  # "apply" or "destroy" when it waits for confirm()
        self.question = ""
        self.last_apply: tuple[list[Step], str] | None = None  # the steps and summary of the last apply
        self._view: Any = None

    @property
    def where(self) -> str:
        """The cloud the panel targets, as the command line names it (``local at ...``, ``AWS account ...``)."""
        cloud = self.clouds.get(self.cloud_name)
        if cloud is None:
            return self.cloud_name
        try:
            return describe(cloud)
        except Exception:  # noqa: BLE001 - no credentials yet, or not a Coworks cloud: its name will do
            return self.cloud_name

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

    def apply(self, confirmed: bool = False) -> str | None:
        """Carry out the plan (made now if not shown yet); the stage's URL, or None on error.

        On AWS, unless ``confirmed``, it shows the plan and waits for :meth:`confirm` (None).
        """
        def work() -> str | None:
            if self.deployment is None or self.action != "deploy" or self._started():
                if self.plan() is None:
                    raise _Shown()
            if not self.steps and self.last_apply is not None:  # nothing changed: keep the last table
                steps, summary = self.last_apply
                self.steps, self.summary = list(steps), f"no changes since the last apply ({summary})"
                self.url = self.deployment.url
                self._refresh()
                return self.url
            if not confirmed and not is_local(self.cloud) and self.steps:
                self._ask("apply", f"Apply these {len(self.steps)} changes to {self.where}?")
                return None
            self.pending = self.question = ""
            self.deployment.apply(progress=self._on_progress)
            self.url = self.deployment.url
            self.last_apply = (list(self.steps), self.summary)
            self._refresh()
            return self.url

        return self._guard(work)

    def destroy(self, confirmed: bool = False) -> Any:
        """Delete every resource of the service at this stage; the plan carried out (None on error).

        Unless ``confirmed``, it shows what would be deleted and waits for :meth:`confirm` (None).
        """
        def work() -> Any:
            from ..cloud.targets import service_name

            name = self.deployment.service if self.deployment is not None else service_name(self.target)
            shown = self.cloud.destroy_plan(name, self.stage)
            self._show_plan(shown, "destroy")
            if not self.steps:
                return shown
            if not confirmed:
                self._ask("destroy", f"Delete these {len(self.steps)} resources of {name} ({self.stage}) "
                                     f"from {self.where}?")
                return None
            self.pending = self.question = ""
            plan = self.cloud.destroy(name, self.stage, progress=self._on_progress)
            self.url = None
            self.deployment = None
            self.last_apply = None
            self._refresh()
            return plan

        return self._guard(work)

    def confirm(self) -> Any:
        """Carry out what waits for confirmation (the Confirm button): the apply or the destroy."""
        pending, self.pending = self.pending, ""
        if pending == "apply":
            return self.apply(confirmed=True)
        if pending == "destroy":
            return self.destroy(confirmed=True)
        return None

    def cancel(self) -> None:
        """Forget what waited for confirmation; nothing is changed."""
        self.pending = self.question = ""
        self._refresh()

    def _ask(self, action: str, question: str) -> None:
        self.pending, self.question = action, question
        self._refresh()

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
        self.pending = self.question = ""
        self.last_apply = None
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
        head = f"{self.action or 'plan'} of {self.target_name} at stage {self.stage} on {self.where}"
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
        if self.question:
            lines.append(f"{self.question} (confirm() to go on, cancel() to stop)")
        if self.error:
            lines.append(f"Error: {self.error}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The static form (exported reports, terminals): the same table, URL and error."""
        body = self._table_html() + self._result_html()
        return f'{STYLE}<div class="coworks-deploy-panel coworks-themed">{body}</div>'

    def _table_html(self) -> str:
        return self.table()._repr_html_() if self.steps or self.summary else ""

    def _result_html(self) -> str:
        parts = []
        if self.url:
            url = html.escape(self.url)
            parts.append(f'<div>URL: <a class="coworks-url" href="{url}" target="_blank">{url}</a></div>')
        if self.question:
            parts.append(f'<div class="coworks-question">{html.escape(self.question)}</div>')
        if self.error:
            parts.append(f'<div class="coworks-error">{html.escape(self.error)}</div>')
        return "".join(parts)

    def _make_view(self) -> Any:
        view = _PanelView(self)
        if self.deployment is None and not self.steps and self.error is None:
            self._view = view
            self.plan()  # shown with its plan, as `cws deploy` shows it before applying
        return view


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
        self.confirm = w.Button(description="Confirm", button_style="warning", icon="check")
        self.cancel = w.Button(description="Cancel", icon="times")
        self.asking = w.HBox([self.confirm, self.cancel])
        self.bar = w.IntProgress(value=0, min=0, max=1, description="progress")
        self.table = w.HTML()
        self.result = w.HTML()
        self.box = w.VBox([w.HTML(STYLE), w.HBox([self.stage, self.cloud, self.plan, self.apply, self.destroy]),
                           self.bar, self.table, self.result, self.asking])
        self.box.add_class("coworks-deploy-panel")
        self.box.add_class("coworks-themed")
        self.confirm.on_click(lambda _: panel.confirm())
        self.cancel.on_click(lambda _: panel.cancel())
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
        self.asking.layout.display = "flex" if panel.pending else "none"
