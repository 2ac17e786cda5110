"""The planner: desired model against what AWS holds, giving an ordered plan. Reads nothing itself.

Order matters for safety: role, logs and code first, then a new version, then the API and
the schedules, and the stage alias moves last, so a failure at any step leaves the previous
version serving on the alias. A new alias is made right after its first version, because the
invoke permissions are attached to it.
"""

from __future__ import annotations

import json

from .models import API_PERMISSION, ServiceModel
from .plan import Action, Plan
from .state import Current, canonical

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

POLICY_NAME = "coworks"


def plan_deploy(model: ServiceModel, current: Current) -> Plan:
    """The actions that turn ``current`` into ``model``."""
    actions: list[Action] = []
    actions.append(_role(model, current))
    actions.append(_log_group(model, current))
    function = _function(model, current)
    actions.append(function)
    behind = _differences(model, current.alias_config) if current.alias_config else ["no version yet"]
    needs_version = function.is_change or bool(behind)
    fn = model.function.name
    actions.append(Action("create" if needs_version else "no-op", "version", fn,
                          tuple(c.lower() for c in behind) if needs_version and not function.is_change else (),
                          resource=model.function))
    alias_name = f"{fn}:{model.stage}"
    if current.alias is None:
        actions.append(Action("create", "alias", alias_name, resource=model.alias))
    actions.extend(_api(model, current))
    actions.extend(_rules(model, current))
    actions.extend(_permissions(model, current))
    if current.alias is not None:
        verb = "update" if needs_version else "no-op"
        actions.append(Action(verb, "alias", alias_name, ("new version",) if needs_version else (),
                              resource=model.alias))
    return Plan(model.service, model.stage, model.region, tuple(actions))


def plan_destroy(current: Current, region: str) -> Plan:
    """Delete what ``current`` found, dependents first; versions, aliases and routes go with their parent."""
    actions: list[Action] = []
    for name, rule in sorted(current.rules.items()):
        targets = tuple((f"target{i}", t["Id"]) for i, t in enumerate(rule.get("Targets", [])))
        actions.append(Action("delete", "schedule rule", name, ids=targets))
    for api in [a for a in (current.api, *current.other_apis) if a]:
        actions.append(Action("delete", "http api", api["Name"], ids=(("api_id", api["ApiId"]),)))
    if current.function:
        actions.append(Action("delete", "lambda function", current.function_name))
    if current.log_group:
        actions.append(Action("delete", "log group", current.log_group["logGroupName"]))
    if current.role:
        policies = tuple((f"policy{i}", p) for i, p in enumerate(sorted(current.role_policies)))
        actions.append(Action("delete", "iam role", current.role["RoleName"], ids=policies))
    return Plan(current.service, current.stage, region, tuple(actions))


def _role(model: ServiceModel, current: Current) -> Action:
    role = model.role
    if current.role is None:
        return Action("create", "iam role", role.name, resource=role)
    changes = []
    if canonical(current.role.get("AssumeRolePolicyDocument", "{}")) != role.trust:
        changes.append("trust policy")
    if current.role_policies.get(POLICY_NAME) != role.policy or set(current.role_policies) - {POLICY_NAME}:
        changes.append("permissions")
    extra = tuple((f"policy{i}", p) for i, p in enumerate(sorted(set(current.role_policies) - {POLICY_NAME})))
    return Action("update" if changes else "no-op", "iam role", role.name, tuple(changes), role, extra)


def _log_group(model: ServiceModel, current: Current) -> Action:
    group = model.log_group
    if current.log_group is None:
        return Action("create", "log group", group.name, resource=group)
    changed = current.log_group.get("retentionInDays") != group.retention
    return Action("update" if changed else "no-op", "log group", group.name,
                  ("retention",) if changed else (), group)


def _differences(model: ServiceModel, config: dict[str, Any]) -> list[str]:
    function = model.function
    desired = function.configuration()
    keys = ("Role", "Handler", "Runtime", "MemorySize", "Timeout")
    changes = [key for key in keys if config.get(key) != desired[key]]
    if (config.get("Environment") or {}).get("Variables", {}) != dict(function.environment):
        changes.append("Environment")
    if config.get("CodeSha256") != function.code_sha256:
        changes.append("code")
    if (config.get("Architectures") or ["x86_64"]) != [function.architecture]:
        changes.append("architecture")
    return changes


def _function(model: ServiceModel, current: Current) -> Action:
    function = model.function
    if current.function is None:
        return Action("create", "lambda function", function.name, resource=function)
    changes = tuple(c.lower() for c in _differences(model, current.function))
    return Action("update" if changes else "no-op", "lambda function", function.name, changes, function)


