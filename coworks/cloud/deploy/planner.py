"""The planner: a model (service or workflow) against what AWS holds, giving an ordered plan.

It reads nothing itself and changes nothing: each resource kind has one plan function, shared
by services and workflows, and the two orders below only say which kinds come when.

A service: role, logs and code first, then a new version, then the API and the schedules, and
the stage alias moves last, so a failure at any step leaves the previous version serving. A new
alias is made right after its first version, because the invoke permissions are attached to it.
A REST API goes: the API, its resources (parents first), the authorizer, the methods, then a new
deployment when what it snapshots changed, the stage moved onto it, then the usage plan and the
API keys. A service switching between an HTTP API and a REST API replaces one with the other.
A workflow: its role and log group, then the state machine (which needs both), then the
EventBridge role and the rules that start it. A destroy goes the other way, dependents first, so
no rule ever points at something that is gone; versions, aliases and routes go with their parent.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ConfigurationError
from . import resources as kinds
from .models import API_PERMISSION, HttpGateway, Model, RestGateway, ServiceModel, WorkflowModel
from .names import POLICY_NAME
from .plan import Action, Plan, Verb
from .resources import LogGroup, Role, Rule
from .state import Current, FoundApi, FoundKeys, FoundRestApi, FoundRole, canonical, same_json

ROLE, LOGS, FUNCTION, ALIAS = Role.kind, LogGroup.kind, kinds.Function.kind, kinds.Alias.kind
VERSION = kinds.Function.version_kind
API, INTEGRATION, AUTHORIZER = kinds.Api.kind, kinds.Integration.kind, kinds.Authorizer.kind
ROUTE, API_STAGE, PERMISSION = kinds.Route.kind, kinds.ApiStage.kind, kinds.Permission.kind
RULE, MACHINE = Rule.kind, kinds.StateMachine.kind
PIPE, QUEUE, SUBSCRIPTION, BUCKET = kinds.Pipe.kind, kinds.Queue.kind, kinds.Subscription.kind, kinds.BucketEvents.kind
REST_API, REST_RESOURCE, REST_METHOD = kinds.RestApi.kind, kinds.RestResource.kind, kinds.RestMethod.kind
REST_AUTHORIZER, REST_DEPLOYMENT = kinds.RestAuthorizer.kind, kinds.RestDeployment.kind
REST_STAGE, USAGE_PLAN, API_KEY = kinds.RestStage.kind, kinds.UsagePlan.kind, kinds.ApiKey.kind


def plan_deploy(model: Model, current: Current) -> Plan:
    """The actions that turn ``current`` into ``model``."""
    actions = _service(model, current) if isinstance(model, ServiceModel) else _workflow(model, current)
    return Plan(model.owner.name, model.owner.stage, model.region, tuple(actions))


def plan_destroy(current: Current, region: str) -> Plan:
    """Delete what ``current`` found (and only that), dependents first."""
    actions = [_delete_rule(name, rule) for name, rule in sorted(current.rules.items())]
    actions += [Action("delete", PIPE, name) for name in sorted(current.pipes)]
    actions += [_unsubscribe(s) for s in current.subscriptions]
    actions += [Action("delete", QUEUE, name, ids=(("url", q.url),)) for name, q in sorted(current.queues.items())]
    actions += _drop_keys(current.keys)
    if current.rest_api is not None:
        actions += [_delete_rest_api(a) for a in (current.rest_api.api, *current.rest_api.others)]
    if current.api is not None:
        actions += [Action("delete", API, a["Name"], ids=(("api_id", a["ApiId"]),))
                    for a in (current.api.api, *current.api.others)]
    if current.machine is not None:
        actions.append(Action("delete", MACHINE, current.machine["name"],
                              ids=(("arn", current.machine["stateMachineArn"]),)))
    if current.function is not None:
        actions.append(Action("delete", FUNCTION, current.function.configuration["FunctionName"]))
    if current.log_group is not None:
        actions.append(Action("delete", LOGS, current.log_group["logGroupName"]))
    for name in reversed(current.names.roles):  # the EventBridge role before the one it starts
        if name in current.roles:
            actions.append(_delete_role(current.roles[name]))
    return Plan(current.owner.name, current.owner.stage, region, tuple(actions))


# -- the two orders ------------------------------------------------------------------------------


def _service(model: ServiceModel, current: Current) -> list[Action]:
    actions = [_role(model.role, current.roles.get(model.role.name)), _log_group(model.log_group, current)]
    function = _function(model, current)
    actions.append(function)
    found = current.function
    behind = _differences(model, found.alias_config) if found and found.alias_config else ["no version yet"]
    # Reserved concurrency is the function's own, not a version's: changing it alone publishes nothing.
    versioned = function.verb == "create" or bool(set(function.changes) - {"reserved concurrency"})
    needs_version = versioned or bool(behind)
    fn = model.function.name
    actions.append(Action("create" if needs_version else "no-op", VERSION, fn,
                          tuple(behind) if needs_version and not versioned else (), resource=model.function))
    alias_name = f"{fn}:{model.stage}"
    has_alias = found is not None and found.alias is not None
    if not has_alias:
        actions.append(Action("create", ALIAS, alias_name, resource=model.alias))
    if isinstance(model.gateway, RestGateway):
        actions.extend(_rest_api(model.gateway, current))
    else:
        actions.extend(_api(model.gateway, current))
    actions.extend(_rules(model.rules, current))
    actions.extend(_permissions(model, current))
    if has_alias:
        actions.append(Action("update" if needs_version else "no-op", ALIAS, alias_name,
                              ("new version",) if needs_version else (), resource=model.alias))
    return actions


def _workflow(model: WorkflowModel, current: Current) -> list[Action]:
    actions = [_role(model.role, current.roles.get(model.role.name)), _log_group(model.log_group, current),
               _machine(model, current)]
    events_role = current.roles.get(f"{model.machine.name}-events")
    pipes_role = current.roles.get(f"{model.machine.name}-pipes")
    for wanted, found in ((model.events_role, events_role), (model.pipes_role, pipes_role)):
        if wanted is not None:
            actions.append(_role(wanted, found))
    actions.extend(_queues(model, current))
    actions.extend(_subscriptions(model, current))
    actions.extend(_buckets(model, current))
    actions.extend(_rules(model.rules, current))
    actions.extend(_pipes(model, current))
    wanted_subscriptions = {(s.topic, s.queue_arn) for s in model.subscriptions}
    actions.extend(_unsubscribe(s) for s in current.subscriptions
                   if (s.get("TopicArn"), s.get("Endpoint")) not in wanted_subscriptions)
    wanted_queues = {q.name for q in model.queues}
    actions.extend(Action("delete", QUEUE, name, ids=(("url", q.url),))
                   for name, q in sorted(current.queues.items()) if name not in wanted_queues)
    for wanted, found in ((model.events_role, events_role), (model.pipes_role, pipes_role)):
        if wanted is None and found is not None:
            actions.append(_delete_role(found))
    return actions


# -- what services and workflows share -----------------------------------------------------------


def _role(role: Role, found: FoundRole | None) -> Action:
    if found is None:
        return Action("create", ROLE, role.name, resource=role)
    changes = []
    if canonical(found.role.get("AssumeRolePolicyDocument", "{}")) != role.trust:
        changes.append("trust policy")
    extra = sorted(set(found.policies) - {POLICY_NAME})
    if found.policies.get(POLICY_NAME) != role.policy or extra:
        changes.append("permissions")
    return Action("update" if changes else "no-op", ROLE, role.name, tuple(changes), role,
                  tuple((f"policy{i}", p) for i, p in enumerate(extra)))


def _delete_role(found: FoundRole) -> Action:
    ids = tuple((f"policy{i}", p) for i, p in enumerate(sorted(found.policies)))
    return Action("delete", ROLE, found.name, ids=ids)


def _log_group(group: LogGroup, current: Current) -> Action:
    if current.log_group is None:
        return Action("create", LOGS, group.name, resource=group)
    changed = current.log_group.get("retentionInDays") != group.retention
    return Action("update" if changed else "no-op", LOGS, group.name, ("retention",) if changed else (), group)


def _rules(rules: tuple[Rule, ...], current: Current) -> list[Action]:
    actions: list[Action] = []
    for rule in rules:
        found = current.rules.get(rule.name)
        if found is None:
            actions.append(Action("create", RULE, rule.name, resource=rule))
            continue
        changes = []
        if (found.get("ScheduleExpression") != rule.schedule
                or not same_json(found.get("EventPattern") or "null", rule.pattern or "null")
                or found.get("State") != "ENABLED"):
            changes.append("schedule" if rule.schedule else "pattern")
        targets = [{k: v for k, v in t.items() if k in ("Id", "Arn", "RoleArn", "Input")} for t in found["Targets"]]
        if targets != [rule.target_spec()]:
            changes.append("target")
        actions.append(Action("update" if changes else "no-op", RULE, rule.name, tuple(changes), rule))
    wanted = {r.name for r in rules}
    actions.extend(_delete_rule(name, found) for name, found in sorted(current.rules.items()) if name not in wanted)
    return actions


def _delete_rule(name: str, rule: dict[str, Any]) -> Action:
    return Action("delete", RULE, name, ids=tuple((f"target{i}", t["Id"]) for i, t in enumerate(rule["Targets"])))


# -- a service's function and API ----------------------------------------------------------------


#: The configuration keys compared as they are, and how the plan names a change of each.
_LABELS = {"Role": "role", "Handler": "handler", "Runtime": "runtime", "MemorySize": "memory", "Timeout": "timeout"}


def _differences(model: ServiceModel, config: dict[str, Any]) -> list[str]:
    """What differs between the function's desired configuration and ``config`` ($LATEST's, or the
    version the alias serves), as the plan names it. AWS leaves out what is at its default."""
    function = model.function
    desired = function.configuration()
    changes = [label for key, label in _LABELS.items() if config.get(key) != desired[key]]
    if (config.get("Environment") or {}).get("Variables", {}) != dict(function.environment):
        changes.append("environment")
    if (config.get("EphemeralStorage") or {}).get("Size", 512) != function.ephemeral_storage:
        changes.append("ephemeral storage")
    layers = [layer.get("Arn") if isinstance(layer, dict) else layer for layer in config.get("Layers") or []]
    if layers != list(function.layers):  # AWS describes each layer as {"Arn": ..., "CodeSize": ...}
        changes.append("layers")
    vpc = config.get("VpcConfig") or {}
    if (sorted(vpc.get("SubnetIds") or []), sorted(vpc.get("SecurityGroupIds") or [])) != (
            list(function.subnets), list(function.security_groups)):
        changes.append("vpc")
    if (config.get("TracingConfig") or {}).get("Mode", "PassThrough") != function.tracing:
        changes.append("tracing")
    if config.get("CodeSha256") != function.code_sha256:
        changes.append("code")
    if (config.get("Architectures") or ["x86_64"]) != [function.architecture]:
        changes.append("architecture")
    return changes


def _function(model: ServiceModel, current: Current) -> Action:
    function = model.function
    if current.function is None:
        return Action("create", FUNCTION, function.name, _declared(function), resource=function)
    changes = _differences(model, current.function.configuration)
    if current.function.concurrency != function.reserved_concurrency:  # the function's, not a version's
        changes.append("reserved concurrency")
    return Action("update" if changes else "no-op", FUNCTION, function.name, tuple(changes), function)


def _declared(function: kinds.Function) -> tuple[str, ...]:
    """What a new function is made with, as the plan shows it: the settings away from their default."""
    shown = [f"{function.runtime}", f"{function.memory} MB", f"{function.timeout} s"]
    if function.architecture != "x86_64":
        shown.append(function.architecture)
    if function.ephemeral_storage != 512:
        shown.append(f"/tmp {function.ephemeral_storage} MB")
    if function.layers:
        shown.append(f"{len(function.layers)} layer{'s' if len(function.layers) > 1 else ''}")
    if function.subnets:
        shown.append(f"in a vpc ({len(function.subnets)} subnet{'s' if len(function.subnets) > 1 else ''})")
    if function.tracing != "PassThrough":
        shown.append(f"tracing {function.tracing}")
    if function.reserved_concurrency is not None:
        shown.append(f"reserved concurrency {function.reserved_concurrency}")
    return tuple(shown)


def _api(model: HttpGateway, current: Current) -> list[Action]:
    """The HTTP API and what it holds; a REST API the service had (with its usage plans and keys)
    goes, replaced by this API when there is none yet."""
    found, rest = current.api, current.rest_api
    actions: list[Action] = _drop_keys(current.keys)
    name = model.api.name
    if found is not None and found.api.get("ProtocolType", "HTTP") != "HTTP":
        actions.append(Action("replace", API, name, ("protocol",), model.api, (("api_id", found.id),)))
        found = FoundApi(found.api, found.others)  # a new API holds nothing yet
    elif found is None and rest is not None:
        actions.append(Action("replace", API, name, ("rest api -> http api",), model.api,
                              (("rest_api_id", rest.id),)))
        actions += [_delete_rest_api(a) for a in rest.others]
        found = FoundApi({})
    elif found is None:
        actions.append(Action("create", API, name, resource=model.api))
        found = FoundApi({})
    else:
        actions.append(Action("no-op", API, name, resource=model.api, ids=(("api_id", found.id),)))
    if current.api is not None and rest is not None:  # a switch left both: the REST API goes
        actions += [_delete_rest_api(a) for a in (rest.api, *rest.others)]
    uri = model.integration.uri
    shown = uri.rsplit(":function:", 1)[-1]
    good = [i for i in found.integrations if model.integration.is_like(i)]
    integration_id = good[0]["IntegrationId"] if good else None
    if integration_id:
        actions.append(Action("no-op", INTEGRATION, shown, resource=model.integration,
                              ids=(("integration_id", integration_id),)))
    else:
        actions.append(Action("create", INTEGRATION, shown, resource=model.integration))
    authorizer_id = None
    wanted = model.authorizer
    if wanted is not None:
        same = [a for a in found.authorizers if wanted.is_like(a)]
        authorizer_id = same[0]["AuthorizerId"] if same else None
        ids = (("authorizer_id", authorizer_id),) if authorizer_id else ()
        actions.append(Action("no-op" if authorizer_id else "create", AUTHORIZER, wanted.name, resource=wanted,
                              ids=ids))
    by_key = {r["RouteKey"]: r for r in found.routes}
    for route in model.routes:
        existing = by_key.get(route.key)
        if existing is None:
            actions.append(Action("create", ROUTE, route.key, resource=route))
            continue
        changes = []
        if not integration_id or existing.get("Target") != f"integrations/{integration_id}":
            changes.append("target")
        wanted_auth = route.settings(integration_id or "", authorizer_id)
        if existing.get("AuthorizationType", "NONE") != wanted_auth["AuthorizationType"] or (
            route.auth and (not authorizer_id or existing.get("AuthorizerId") != authorizer_id)
        ):
            changes.append("authorization")
        actions.append(Action("update" if changes else "no-op", ROUTE, route.key, tuple(changes), route,
                              (("route_id", existing["RouteId"]),)))
    wanted_keys = {r.key for r in model.routes}
    for key, existing in sorted(by_key.items()):
        if key not in wanted_keys:
            actions.append(Action("delete", ROUTE, key, ids=(("route_id", existing["RouteId"]),)))
    stage = next((s for s in found.stages if s.get("StageName") == model.stage.name), None)
    if stage is None:
        actions.append(Action("create", API_STAGE, model.stage.name, resource=model.stage))
    else:
        verb: Verb = "no-op" if stage.get("AutoDeploy") else "update"
        actions.append(Action(verb, API_STAGE, model.stage.name, () if verb == "no-op" else ("auto deploy",),
                              model.stage))
    for item in found.integrations:
        if item["IntegrationId"] != integration_id:
            actions.append(Action("delete", INTEGRATION, item.get("IntegrationUri", item["IntegrationId"]),
                                  ids=(("integration_id", item["IntegrationId"]),)))
    for item in found.authorizers:
        if item["AuthorizerId"] != authorizer_id:
            actions.append(Action("delete", AUTHORIZER, item.get("Name", item["AuthorizerId"]),
                                  ids=(("authorizer_id", item["AuthorizerId"]),)))
    for extra in found.others:
        actions.append(Action("delete", API, extra.get("Name", ""), ids=(("api_id", extra["ApiId"]),)))
    return actions


def _rest_api(model: RestGateway, current: Current) -> list[Action]:
    """The REST API and what it holds, its deployment and stage, its usage plan and API keys; an HTTP
    API the service had goes, replaced by this API when there is none yet."""
    found, http = current.rest_api, current.api
    name = model.api.name
    gone: list[Action] = []  # the other kind of API, and duplicates a failed run left
    if found is None:
        if http is not None:
            head = Action("replace", REST_API, name, ("http api -> rest api",), model.api, (("http_api_id", http.id),))
            gone += [_delete_http_api(a) for a in http.others]
        else:
            head = Action("create", REST_API, name, resource=model.api)
        found, api_id = FoundRestApi({}), None
    else:
        root = next((str(r["id"]) for r in found.resources if r.get("path") == "/"), "")
        changes = model.api.differences(found.api)
        head = Action("update" if changes else "no-op", REST_API, name, tuple(changes), model.api,
                      (("api_id", found.id), ("resource /", root)))
        if http is not None:  # a switch left both: the HTTP API goes
            gone += [_delete_http_api(a) for a in (http.api, *http.others)]
        gone += [_delete_rest_api(a) for a in found.others]
        api_id = found.id
    by_path = {str(r.get("path")): r for r in found.resources}
    parts: list[Action] = []
    for resource in model.resources:
        existing = by_path.get(resource.path)
        parts.append(Action("create", REST_RESOURCE, resource.path, resource=resource) if existing is None else
                     Action("no-op", REST_RESOURCE, resource.path, resource=resource,
                            ids=((f"resource {resource.path}", str(existing["id"])),)))
    authorizer_id = None
    if model.authorizer is not None:
        same = [a for a in found.authorizers if model.authorizer.is_like(a)]
        authorizer_id = str(same[0]["id"]) if same else None
        parts.append(Action("no-op" if authorizer_id else "create", REST_AUTHORIZER, model.authorizer.name,
                            resource=model.authorizer,
                            ids=(("rest_authorizer_id", authorizer_id),) if authorizer_id else ()))
    for method in model.methods:
        existing = ((by_path.get(method.path) or {}).get("resourceMethods") or {}).get(method.method)
        if existing is None:
            parts.append(Action("create", REST_METHOD, method.name, resource=method))
        else:
            changes = method.differences(existing, authorizer_id)
            parts.append(Action("replace" if changes else "no-op", REST_METHOD, method.name, tuple(changes), method))
    kept, wanted = {r.path for r in model.resources} | {"/"}, {m.name for m in model.methods}
    for path, held in sorted(by_path.items()):
        for verb in sorted(held.get("resourceMethods") or {}) if path in kept else ():
            if f"{verb} {path}" not in wanted:
                parts.append(Action("delete", REST_METHOD, f"{verb} {path}",
                                    ids=(("resource_id", str(held["id"])), ("method", verb))))
    for path in sorted((p for p in by_path if p not in kept), key=lambda p: (-p.count("/"), p)):  # deepest first
        parts.append(Action("delete", REST_RESOURCE, path, ids=(("resource_id", str(by_path[path]["id"])),)))
    parts += [Action("delete", REST_AUTHORIZER, str(a.get("name") or a["id"]),
                     ids=(("rest_authorizer_id", str(a["id"])),)) for a in found.authorizers
              if str(a["id"]) != authorizer_id]
    changed = head.is_change or any(a.is_change for a in parts)
    return [head, *gone, *parts, *_rest_stage(model, found, changed), *_usage_plan(model, current.keys, api_id)]


def _rest_stage(model: RestGateway, found: FoundRestApi, changed: bool) -> list[Action]:
    """A new deployment when what the stage serves is not the API as declared (read back from the
    fingerprint its deployment's description carries), the stage onto it, and the deployments no
    stage serves any more."""
    actions: list[Action] = []
    stage = next((s for s in found.stages if s.get("stageName") == model.stage.name), None)
    serving = str(stage["deploymentId"]) if stage and stage.get("deploymentId") else None
    described = next((str(d.get("description") or "") for d in found.deployments if str(d["id"]) == serving), "")
    redeploy = changed or serving is None or model.deployment.fingerprint not in described
    deployment = model.deployment
    if redeploy:
        actions.append(Action("create", REST_DEPLOYMENT, deployment.name, resource=deployment))
    else:
        actions.append(Action("no-op", REST_DEPLOYMENT, deployment.name, resource=deployment,
                              ids=(("deployment_id", str(serving)),)))
    if stage is None:
        actions.append(Action("create", REST_STAGE, model.stage.name, resource=model.stage))
    else:
        changes = (["deployment"] if redeploy else []) + (
            ["tracing"] if bool(stage.get("tracingEnabled")) != model.stage.tracing else [])
        actions.append(Action("update" if changes else "no-op", REST_STAGE, model.stage.name, tuple(changes),
                              model.stage))
    served = {str(s.get("deploymentId")) for s in found.stages if s is not stage or not redeploy}
    actions += [Action("delete", REST_DEPLOYMENT, str(d["id"]), ids=(("deployment_id", str(d["id"])),))
                for d in found.deployments if str(d["id"]) not in served]
    return actions


def _usage_plan(model: RestGateway, found: FoundKeys, api_id: str | None) -> list[Action]:
    """The usage plan on the stage and the keys in it; plans and keys no longer declared go."""
    actions: list[Action] = []
    wanted, kept = model.usage_plan, None
    if wanted is not None:
        kept = next((p for p in found.plans if p.get("name") == wanted.name), found.plans[0] if found.plans else None)
        if kept is None:
            actions.append(Action("create", USAGE_PLAN, wanted.name, (wanted.shown(),), resource=wanted))
        else:
            changes = wanted.differences(kept, api_id)
            ours = f"{api_id}:{wanted.stage}"
            detach = [s for s in _stages(kept) if s != ours]
            attached = (("attached", ours),) if ours in _stages(kept) else ()
            actions.append(Action("update" if changes else "no-op", USAGE_PLAN, wanted.name, tuple(changes), wanted,
                                  (("usage_plan_id", str(kept["id"])), *attached,
                                   *((f"detach{i}", s) for i, s in enumerate(detach)))))
    actions += [_delete_plan(p) for p in found.plans if p is not kept]
    members = found.members.get(str(kept["id"]), set()) if kept is not None else set()
    for key in model.keys:
        held = found.keys.get(key.name)
        if held is None:
            actions.append(Action("create", API_KEY, key.name, resource=key))
            continue
        changes = (["enabled"] if not held.get("enabled") else []) + (
            ["usage plan"] if str(held["id"]) not in members else [])
        actions.append(Action("update" if changes else "no-op", API_KEY, key.name, tuple(changes), key,
                              (("api_key_id", str(held["id"])),)))
    declared = {k.name for k in model.keys}
    actions += [Action("delete", API_KEY, name, ids=(("api_key_id", str(held["id"])),))
                for name, held in sorted(found.keys.items()) if name not in declared]
    return actions


def _stages(plan: dict[str, Any]) -> list[str]:
    """A usage plan's API stages as API Gateway's patch paths name them (``<api id>:<stage>``)."""
    return [f"{s.get('apiId')}:{s.get('stage')}" for s in plan.get("apiStages") or []]


def _delete_plan(plan: dict[str, Any]) -> Action:
    """A usage plan goes once its stages are detached (API Gateway refuses it before)."""
    return Action("delete", USAGE_PLAN, str(plan.get("name") or plan["id"]),
                  ids=(("usage_plan_id", str(plan["id"])), *((f"detach{i}", s) for i, s in enumerate(_stages(plan)))))


def _drop_keys(found: FoundKeys) -> list[Action]:
    """Every usage plan and API key found, deleted: the service has no REST API any more."""
    return [*(_delete_plan(p) for p in found.plans),
            *(Action("delete", API_KEY, name, ids=(("api_key_id", str(k["id"])),)) for name, k in
              sorted(found.keys.items()))]


def _delete_rest_api(api: dict[str, Any]) -> Action:
    return Action("delete", REST_API, str(api.get("name", "")), ids=(("rest_api_id", str(api["id"])),))


def _delete_http_api(api: dict[str, Any]) -> Action:
    return Action("delete", API, str(api.get("Name", "")), ids=(("api_id", str(api["ApiId"])),))


def _permissions(model: ServiceModel, current: Current) -> list[Action]:
    actions: list[Action] = []
    if isinstance(model.gateway, RestGateway):
        api_id = current.rest_api.id if current.rest_api is not None else None
    else:
        api = current.api.api if current.api is not None else None
        api_id = api["ApiId"] if api and api.get("ProtocolType", "HTTP") == "HTTP" else None
    found_permissions = current.function.permissions if current.function is not None else {}
    for permission in model.permissions:
        found = found_permissions.get(permission.sid)
        source = permission.source_arn
        known = api_id is not None or permission.sid != API_PERMISSION
        if known:
            source = source.replace("{api_id}", str(api_id))
        if found is None:
            actions.append(Action("create", PERMISSION, permission.sid, resource=permission))
        elif not known or _source(found) != source or found.get("Principal") != {"Service": permission.principal}:
            actions.append(Action("replace", PERMISSION, permission.sid, ("source",), permission))
        else:
            actions.append(Action("no-op", PERMISSION, permission.sid, resource=permission))
    wanted = {p.sid for p in model.permissions}
    where = (("function", model.function.name), ("qualifier", model.stage))
    for sid in sorted(found_permissions):
        if sid.startswith("coworks-") and sid not in wanted:
            actions.append(Action("delete", PERMISSION, sid, ids=where))
    return actions


def _source(statement: dict[str, Any]) -> str:
    condition = statement.get("Condition") or {}
    for test in ("ArnLike", "ArnEquals"):
        value = (condition.get(test) or {}).get("AWS:SourceArn")
        if value:
            return str(value)
    return json.dumps(condition)


def _machine(model: WorkflowModel, current: Current) -> Action:
    machine = model.machine
    found = current.machine
    if found is None:
        return Action("create", MACHINE, machine.name, resource=machine)
    if found.get("type", "STANDARD") != machine.type:
        raise ConfigurationError(
            f"The state machine {machine.name} is {found.get('type', 'STANDARD')} and AWS cannot change a machine's "
            f"type: destroy the workflow first (cws destroy-workflow), then deploy it as {machine.type}.",
            resource=machine.name)
    changes = []
    if not same_json(found.get("definition", "{}"), machine.definition):
        changes.append("definition")
    if found.get("roleArn") != machine.role_arn:
        changes.append("role")
    if not same_json(found.get("loggingConfiguration") or {"level": "OFF"}, machine.logging):
        changes.append("logging")
    return Action("update" if changes else "no-op", MACHINE, machine.name, tuple(changes), machine,
                  (("arn", machine.arn),))


# -- a workflow's sources: queues, subscriptions, buckets, pipes ---------------------------------


def _queues(model: WorkflowModel, current: Current) -> list[Action]:
    actions = []
    for queue in model.queues:
        found = current.queues.get(queue.name)
        if found is None:
            actions.append(Action("create", QUEUE, queue.name, resource=queue))
        else:
            changed = not same_json(found.attributes.get("Policy") or "null", queue.policy)
            actions.append(Action("update" if changed else "no-op", QUEUE, queue.name, ("policy",) if changed else (),
                                  queue, (("url", found.url),)))
    return actions


def _subscriptions(model: WorkflowModel, current: Current) -> list[Action]:
    found = {(s.get("TopicArn"), s.get("Endpoint")) for s in current.subscriptions}
    return [Action("no-op" if (s.topic, s.queue_arn) in found else "create", SUBSCRIPTION,
                   f"{s.topic.rsplit(':', 1)[-1]} -> {s.queue_arn.rsplit(':', 1)[-1]}", resource=s)
            for s in model.subscriptions]


def _unsubscribe(subscription: dict[str, Any]) -> Action:
    topic, queue = str(subscription.get("TopicArn", "")), str(subscription.get("Endpoint", ""))
    return Action("delete", SUBSCRIPTION, f"{topic.rsplit(':', 1)[-1]} -> {queue.rsplit(':', 1)[-1]}",
                  ids=(("arn", str(subscription.get("SubscriptionArn", ""))),))


def _buckets(model: WorkflowModel, current: Current) -> list[Action]:
    """A bucket's EventBridge notifications are turned on, never off: others may rely on them."""
    actions = []
    for bucket in model.buckets:
        on = "EventBridgeConfiguration" in current.buckets.get(bucket.bucket, {})
        actions.append(Action("no-op" if on else "update", BUCKET, bucket.bucket, () if on else ("turned on",), bucket))
    return actions


def _pipes(model: WorkflowModel, current: Current) -> list[Action]:
    actions = []
    for pipe in model.pipes:
        found = current.pipes.get(pipe.name)
        if found is None:
            actions.append(Action("create", PIPE, pipe.name, resource=pipe))
            continue
        wanted = pipe.settings()
        if found.get("Source") != pipe.source:
            actions.append(Action("replace", PIPE, pipe.name, ("source",), pipe))  # a pipe's source cannot change
            continue
        changes = tuple(key.lower() for key in ("Target", "RoleArn", "DesiredState", "SourceParameters",
                                                "TargetParameters") if not _holds(found.get(key), wanted[key]))
        actions.append(Action("update" if changes else "no-op", PIPE, pipe.name, changes, pipe))
    wanted_names = {p.name for p in model.pipes}
    actions.extend(Action("delete", PIPE, name) for name in sorted(current.pipes) if name not in wanted_names)
    return actions


def _holds(found: Any, wanted: Any) -> bool:
    """Whether what AWS describes holds every value Coworks set (AWS adds defaults of its own)."""
    if isinstance(wanted, dict):
        return isinstance(found, dict) and all(_holds(found.get(k), v) for k, v in wanted.items())
    return bool(found == wanted)
