"""The planner and the executor's waits, with no AWS at all: plans are data, clocks are fake."""

from __future__ import annotations

from typing import Any

import pytest

from coworks.cloud import CloudError, build_package
from coworks.cloud.deploy.executor import Run, _wait
from coworks.cloud.deploy.models import build_model
from coworks.cloud.deploy.planner import plan_deploy, plan_destroy
from coworks.cloud.deploy.state import Current

from .conftest import SAMPLE, cell


def model(code: str = SAMPLE) -> Any:
    package = build_package(cell(code, "inventory"))
    return build_model(package, "dev", {}, account="123456789012", region="eu-west-3")


def test_nothing_deployed_plans_creates_in_dependency_order() -> None:
    plan = plan_deploy(model(), Current("inventory", "dev", "inventory-dev"))
    assert [(a.verb, a.kind) for a in plan.actions] == [
        ("create", "iam role"), ("create", "log group"), ("create", "lambda function"), ("create", "version"),
        ("create", "alias"), ("create", "http api"), ("create", "integration"),
        ("create", "route"), ("create", "route"), ("create", "route"), ("create", "api stage"),
        ("create", "permission"),
    ]
    assert plan.summary() == "12 to create"
    assert "eu-west-3" in str(plan)


def test_the_model_is_least_privilege_and_regional() -> None:
    declared = 'permissions = [("dynamodb:GetItem", "arn:aws:dynamodb:::t")]'
    built = model(SAMPLE.replace('"""Stock of items."""', declared))
    assert built.role.arn == "arn:aws:iam::123456789012:role/coworks/inventory-dev-role"
    assert '"dynamodb:GetItem"' in built.role.policy and '"*"' not in built.role.policy
    assert built.alias.arn == "arn:aws:lambda:eu-west-3:123456789012:function:inventory-dev:dev"
    assert built.permissions[0].source_arn == "arn:aws:execute-api:eu-west-3:123456789012:{api_id}/*"


def test_destroying_nothing_is_an_empty_plan() -> None:
    plan = plan_destroy(Current("inventory", "dev", "inventory-dev"), "eu-west-3")
    assert plan.actions == () and plan.summary() == "nothing to do"


class FakeClients:
    """Answers get_function_configuration from a script of states."""

    def __init__(self, states: list[tuple[str, str]]) -> None:
        self.states = states

    def call(self, service: str, method: str, resource: str | None, /, **params: Any) -> dict[str, Any]:
        state, update = self.states.pop(0)
        return {"State": state, "LastUpdateStatus": update, "LastUpdateStatusReason": "bad zip"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def run_with(states: list[tuple[str, str]], clock: FakeClock) -> Run:
    return Run(FakeClients(states), None, "inventory", "dev", "inventory-dev",  # type: ignore[arg-type]
               sleep=clock.sleep, clock=clock, max_wait=5)


def test_waits_until_the_function_has_settled() -> None:
    clock = FakeClock()
    _wait(run_with([("Pending", ""), ("Active", "InProgress"), ("Active", "Successful")], clock), "inventory-dev")
    assert clock.slept == [1, 1]


def test_a_failed_update_and_a_stuck_one_are_reported() -> None:
    with pytest.raises(CloudError, match="failed to update: bad zip"):
        _wait(run_with([("Active", "Failed")], FakeClock()), "inventory-dev")
    with pytest.raises(CloudError, match="still updating after 5 s"):
        _wait(run_with([("Active", "InProgress")] * 10, FakeClock()), "inventory-dev")
