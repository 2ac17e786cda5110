"""Reading what moto holds, to assert on it: every resource and its Coworks tags."""

from __future__ import annotations

from typing import Any

from coworks.cloud.deploy.names import TAG_MANAGED, TAG_SERVICE, TAG_STAGE


def inventory(session: Any, endpoint_url: str | None = None) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, name, tags) for every role, log group, function, HTTP API, API stage and rule."""
    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint_url)

    found: list[tuple[str, str, dict[str, str]]] = []
    iam = client("iam")
    for role in iam.list_roles()["Roles"]:
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
        found.append(("role", role["RoleName"], tags))
    logs = client("logs")
    for group in logs.describe_log_groups()["logGroups"]:
        tags = logs.list_tags_log_group(logGroupName=group["logGroupName"])["tags"]
        found.append(("log group", group["logGroupName"], tags))
    lam = client("lambda")
    for function in lam.list_functions()["Functions"]:
        found.append(("function", function["FunctionName"], lam.list_tags(Resource=function["FunctionArn"])["Tags"]))
    api = client("apigatewayv2")
    for item in api.get_apis()["Items"]:
        found.append(("api", item["Name"], item.get("Tags", {})))
        for stage in api.get_stages(ApiId=item["ApiId"])["Items"]:
            found.append(("api stage", f"{item['Name']}/{stage['StageName']}", stage.get("Tags", {})))
    events = client("events")
    for rule in events.list_rules()["Rules"]:
        tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]}
        found.append(("rule", rule["Name"], tags))
    return found


def untagged(session: Any, endpoint_url: str | None = None) -> list[tuple[str, str]]:
    return [(kind, name) for kind, name, tags in inventory(session, endpoint_url)
            if tags.get(TAG_MANAGED) != "true" or not tags.get(TAG_SERVICE) or not tags.get(TAG_STAGE)]


def tagged_for(session: Any, service: str, stage: str, endpoint_url: str | None = None) -> list[tuple[str, str]]:
    return [(kind, name) for kind, name, tags in inventory(session, endpoint_url)
            if tags.get(TAG_SERVICE) == service and tags.get(TAG_STAGE) == stage]
