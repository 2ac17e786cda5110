"""What AWS holds now for a service and stage, read with describe/list calls and tags.

There is no local state file: the names follow from service and stage, the HTTP API is found
by its tags, and every resource found by name must carry the service's tags or the deploy
stops rather than take over something Coworks did not make.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import ConfigurationError
from .models import ROLE_PATH, is_ours

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ..clients import Clients


@dataclass
class Current:
    """The remote state, as AWS describes it (raw dicts, keyed the AWS way)."""

    service: str
    stage: str
    function_name: str
    role: dict[str, Any] | None = None
    role_policies: dict[str, str] = field(default_factory=dict)  # name -> canonical JSON
    log_group: dict[str, Any] | None = None
    function: dict[str, Any] | None = None  # the $LATEST configuration
    alias: dict[str, Any] | None = None
    alias_config: dict[str, Any] | None = None  # configuration of the version the alias points at
    api: dict[str, Any] | None = None
    other_apis: list[dict[str, Any]] = field(default_factory=list)  # duplicates left by a failed run
    integrations: list[dict[str, Any]] = field(default_factory=list)
    authorizers: list[dict[str, Any]] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    permissions: dict[str, dict[str, Any]] = field(default_factory=dict)  # Sid -> statement
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> rule + Targets

    @property
    def exists(self) -> bool:
        return any((self.role, self.log_group, self.function, self.api, self.other_apis, self.rules))


def canonical(document: Any) -> str:
    """A policy document as sorted JSON text, whether AWS gave it as text or as a dict."""
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document) if document.startswith("%") else document)
    return json.dumps(document, sort_keys=True)


def read_state(clients: Clients, service: str, stage: str, function_name: str) -> Current:
    """Read everything Coworks manages for ``service`` at ``stage``."""
    current = Current(service, stage, function_name)
    _read_role(clients, current)
    _read_log_group(clients, current)
    _read_function(clients, current)
    _read_api(clients, current)
    _read_rules(clients, current)
    return current


def _refuse(kind: str, name: str, current: Current) -> ConfigurationError:
    return ConfigurationError(
        f"The {kind} {name} exists but is not managed by Coworks for {current.service} ({current.stage}): "
        f"rename the service or stage, or delete that {kind}.",
        resource=name,
    )


def read_role(
    clients: Clients, name: str, owner: str, stage: str, kind: str, refuse: Callable[[], Exception]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """A role Coworks made for ``owner`` at ``stage`` and its inline policies; ``refuse()`` is raised
    for a role of that name that Coworks did not make (it is never taken over)."""
    found = clients.find("iam", "get_role", name, RoleName=name)
    if found is None:
        return None, {}
    role = found["Role"]
    tags = role.get("Tags")
    if tags is None:
        tags = clients.call("iam", "list_role_tags", name, RoleName=name).get("Tags", [])
    if role.get("Path") != ROLE_PATH or not is_ours({t["Key"]: t["Value"] for t in tags}, owner, stage, kind):
        raise refuse()
    policies = {}
    for policy in clients.call("iam", "list_role_policies", name, RoleName=name).get("PolicyNames", []):
        document = clients.call("iam", "get_role_policy", name, RoleName=name, PolicyName=policy)
        policies[policy] = canonical(document["PolicyDocument"])
    return role, policies


def read_rules(clients: Clients, prefix: str, owner: str, stage: str, kind: str) -> dict[str, dict[str, Any]]:
    """The EventBridge rules named from ``prefix`` that Coworks made for ``owner``, with their targets."""
    rules, token = [], None
    while True:
        more: dict[str, str] = {"NextToken": token} if token else {}
        page = clients.call("events", "list_rules", prefix, NamePrefix=prefix, **more)
        rules += page.get("Rules", [])
        token = page.get("NextToken")
        if not token:
            break
    found = {}
    for rule in rules:
        tags = clients.call("events", "list_tags_for_resource", rule["Name"], ResourceARN=rule["Arn"]).get("Tags", [])
        if is_ours({t["Key"]: t["Value"] for t in tags}, owner, stage, kind):
            targets = clients.call("events", "list_targets_by_rule", rule["Name"], Rule=rule["Name"])
            found[rule["Name"]] = {**rule, "Targets": targets.get("Targets", [])}
    return found


def _read_role(clients: Clients, current: Current) -> None:
    name = f"{current.function_name}-role"
    role, policies = read_role(clients, name, current.service, current.stage, "service",
                               lambda: _refuse("IAM role", name, current))
    if role is not None:
        current.role = role
        current.role_policies.update(policies)


def _read_log_group(clients: Clients, current: Current) -> None:
    name = f"/aws/lambda/{current.function_name}"
    groups = clients.call("logs", "describe_log_groups", name, logGroupNamePrefix=name).get("logGroups", [])
    group = next((g for g in groups if g["logGroupName"] == name), None)
    if group is None:
        return
    tags = clients.call("logs", "list_tags_log_group", name, logGroupName=name).get("tags", {})
    if not is_ours(tags, current.service, current.stage):
        raise _refuse("log group", name, current)
    current.log_group = group


def _read_function(clients: Clients, current: Current) -> None:
    name = current.function_name
    found = clients.find("lambda", "get_function", name, FunctionName=name)
    if found is None:
        return
    if not is_ours(found.get("Tags"), current.service, current.stage):
        raise _refuse("Lambda function", name, current)
    current.function = found["Configuration"]
    alias = clients.find("lambda", "get_alias", f"{name}:{current.stage}", FunctionName=name, Name=current.stage)
    if alias is None:
        return
    current.alias = alias
    current.alias_config = clients.call(
        "lambda", "get_function_configuration", f"{name}:{alias['FunctionVersion']}",
        FunctionName=name, Qualifier=alias["FunctionVersion"],
    )
    policy = clients.find("lambda", "get_policy", f"{name}:{current.stage}", FunctionName=name,
                          Qualifier=current.stage)
    if policy is not None:
        for statement in json.loads(policy["Policy"]).get("Statement", []):
            current.permissions[statement.get("Sid", "")] = statement


def _read_api(clients: Clients, current: Current) -> None:
    apis, token = [], None
    while True:
        page = clients.call("apigatewayv2", "get_apis", "HTTP APIs", **({"NextToken": token} if token else {}))
        apis += [a for a in page.get("Items", []) if is_ours(a.get("Tags"), current.service, current.stage)]
        token = page.get("NextToken")
        if not token:
            break
    if not apis:
        return
    apis.sort(key=lambda a: (a.get("Name") != current.function_name, str(a.get("CreatedDate", "")), a["ApiId"]))
    current.api, current.other_apis = apis[0], apis[1:]
    api_id = current.api["ApiId"]
    current.integrations = clients.call("apigatewayv2", "get_integrations", api_id, ApiId=api_id).get("Items", [])
    current.routes = clients.call("apigatewayv2", "get_routes", api_id, ApiId=api_id).get("Items", [])
    current.stages = clients.call("apigatewayv2", "get_stages", api_id, ApiId=api_id).get("Items", [])
    current.authorizers = _authorizers(clients, api_id, current.routes)


def _authorizers(clients: Clients, api_id: str, routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All authorizers; moto lacks GetAuthorizers, so fall back on those the routes name."""
    if not clients.no_get_authorizers:
        try:
            return list(clients.client("apigatewayv2").get_authorizers(ApiId=api_id).get("Items", []))
        except Exception:  # not implemented by the endpoint: remember and use GetAuthorizer
            clients.no_get_authorizers = True
    ids = sorted({r["AuthorizerId"] for r in routes if r.get("AuthorizerId")})
    found = [clients.find("apigatewayv2", "get_authorizer", api_id, ApiId=api_id, AuthorizerId=i) for i in ids]
    return [a for a in found if a is not None]


def _read_rules(clients: Clients, current: Current) -> None:
    current.rules.update(read_rules(clients, current.function_name[:16], current.service, current.stage, "service"))
