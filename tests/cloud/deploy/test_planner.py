"""The one planner and the executor's waits, with no AWS at all: plans are data, clocks are fake.

Services and workflows go through the same planner; each test builds a model, describes what
AWS would hold as the reader's ``Current`` and compares plans.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from coworks.biz import Pass, Task, Workflow
from coworks.cloud import CloudError, build_package
from coworks.cloud.deploy.executor import HANDLERS, Run, _wait, execute
from coworks.cloud.deploy.models import ServiceModel, WorkflowModel, build_model, build_workflow_model
from coworks.cloud.deploy.names import SERVICE, WORKFLOW, Names, Owner
from coworks.cloud.deploy.plan import Action, Plan
from coworks.cloud.deploy.planner import plan_deploy, plan_destroy
from coworks.cloud.deploy.resources import Role
from coworks.cloud.deploy.state import Current, FoundApi, FoundFunction, FoundQueue, FoundRole
from tests.support import SAMPLE, cell

ACCOUNT, REGION = "123456789012", "eu-west-3"


def service(code: str = SAMPLE) -> ServiceModel:
    package = build_package(cell(code, "inventory"))
    return build_model(package, "dev", {}, account=ACCOUNT, region=REGION)


def workflow(triggers: tuple[Any, ...] = ()) -> WorkflowModel:
    wf = Workflow("orders", Task("Fetch", resource="arn:aws:states:::lambda:invoke",
                                 parameters={"FunctionName": "inventory", "Payload": {}}) >> Pass("Done"))
    return build_workflow_model(wf, "dev", account=ACCOUNT, region=REGION, triggers=triggers)


def nothing(owner: Owner) -> Current:
    return Current(Names.of(owner, region=REGION, account=ACCOUNT))


def steps(plan: Plan) -> list[tuple[str, str]]:
    return [(a.verb, a.kind) for a in plan.actions]


def found_role(role: Role, tags: dict[str, str]) -> FoundRole:
    return FoundRole({"RoleName": role.name, "Path": role.path, "AssumeRolePolicyDocument": json.loads(role.trust),
                      "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}, {"coworks": role.policy})


def as_deployed(model: ServiceModel | WorkflowModel) -> Current:
    """What the reader finds once ``model`` was applied: every resource the way AWS describes it."""
    current = nothing(model.owner)
    roles = (model.role, getattr(model, "events_role", None), getattr(model, "pipes_role", None))
    current.roles = {r.name: found_role(r, model.tags) for r in roles if r}
    current.log_group = {"logGroupName": model.log_group.name, "retentionInDays": model.log_group.retention}
    current.rules = {r.name: {"Name": r.name, "State": "ENABLED", "ScheduleExpression": r.schedule,
                              "EventPattern": r.pattern, "Targets": [r.target_spec()]} for r in model.rules}
    if isinstance(model, WorkflowModel):
        machine = model.machine
        current.machine = {"name": machine.name, "stateMachineArn": machine.arn, **machine.settings()}
        current.pipes = {p.name: {"Name": p.name, **p.settings(), "CurrentState": "RUNNING"} for p in model.pipes}
        current.queues = {q.name: FoundQueue(f"https://sqs/{q.name}", q.arn, {"Policy": q.policy, "QueueArn": q.arn})
                          for q in model.queues}
        current.subscriptions = [{"TopicArn": s.topic, "Endpoint": s.queue_arn, "SubscriptionArn": f"{s.topic}:1"}
                                 for s in model.subscriptions]
        current.buckets = {b.bucket: {"EventBridgeConfiguration": {}} for b in model.buckets}
        return current
    fn = model.function
    config = {**fn.configuration(), "FunctionName": fn.name, "CodeSha256": fn.code_sha256,
              "Architectures": [fn.architecture]}
    permissions = {p.sid: {"Sid": p.sid, "Principal": {"Service": p.principal}, "Condition": {"ArnLike": {
        "AWS:SourceArn": p.source_arn.replace("{api_id}", "a1")}}} for p in model.permissions}
    current.function = FoundFunction(config, {"FunctionVersion": "1"}, config, permissions)
    current.api = FoundApi(
        {"ApiId": "a1", "Name": model.api.name, "ProtocolType": "HTTP"},
        integrations=[{"IntegrationId": "i1", "IntegrationUri": model.integration.uri,
                       "IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0"}],
        routes=[{"RouteKey": r.key, "RouteId": f"r{i}", "Target": "integrations/i1", "AuthorizationType": "NONE"}
                for i, r in enumerate(model.routes)],
        stages=[{"StageName": "dev", "AutoDeploy": True}],
    )
    return current


def test_nothing_deployed_plans_a_service_in_dependency_order() -> None:
    plan = plan_deploy(service(), nothing(Owner("inventory", "dev")))
    assert steps(plan) == [
        ("create", "iam role"), ("create", "log group"), ("create", "lambda function"), ("create", "version"),
        ("create", "alias"), ("create", "http api"), ("create", "integration"),
        ("create", "route"), ("create", "route"), ("create", "route"), ("create", "api stage"),
        ("create", "permission"),
    ]
    assert plan.summary() == "12 to create"
    assert "eu-west-3" in str(plan)


def test_nothing_deployed_plans_a_workflow_role_logs_machine_then_its_triggers() -> None:
    plan = plan_deploy(workflow(("rate(1 hour)", {"source": ["shop"]})), nothing(Owner("orders", "dev", WORKFLOW)))
    assert [(a.verb, a.kind, a.name) for a in plan.actions] == [
        ("create", "iam role", "orders-dev-states"), ("create", "log group", "/aws/vendedlogs/states/orders-dev"),
        ("create", "state machine", "orders-dev"), ("create", "iam role", "orders-dev-events"),
        ("create", "eventbridge rule", "orders-dev-rate"), ("create", "eventbridge rule", "orders-dev-event"),
    ]


TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:shop"
SOURCES = ("s3://uploads/incoming/", "sqs:orders", TOPIC)


@pytest.mark.parametrize("model", [service(), workflow(("rate(1 hour)",)), workflow(SOURCES)],
                         ids=["service", "workflow", "workflow-sources"])
def test_what_was_applied_plans_no_change(model: ServiceModel | WorkflowModel) -> None:
    plan = plan_deploy(model, as_deployed(model))
    assert plan.is_empty, str(plan)
    assert plan.summary().startswith("no changes")


def test_a_code_change_updates_the_code_publishes_and_moves_the_alias_last() -> None:
    before = service()
    after = service(SAMPLE.replace('return "ready"', 'return "steady"'))
    plan = plan_deploy(after, as_deployed(before))
    assert [(a.verb, a.kind, a.changes) for a in plan.changes] == [
        ("update", "lambda function", ("code",)), ("create", "version", ()), ("update", "alias", ("new version",))]
    assert plan.actions[-1].kind == "alias"


def test_shared_kinds_change_alike_for_both_owners() -> None:
    for model in (service(), workflow(("rate(1 hour)",))):
        current = as_deployed(model)
        assert current.log_group is not None
        current.log_group["retentionInDays"] = 1
        current.roles[model.role.name].policies["stray"] = "{}"
        rule = next(iter(current.rules.values()), None)
        if rule is not None:
            rule["State"] = "DISABLED"
        changed = {(a.kind, a.changes) for a in plan_deploy(model, current).changes}
        assert ("log group", ("retention",)) in changed
        assert ("iam role", ("permissions",)) in changed
        assert rule is None or ("eventbridge rule", ("schedule",)) in changed


def test_rules_and_roles_no_longer_declared_are_deleted() -> None:
    model = workflow(("rate(1 hour)",))
    current = as_deployed(model)
    plan = plan_deploy(workflow(), current)
    assert [(a.verb, a.kind, a.name) for a in plan.changes] == [
        ("delete", "eventbridge rule", "orders-dev-rate"), ("delete", "iam role", "orders-dev-events")]
    assert plan.changes[0].ids == (("target0", "coworks"),) and plan.changes[1].ids == (("policy0", "coworks"),)


def test_destroy_deletes_dependents_first_for_both_owners() -> None:
    assert steps(plan_destroy(as_deployed(service()), REGION)) == [
        ("delete", "http api"), ("delete", "lambda function"), ("delete", "log group"), ("delete", "iam role")]
    assert [(a.kind, a.name) for a in plan_destroy(as_deployed(workflow(("rate(1 hour)",))), REGION).actions] == [
        ("eventbridge rule", "orders-dev-rate"), ("state machine", "orders-dev"),
        ("log group", "/aws/vendedlogs/states/orders-dev"), ("iam role", "orders-dev-events"),
        ("iam role", "orders-dev-states")]


def test_destroying_nothing_is_an_empty_plan() -> None:
    for owner in (Owner("inventory", "dev", SERVICE), Owner("orders", "dev", WORKFLOW)):
        plan = plan_destroy(nothing(owner), REGION)
        assert plan.actions == () and plan.summary() == "nothing to do"


def test_every_planned_kind_has_one_handler_and_each_action_carries_its_kind_of_resource() -> None:
    actions = [*plan_deploy(service(), nothing(Owner("inventory", "dev"))).actions,
               *plan_deploy(workflow(("rate(1 hour)",)), nothing(Owner("orders", "dev", WORKFLOW))).actions]
    assert {a.kind for a in actions} <= set(HANDLERS)
    assert all(a.resource is not None for a in actions)
    with pytest.raises(CloudError, match="carries no Role: plan the deploy again"):
        Action("create", "iam role", "x").desired(Role)


def test_a_destroy_run_needs_no_model() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    class Recorder:
        def call(self, service: str, method: str, resource: str | None, /, **params: Any) -> dict[str, Any]:
            calls.append((method, params))
            return {}

    plan = plan_destroy(as_deployed(workflow(("rate(1 hour)",))), REGION)
    execute(plan, Run(Recorder(), Owner("orders", "dev", WORKFLOW)))  # type: ignore[arg-type]
    assert [m for m, _ in calls] == ["remove_targets", "delete_rule", "delete_state_machine", "delete_log_group",
                                     "delete_role_policy", "delete_role", "delete_role_policy", "delete_role"]


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
    return Run(FakeClients(states), Owner("inventory", "dev"),  # type: ignore[arg-type]
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


def test_a_stale_integration_is_deleted_and_never_becomes_the_routes_target() -> None:
    """A failed run left a second integration that a route still points at: the route moves to the
    good one, then the stale one goes (its id must not stand in for the kept integration's)."""
    model = service()
    current = as_deployed(model)
    assert current.api is not None
    current.api.integrations.append({"IntegrationId": "stale", "IntegrationUri": "arn:old", "IntegrationType": "HTTP"})
    current.api.routes[0]["Target"] = "integrations/stale"
    plan = plan_deploy(model, current)
    assert [(a.verb, a.kind) for a in plan.changes] == [("update", "route"), ("delete", "integration")]
    calls: list[tuple[str, dict[str, Any]]] = []

    class Recorder:
        def call(self, service: str, method: str, resource: str | None, /, **params: Any) -> dict[str, Any]:
            calls.append((method, params))
            return {}

    execute(plan, Run(Recorder(), model.owner, model))  # type: ignore[arg-type]
    assert calls[0] == ("update_route", {"ApiId": "a1", "RouteId": "r0", "Target": "integrations/i1",
                                         "AuthorizationType": "NONE"})
    assert calls[1] == ("delete_integration", {"ApiId": "a1", "IntegrationId": "stale"})


def test_sources_no_longer_declared_go_pipes_before_their_queues_and_roles() -> None:
    current = as_deployed(workflow(SOURCES))
    plan = plan_deploy(workflow(), current)
    assert [(a.verb, a.kind, a.name) for a in plan.changes] == [
        ("delete", "eventbridge rule", "orders-dev-s3"),
        ("delete", "eventbridge pipe", "orders-dev-sns"), ("delete", "eventbridge pipe", "orders-dev-sqs"),
        ("delete", "sns subscription", "shop -> orders-dev-sns"), ("delete", "sqs queue", "orders-dev-sns"),
        ("delete", "iam role", "orders-dev-events"), ("delete", "iam role", "orders-dev-pipes"),
    ]  # the bucket's EventBridge setting is the bucket's: it stays on
    assert [(a.kind, a.name) for a in plan_destroy(current, REGION).actions] == [
        ("eventbridge rule", "orders-dev-s3"), ("eventbridge pipe", "orders-dev-sns"),
        ("eventbridge pipe", "orders-dev-sqs"), ("sns subscription", "shop -> orders-dev-sns"),
        ("sqs queue", "orders-dev-sns"), ("state machine", "orders-dev"),
        ("log group", "/aws/vendedlogs/states/orders-dev"), ("iam role", "orders-dev-pipes"),
        ("iam role", "orders-dev-events"), ("iam role", "orders-dev-states")]


def test_a_pipe_whose_source_changed_is_replaced() -> None:
    current = as_deployed(workflow(("sqs:orders",)))
    changed = plan_deploy(workflow(("sqs:returns",)), current).changes
    assert [(a.verb, a.kind, a.changes) for a in changed] == [
        ("update", "iam role", ("permissions",)), ("replace", "eventbridge pipe", ("source",))]
