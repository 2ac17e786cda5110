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
from coworks.cloud.deploy.models import RestGateway, ServiceModel, WorkflowModel, build_model, build_workflow_model
from coworks.cloud.deploy.names import SERVICE, WORKFLOW, Names, Owner
from coworks.cloud.deploy.plan import Action, Plan
from coworks.cloud.deploy.planner import plan_deploy, plan_destroy
from coworks.cloud.deploy.resources import Role
from coworks.cloud.deploy.state import Current, FoundApi, FoundFunction, FoundKeys, FoundQueue, FoundRestApi, FoundRole
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
    gateway = model.gateway
    if isinstance(gateway, RestGateway):
        current.rest_api, current.keys = rest_deployed(gateway)
        return current
    current.api = FoundApi(
        {"ApiId": "a1", "Name": gateway.api.name, "ProtocolType": "HTTP"},
        integrations=[{"IntegrationId": "i1", "IntegrationUri": gateway.integration.uri,
                       "IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0"}],
        routes=[{"RouteKey": r.key, "RouteId": f"r{i}", "Target": "integrations/i1", "AuthorizationType": "NONE"}
                for i, r in enumerate(gateway.routes)],
        stages=[{"StageName": "dev", "AutoDeploy": True}],
    )
    return current


def rest_deployed(gateway: RestGateway) -> tuple[FoundRestApi, FoundKeys]:
    """A REST API as API Gateway describes it once ``gateway`` was applied (``a1``, its root ``root``)."""
    authorizer = gateway.authorizer
    resources: dict[str, dict[str, Any]] = {"/": {"id": "root", "path": "/"}}
    for index, resource in enumerate(gateway.resources):
        resources[resource.path] = {"id": f"res{index}", "path": resource.path, "pathPart": resource.part,
                                    "parentId": resources[resource.parent]["id"]}
    for method in gateway.methods:
        held: dict[str, Any] = {"httpMethod": method.method, "authorizationType": "CUSTOM" if method.auth else "NONE",
                                "apiKeyRequired": method.key, "methodIntegration": {
                                    "type": "AWS_PROXY", "httpMethod": "POST", "uri": method.uri}}
        if method.auth:
            held["authorizerId"] = "auth1"
        resources[method.path].setdefault("resourceMethods", {})[method.method] = held
    api = FoundRestApi(
        {"id": "a1", "name": gateway.api.name, "binaryMediaTypes": list(gateway.api.binary_media_types),
         "endpointConfiguration": {"types": [gateway.api.endpoint]}, "apiKeySource": "HEADER"},
        resources=list(resources.values()),
        authorizers=[{"id": "auth1", **authorizer.settings()}] if authorizer else [],
        stages=[{"stageName": gateway.stage.name, "deploymentId": "d1", "tracingEnabled": gateway.stage.tracing}],
        deployments=[{"id": "d1", "description": gateway.deployment.description}],
    )
    keys = FoundKeys()
    plan = gateway.usage_plan
    if plan is not None:
        throttle = {"throttle": {"rateLimit": plan.rate, "burstLimit": plan.burst}} if plan.rate is not None else {}
        quota = {"quota": {"limit": plan.quota, "period": plan.period, "offset": 0}} if plan.quota is not None else {}
        keys.plans = [{"id": "p1", "name": plan.name, "apiStages": [{"apiId": "a1", "stage": plan.stage}],
                       **throttle, **quota}]
        keys.keys = {k.name: {"id": f"k{i}", "name": k.name, "enabled": True} for i, k in enumerate(gateway.keys)}
        keys.members = {"p1": {f"k{i}" for i in range(len(gateway.keys))}}
    return api, keys


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


# -- a REST API (api="rest"), its keys and usage plan --------------------------------------------

REST = SAMPLE.replace('"""Stock of items."""', '''"""Stock of items."""

    settings = Lambda(api="rest", api_keys=["partner-a", "partner-b"], tracing="Active",
                      usage_plan={"rate": 10, "burst": 20, "quota": 10000, "period": "MONTH"})

    def auth(self, token):
        return token == "letmein"

    @entry(no_auth=True)
    def get_health(self):
        return "ok"
''').replace("from coworks import TechMicroService", "from coworks import Lambda, TechMicroService")


#: The kinds of an API: what changes when only the gateway does (a changed class changes the code too).
GATEWAY = {"http api", "integration", "authorizer", "route", "api stage", "rest api", "rest resource", "rest method",
           "rest authorizer", "rest deployment", "rest stage", "usage plan", "api key"}


def rest(code: str = REST) -> ServiceModel:
    return service(code)


def configuration(model: ServiceModel) -> str:
    """How the plan names the deployment of a REST API model."""
    assert isinstance(model.gateway, RestGateway)
    return model.gateway.deployment.name


