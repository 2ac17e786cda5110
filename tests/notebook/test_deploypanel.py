"""The deploy panel, driven by its methods: plan, apply with per-step progress, URL, destroy,
and errors as one sentence; on the embedded local cloud and on a fake that fails mid-way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from coworks.cloud import AwsError, LocalCloud, PackagingError
from coworks.cloud.deploy.plan import Action, Plan
from coworks.notebook import DeployPanel

SERVICE = '''
from coworks import TechMicroService, entry


class Stock(TechMicroService):
    """Stock."""

    environment = {"DB_PASSWORD": "{secret}"}

    @entry
    def get_item(self, item_id: int):
        return {"id": item_id}


app = Stock()
'''


@pytest.mark.localcloud
def test_plan_apply_and_destroy_on_the_local_cloud(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "pw-planted-4821"
    (tmp_path / "stock.py").write_text(SERVICE.replace("{secret}", secret))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with LocalCloud() as cloud:
        panel = DeployPanel("stock:app", cloud=cloud, stage="test")
        view = panel.widget  # displayed: the plan is read at once
        assert panel.action == "deploy" and panel.steps and panel.error is None, panel.error
        assert f"on local at {cloud.endpoint_url}" in panel.table().title
        plan = panel.plan()
        assert plan is not None and panel.error is None, panel.error
        assert [s.status for s in panel.steps] == ["pending"] * len(plan.changes)
        assert "test" in panel.table().title and "environment" not in str(panel).lower().split("changes")[0]
        url = panel.apply()
        assert url == panel.url and url is not None and panel.error is None
        assert {s.status for s in panel.steps} == {"done"} and panel.progress == (len(plan.changes),) * 2
        assert requests.get(url + "/item/3", timeout=30).json() == {"id": 3}
        shown = str(panel) + panel._repr_html_() + repr(view)
        assert url in shown and secret not in shown  # environment values are never shown
        assert panel._view.bar.value == panel._view.bar.max and panel._view.bar.bar_style == "success"
        applied = list(panel.steps)
        assert panel.apply() == url and panel.steps == applied  # nothing changed: the last table stays
        assert "no changes since the last apply" in panel.table().title
        assert panel.destroy() is None and panel.pending == "destroy"  # asked first, nothing deleted
        assert "Delete these 4 resources of stock (test) from local at" in str(panel) + panel._repr_html_()
        assert requests.get(url + "/item/3", timeout=30).status_code == 200
        assert panel._view.asking.layout.display == "flex"
        assert panel.confirm() is not None
        assert panel.url is None and panel.action == "destroy" and {s.status for s in panel.steps} == {"done"}
        assert [s.kind for s in panel.steps] == ["http api", "lambda function", "log group", "iam role"]


@dataclass
class FakeDeployment:
    service: str = "stock"
    fail_at: int | None = None
    actions: tuple[Action, ...] = (Action("create", "iam role", "stock-dev-role"),
                                   Action("create", "lambda function", "stock-dev"),
                                   Action("create", "http api", "stock-dev"))
    applied: list[str] = field(default_factory=list)

    def plan(self) -> Plan:
        return Plan(self.service, "dev", "eu-west-1", self.actions)

    def apply(self, progress: Any = None) -> FakeDeployment:
        for index, action in enumerate(self.actions, 1):
            progress(index, len(self.actions), action, "start")
            if index == self.fail_at:
                progress(index, len(self.actions), action, "failed")
                raise AwsError("CreateFunction on stock-dev failed: role not ready; deploy again.",
                               resource="stock-dev", code="InvalidParameterValueException")
            progress(index, len(self.actions), action, "done")
            self.applied.append(action.name)
        return self

    url = "https://abc.execute-api.eu-west-1.amazonaws.com/dev"


class FakeCloud:
    region = "eu-west-1"
    account = "210987654321"
    endpoint_url = None

    def __init__(self, deployment: FakeDeployment | None = None, error: Exception | None = None) -> None:
        self.deployment, self.error = deployment or FakeDeployment(), error
        self.settings: Any = None

    def deploy(self, target: Any, stage: str = "dev", settings: Any = None) -> FakeDeployment:
        self.settings = settings
        if self.error is not None:
            raise self.error
        return self.deployment


def test_a_failed_step_is_marked_and_the_error_is_one_sentence() -> None:
    panel = DeployPanel("stock:app", cloud=FakeCloud(FakeDeployment(fail_at=2)))
    panel.widget  # noqa: B018 - the view follows the state
    assert panel.apply(confirmed=True) is None
    assert [s.status for s in panel.steps] == ["done", "failed", "pending"]
    assert panel.error == ("CreateFunction on stock-dev failed: role not ready; deploy again. "
                           "[InvalidParameterValueException]")
    assert panel._view.bar.bar_style == "danger" and panel._view.bar.value == 1
    assert "Traceback" not in panel._repr_html_() and "coworks-error" in panel._view.result.value


def test_packaging_errors_and_unexpected_ones_are_sentences_too() -> None:
    panel = DeployPanel("nope:app", cloud=FakeCloud(error=PackagingError("Cannot import nope: check the module.")))
    assert panel.plan() is None and panel.error == "Cannot import nope: check the module."
    panel = DeployPanel("x:app", cloud=FakeCloud(error=KeyError("password=hunter2")))
    assert panel.plan() is None and panel.error is not None
    assert "hunter2" not in panel.error and panel.error.startswith("KeyError: ")


def test_stage_and_cloud_selection_reset_the_plan_and_settings_reach_the_cloud() -> None:
    cloud = FakeCloud()
    panel = DeployPanel("stock:app", cloud=cloud, settings={"TOKEN": "t0k3n"})
    panel.widget  # noqa: B018
    view = panel._view
    assert panel.cloud_name == "FakeCloud eu-west-1" and list(panel.clouds) == ["local", "aws", "FakeCloud eu-west-1"]
    panel.plan()
    assert cloud.settings == {"TOKEN": "t0k3n"} and len(panel.steps) == 3
    view.stage.value = "prod"  # typing a stage in the view calls use_stage
    assert panel.stage == "prod" and panel.steps == [] and panel.deployment is None
    assert "t0k3n" not in repr(view) + str(panel)
    panel.use_cloud("mars")
    assert panel.plan() is None and panel.error == "Unknown cloud 'mars': use 'local', 'aws' or 'aws:<profile>'."


def test_apply_on_aws_names_the_account_and_waits_for_confirm() -> None:
    cloud = FakeCloud()
    panel = DeployPanel("stock:app", cloud=cloud)
    panel.widget  # noqa: B018
    panel._view.apply.click()
    assert panel.url is None and cloud.deployment.applied == [] and panel.pending == "apply"
    assert "Apply these 3 changes to" in panel._view.result.value and panel._view.asking.layout.display == "flex"
    panel._view.cancel.click()
    assert panel.pending == "" and panel._view.asking.layout.display == "none"
    panel._view.apply.click()
    panel._view.confirm.click()
    assert panel.url == FakeDeployment.url and "coworks-url" in panel._view.result.value


def test_the_static_form_reads_in_both_themes() -> None:
    panel = DeployPanel("stock:app", cloud=FakeCloud(FakeDeployment(fail_at=2)))
    panel.apply(confirmed=True)
    shown = panel._repr_html_()
    assert 'body[data-jp-theme-light="false"] .coworks-error' in shown and "coworks-themed" in shown
    assert "#fdecea" not in shown and "rgba(244, 67, 54" in shown  # a tint, not a light-only background
