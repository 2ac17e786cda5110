"""The workflow's resource model: function names resolved, least privilege, triggers (no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from coworks.biz import Pass, Task, Workflow
from coworks.cloud.deploy.definitions import task_functions
from coworks.cloud.deploy.models import build_workflow_model
from coworks.cloud.deploy.triggers import Trigger
from coworks.cloud.errors import ConfigurationError

ACCOUNT, REGION = "123456789012", "eu-west-1"


def model(workflow: Any, **kwargs: Any) -> Any:
    return build_workflow_model(workflow, kwargs.pop("stage", "dev"), account=ACCOUNT, region=REGION, **kwargs)


def test_tasks_call_the_deployed_services_at_the_stage_alias() -> None:
    from sample_flow import flow

    m = model(flow, stage="prod")
    assert m.machine.name == "wf-orders-prod"
    assert m.functions == (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:wf-inventory-prod:prod",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:wf-invoicing-prod:prod",
    )
    definition = json.loads(m.machine.definition)
    assert sorted(task_functions(definition)) == list(m.functions)
    assert task_functions(flow.to_asl()) == ["wf-inventory", "wf-invoicing"]  # the workflow itself is untouched


def test_the_role_may_invoke_only_the_tasks_functions_and_deliver_logs() -> None:
    from sample_flow import flow

    m = model(flow)
    assert m.role.name == "wf-orders-dev-states" and "states.amazonaws.com" in m.role.trust
    statements = json.loads(m.role.policy)["Statement"]
    invoke = [s for s in statements if s["Action"] == ["lambda:InvokeFunction"]]
    assert [s["Resource"] for s in invoke] == [list(m.functions)]
    assert all(a.startswith("logs:") for s in statements if s not in invoke for a in s["Action"])
    assert m.machine.logging["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"].endswith(
        "log-group:/aws/vendedlogs/states/wf-orders-dev:*")
    assert m.tags == {"coworks:service": "wf-orders", "coworks:stage": "dev", "coworks:managed": "true",
                      "coworks:kind": "workflow"}


def test_services_map_task_names_to_services_deployed_under_another_name() -> None:
    from sample_flow import flow

    m = model(flow, services={"wf-inventory": "stock"})
    assert f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:stock-dev:dev" in m.functions


def test_triggers_become_rules_started_through_their_own_role() -> None:
    wf = Workflow("nightly", Pass("Noop"))
    m = model(wf, triggers=["rate(1 hour)", Trigger.cron("0 6 * * ? *", input={"full": True}),
                            {"source": ["shop"], "detail-type": ["Order placed"]}])
    assert [(r.name, r.schedule) for r in m.rules] == [
        ("nightly-dev-rate", "rate(1 hour)"), ("nightly-dev-cron", "cron(0 6 * * ? *)"), ("nightly-dev-event", None)]
    assert json.loads(m.rules[2].pattern) == {"source": ["shop"], "detail-type": ["Order placed"]}
    assert m.rules[1].input == '{"full": true}'
    assert m.events_role is not None and "events.amazonaws.com" in m.events_role.trust
    assert json.loads(m.events_role.policy)["Statement"] == [
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [m.machine.arn]}]
    assert {r.role_arn for r in m.rules} == {m.events_role.arn} and m.functions == ()
    assert model(wf).events_role is None


@pytest.mark.parametrize(("triggers", "says"), [
    (["every hour"], r"^Bad schedule 'every hour': write rate\(5 minutes\) or cron"),
    ([42], "neither a schedule, an event pattern nor a source"),
    (["rate(1 hour)", "rate(2 hours)"], "Several triggers are named rate"),
])
def test_bad_triggers_are_refused_in_one_sentence(triggers: list[Any], says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        model(Workflow("w", Pass("Noop")), triggers=triggers)


def test_function_arns_and_dynamic_names_are_kept_as_written() -> None:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:legacy"
    wf = Workflow("w", Task("Legacy", resource=arn) >> Task(
        "Dynamic", resource="arn:aws:states:::lambda:invoke", parameters={"FunctionName.$": "$.fn", "Payload": {}}))
    m = model(wf)
    assert m.functions == (arn,)
    assert json.loads(m.machine.definition)["States"]["Dynamic"]["Parameters"]["FunctionName.$"] == "$.fn"


def test_a_name_too_long_for_a_state_machine_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="cannot name a state machine"):
        model(Workflow("x" * 60, Pass("Noop")))