def test_a_rest_api_is_planned_tree_authorizer_methods_deployment_stage_then_its_keys() -> None:
    plan = plan_deploy(rest(), nothing(Owner("inventory", "dev")))
    assert [(a.verb, a.kind, a.name) for a in plan.actions][5:] == [
        ("create", "rest api", "inventory-dev"), ("create", "rest resource", "/health"),
        ("create", "rest resource", "/item"), ("create", "rest resource", "/item/{item_id}"),
        ("create", "rest authorizer", "inventory-auth"), ("create", "rest method", "GET /"),
        ("create", "rest method", "GET /health"), ("create", "rest method", "GET /item/{item_id}"),
        ("create", "rest method", "POST /item"),
        ("create", "rest deployment", configuration(rest())),
        ("create", "rest stage", "dev"), ("create", "usage plan", "inventory-dev"),
        ("create", "api key", "inventory-dev-partner-a"), ("create", "api key", "inventory-dev-partner-b"),
        ("create", "permission", "coworks-api")]
    assert "+ create  usage plan       inventory-dev  (10 req/s, burst 20, 10000 a month)" in str(plan)
    assert {a.kind for a in plan.actions} <= set(HANDLERS) and all(a.resource is not None for a in plan.actions)


def test_every_route_needs_a_key_but_the_open_ones_and_the_authorizer_is_a_token_one() -> None:
    gateway = rest().gateway
    assert isinstance(gateway, RestGateway)
    assert {m.name: (m.auth, m.key) for m in gateway.methods} == {
        "GET /": (True, True), "GET /health": (False, False), "GET /item/{item_id}": (True, True),
        "POST /item": (True, True)}
    assert gateway.authorizer is not None and gateway.authorizer.settings() == {
        "name": "inventory-auth", "type": "TOKEN", "identitySource": "method.request.header.Authorization",
        "authorizerUri": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:{REGION}:"
                         f"{ACCOUNT}:function:inventory-dev:dev/invocations", "authorizerResultTtlInSeconds": 0}
    assert gateway.stage.tracing is True and gateway.api.binary_media_types == ("*/*",)
    keyed = rest(REST.replace('    def auth(self, token):', '    identity_sources = ("$request.querystring.key", '
                                                             '"method.request.header.X-Tenant")\n\n'
                                                             '    def auth(self, token):'))
    assert isinstance(keyed.gateway, RestGateway) and keyed.gateway.authorizer is not None
    assert (keyed.gateway.authorizer.type, keyed.gateway.authorizer.settings()["identitySource"]) == (
        "REQUEST", "method.request.querystring.key, method.request.header.X-Tenant")
    plain = rest(REST.replace('api_keys=["partner-a", "partner-b"], ', '').replace(
        'usage_plan={"rate": 10, "burst": 20, "quota": 10000, "period": "MONTH"}', ""))
    assert isinstance(plain.gateway, RestGateway) and plain.gateway.usage_plan is None
    assert not any(m.key for m in plain.gateway.methods) and plain.gateway.keys == ()


def test_a_rest_api_as_applied_plans_no_change() -> None:
    model = rest()
    plan = plan_deploy(model, as_deployed(model))
    assert plan.is_empty, str(plan)


def test_a_new_route_is_deployed_again_and_the_stage_moves_before_the_old_deployment_goes() -> None:
    before = rest()
    after = rest(REST + '''
    @entry
    def get_stock(self):
        return 1
''')
    assert configuration(after) != configuration(before)
    changes = [(a.verb, a.kind, a.name, a.changes) for a in plan_deploy(after, as_deployed(before)).changes]
    assert [c for c in changes if c[1] in GATEWAY] == [
        ("create", "rest resource", "/stock", ()), ("create", "rest method", "GET /stock", ()),
        ("create", "rest deployment", configuration(after), ()),
        ("update", "rest stage", "dev", ("deployment",)), ("delete", "rest deployment", "d1", ())]


def test_a_stage_serving_another_configuration_is_deployed_again() -> None:
    model = rest()
    current = as_deployed(model)
    assert current.rest_api is not None
    current.rest_api.deployments[0]["description"] = "made by hand"
    assert [(a.verb, a.kind, a.changes) for a in plan_deploy(model, current).changes] == [
        ("create", "rest deployment", ()), ("update", "rest stage", ("deployment",)),
        ("delete", "rest deployment", ())]


def test_a_method_changed_by_hand_is_made_again_and_deployed() -> None:
    model = rest()
    current = as_deployed(model)
    assert current.rest_api is not None
    item = next(r for r in current.rest_api.resources if r["path"] == "/item/{item_id}")
    item["resourceMethods"]["GET"]["apiKeyRequired"] = False
    item["resourceMethods"]["GET"]["methodIntegration"]["uri"] = "arn:elsewhere"
    changes = [(a.verb, a.kind, a.name, a.changes) for a in plan_deploy(model, current).changes]
    assert changes[:3] == [("replace", "rest method", "GET /item/{item_id}", ("api key", "integration")),
                           ("create", "rest deployment", configuration(model),
                            ()), ("update", "rest stage", "dev", ("deployment",))]