def _api(model: ServiceModel, current: Current) -> list[Action]:
    actions: list[Action] = []
    api = current.api
    name = model.api.name
    if api is not None and api.get("ProtocolType", "HTTP") != "HTTP":
        actions.append(Action("replace", "http api", name, ("protocol",), model.api, (("api_id", api["ApiId"]),)))
        api = None
    elif api is None:
        actions.append(Action("create", "http api", name, resource=model.api))
    else:
        actions.append(Action("no-op", "http api", name, resource=model.api, ids=(("api_id", api["ApiId"]),)))
    integrations = current.integrations if api else []
    authorizers = current.authorizers if api else []
    routes = current.routes if api else []
    stages = current.stages if api else []
    uri = model.integration.uri
    shown = uri.rsplit(":function:", 1)[-1]
    good = [i for i in integrations if i.get("IntegrationUri") == uri and i.get("IntegrationType") == "AWS_PROXY"
            and i.get("PayloadFormatVersion") == "2.0"]
    integration_id = good[0]["IntegrationId"] if good else None
    if integration_id:
        actions.append(Action("no-op", "integration", shown, resource=model.integration,
                              ids=(("integration_id", integration_id),)))
    else:
        actions.append(Action("create", "integration", shown, resource=model.integration))
    authorizer_id = None
    wanted = model.authorizer
    if wanted is not None:
        same = [a for a in authorizers if a.get("AuthorizerUri") == wanted.uri and a.get("Name") == wanted.name
                and a.get("AuthorizerType") == "REQUEST" and a.get("EnableSimpleResponses")]
        authorizer_id = same[0]["AuthorizerId"] if same else None
        verb = "no-op" if authorizer_id else "create"
        ids = (("authorizer_id", authorizer_id),) if authorizer_id else ()
        actions.append(Action(verb, "authorizer", wanted.name, resource=wanted, ids=ids))
    by_key = {r["RouteKey"]: r for r in routes}
    for route in model.routes:
        found = by_key.get(route.key)
        if found is None:
            actions.append(Action("create", "route", route.key, resource=route))
            continue
        changes = []
        if not integration_id or found.get("Target") != f"integrations/{integration_id}":
            changes.append("target")
        auth_type = "CUSTOM" if route.auth else "NONE"
        if found.get("AuthorizationType", "NONE") != auth_type or (
            route.auth and (not authorizer_id or found.get("AuthorizerId") != authorizer_id)
        ):
            changes.append("authorization")
        actions.append(Action("update" if changes else "no-op", "route", route.key, tuple(changes), route,
                              (("route_id", found["RouteId"]),)))
    wanted_keys = {r.key for r in model.routes}
    for key, found in sorted(by_key.items()):
        if key not in wanted_keys:
            actions.append(Action("delete", "route", key, ids=(("route_id", found["RouteId"]),)))
    stage = next((s for s in stages if s.get("StageName") == model.api_stage.name), None)
    if stage is None:
        actions.append(Action("create", "api stage", model.api_stage.name, resource=model.api_stage))
    else:
        verb = "no-op" if stage.get("AutoDeploy") else "update"
        actions.append(Action(verb, "api stage", model.api_stage.name, () if verb == "no-op" else ("auto deploy",),
                              model.api_stage))
    for item in integrations:
        if item["IntegrationId"] != integration_id:
            actions.append(Action("delete", "integration", item.get("IntegrationUri", item["IntegrationId"]),
                                  ids=(("integration_id", item["IntegrationId"]),)))
    for item in authorizers:
        if item["AuthorizerId"] != authorizer_id:
            actions.append(Action("delete", "authorizer", item.get("Name", item["AuthorizerId"]),
                                  ids=(("authorizer_id", item["AuthorizerId"]),)))
    for extra in current.other_apis:
        actions.append(Action("delete", "http api", extra.get("Name", ""), ids=(("api_id", extra["ApiId"]),)))
    return actions


def _rules(model: ServiceModel, current: Current) -> list[Action]:
    actions: list[Action] = []
    for rule in model.rules:
        found = current.rules.get(rule.name)
        if found is None:
            actions.append(Action("create", "schedule rule", rule.name, resource=rule))
            continue
        changes = []
        if found.get("ScheduleExpression") != rule.expression or found.get("State") != "ENABLED":
            changes.append("schedule")
        if [(t.get("Id"), t.get("Arn")) for t in found.get("Targets", [])] != [("coworks", rule.target)]:
            changes.append("target")
        actions.append(Action("update" if changes else "no-op", "schedule rule", rule.name, tuple(changes), rule))
    wanted = {r.name for r in model.rules}
    for name, found in sorted(current.rules.items()):
        if name not in wanted:
            targets = tuple((f"target{i}", t["Id"]) for i, t in enumerate(found.get("Targets", [])))
            actions.append(Action("delete", "schedule rule", name, ids=targets))
    return actions


def _permissions(model: ServiceModel, current: Current) -> list[Action]:
    actions: list[Action] = []
    api_id = current.api["ApiId"] if current.api and current.api.get("ProtocolType", "HTTP") == "HTTP" else None
    for permission in model.permissions:
        found = current.permissions.get(permission.sid)
        source = permission.source_arn
        known = api_id is not None or permission.sid != API_PERMISSION
        if known:
            source = source.replace("{api_id}", str(api_id))
        if found is None:
            actions.append(Action("create", "permission", permission.sid, resource=permission))
        elif not known or _source(found) != source or found.get("Principal") != {"Service": permission.principal}:
            actions.append(Action("replace", "permission", permission.sid, ("source",), permission))
        else:
            actions.append(Action("no-op", "permission", permission.sid, resource=permission))
    wanted = {p.sid for p in model.permissions}
    for sid in sorted(current.permissions):
        if sid.startswith("coworks-") and sid not in wanted:
            actions.append(Action("delete", "permission", sid))
    return actions


def _source(statement: dict[str, Any]) -> str:
    condition = statement.get("Condition") or {}
    for test in ("ArnLike", "ArnEquals"):
        value = (condition.get(test) or {}).get("AWS:SourceArn")
        if value:
            return str(value)
    return json.dumps(condition)