def test_limits_and_keys_follow_the_declaration() -> None:
    current = as_deployed(rest())
    changed = rest(REST.replace('"partner-a", "partner-b"', '"partner-b", "partner-c"').replace(
        '{"rate": 10, "burst": 20, "quota": 10000, "period": "MONTH"}', '{"rate": 5, "burst": 20}'))
    assert [(a.verb, a.kind, a.name, a.changes) for a in plan_deploy(changed, current).changes
            if a.kind in GATEWAY] == [
        ("update", "usage plan", "inventory-dev", ("throttle", "quota")),
        ("create", "api key", "inventory-dev-partner-c", ()), ("delete", "api key", "inventory-dev-partner-a", ())]
    assert current.keys.plans and current.keys.keys["inventory-dev-partner-b"]
    current.keys.members["p1"].discard("k1")
    current.keys.keys["inventory-dev-partner-b"]["enabled"] = False
    assert [(a.kind, a.changes) for a in plan_deploy(rest(), current).changes] == [
        ("api key", ("enabled", "usage plan"))]


def test_switching_from_an_http_api_replaces_it_with_a_rest_api_and_back() -> None:
    http, rest_model = service(), rest()
    to_rest = plan_deploy(rest_model, as_deployed(http))
    head = next(a for a in to_rest.changes if a.kind in ("rest api", "http api"))
    assert (head.verb, head.kind, head.changes, head.ids) == ("replace", "rest api", ("http api -> rest api",),
                                                              (("http_api_id", "a1"),))
    assert not any(a.kind in ("route", "integration", "api stage") for a in to_rest.actions)
    assert ("replace", "permission", ("source",)) in [(a.verb, a.kind, a.changes) for a in to_rest.changes]
    back = plan_deploy(http, as_deployed(rest_model))
    assert [(a.verb, a.kind, a.changes) for a in back.changes if a.kind in GATEWAY][:4] == [
        ("delete", "usage plan", ()), ("delete", "api key", ()), ("delete", "api key", ()),
        ("replace", "http api", ("rest api -> http api",))]
    plan_delete = next(a for a in back.changes if a.kind == "usage plan")
    assert plan_delete.ids == (("usage_plan_id", "p1"), ("detach0", "a1:dev"))  # detached, then deleted
    assert next(a for a in back.changes if a.kind == "http api").ids == (("rest_api_id", "a1"),)


def test_destroying_a_rest_api_deletes_its_usage_plan_and_keys_first() -> None:
    assert steps(plan_destroy(as_deployed(rest()), REGION)) == [
        ("delete", "usage plan"), ("delete", "api key"), ("delete", "api key"), ("delete", "rest api"),
        ("delete", "lambda function"), ("delete", "log group"), ("delete", "iam role")]


def test_a_rest_api_run_makes_the_tree_with_the_ids_it_gets_and_never_keeps_a_key_value() -> None:
    model = rest()
    calls: list[tuple[str, dict[str, Any]]] = []

    class Recorder:
        def call(self, service: str, method: str, resource: str | None, /, **params: Any) -> dict[str, Any]:
            calls.append((method, params))
            answers: dict[str, dict[str, Any]] = {
                "create_rest_api": {"id": "api1", "rootResourceId": "root", "binaryMediaTypes": ["*/*"]},
                "create_resource": {"id": f"res-{params.get('pathPart')}"},
                "create_api_key": {"id": f"key-{params.get('name')}", "value": "s3cr3tvalue"},
                "publish_version": {"Version": "1"}}
            return answers.get(method, {"id": f"{method}-id", "State": "Active", "LastUpdateStatus": "Successful"})

    ids = execute(plan_deploy(model, nothing(model.owner)), Run(Recorder(), model.owner, model))  # type: ignore[arg-type]
    assert [(p["pathPart"], p["parentId"]) for m, p in calls if m == "create_resource"] == [
        ("health", "root"), ("item", "root"), ("{item_id}", "res-item")]
    put = {(p["resourceId"], p["httpMethod"]): p for m, p in calls if m == "put_method"}
    assert set(put) == {("root", "GET"), ("res-health", "GET"), ("res-{item_id}", "GET"), ("res-item", "POST")}
    assert put[("res-{item_id}", "GET")] == {"restApiId": "api1", "resourceId": "res-{item_id}", "httpMethod": "GET",
                                             "authorizationType": "CUSTOM", "apiKeyRequired": True,
                                             "authorizerId": "create_authorizer-id"}
    assert put[("res-health", "GET")]["authorizationType"] == "NONE" and not put[("res-health", "GET")][
        "apiKeyRequired"]
    stage = next(p for m, p in calls if m == "create_stage")
    assert stage["deploymentId"] == "create_deployment-id" and stage["tracingEnabled"] is True
    assert [p["keyId"] for m, p in calls if m == "create_usage_plan_key"] == [
        "key-inventory-dev-partner-a", "key-inventory-dev-partner-b"]
    plan = next(p for m, p in calls if m == "create_usage_plan")
    assert plan["apiStages"] == [{"apiId": "api1", "stage": "dev"}] and plan["quota"]["limit"] == 10000
    assert ids["api_id"] == "api1" and "s3cr3tvalue" not in json.dumps(ids)
