"""What AWS holds now for a service or a workflow at a stage, read with describe/list calls and tags.

One reader for both: the names to look up follow from the owner (``Names``), the HTTP or REST
API, the usage plans and the API keys are found by their tags, and every resource found by name
must carry the owner's tags or the deploy stops rather than take over something Coworks did not
make. Each kind has its own small read
function; a service has no state machine and a workflow no function, so those stay None.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import AwsError
from .names import ROLE_PATH, Names, Owner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..clients import Clients

_NO_MACHINE = ("StateMachineDoesNotExist", "ResourceNotFoundException")


@dataclass
class FoundRole:
    """A role Coworks made and its inline policies (name -> canonical JSON)."""

    role: dict[str, Any]
    policies: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.role["RoleName"])


@dataclass
class FoundFunction:
    """A function's $LATEST configuration, its stage alias, the configuration of the version that
    alias points at, and the alias's resource policy statements by Sid."""

    configuration: dict[str, Any]
    alias: dict[str, Any] | None = None
    alias_config: dict[str, Any] | None = None
    permissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    concurrency: int | None = None  # reserved concurrent executions, None for the unreserved pool


@dataclass
class FoundApi:
    """The HTTP API tagged for the owner, what it holds, and duplicates a failed run left."""

    api: dict[str, Any]
    others: list[dict[str, Any]] = field(default_factory=list)
    integrations: list[dict[str, Any]] = field(default_factory=list)
    authorizers: list[dict[str, Any]] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.api["ApiId"])


@dataclass
class FoundRestApi:
    """The REST API tagged for the owner, what it holds (resources with their methods embedded), and
    duplicates a failed run left."""

    api: dict[str, Any]
    others: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    authorizers: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.api["id"])


@dataclass
class FoundKeys:
    """The usage plans and API keys tagged for the owner (never a key's value), and the ids of the
    keys each plan holds."""

    plans: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name
    members: dict[str, set[str]] = field(default_factory=dict)  # plan id -> key ids

    def __bool__(self) -> bool:
        return bool(self.plans or self.keys)


@dataclass
class FoundQueue:
    """A queue Coworks made (its URL, ARN and attributes as AWS gives them)."""

    url: str
    arn: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Current:
    """The remote state of one owner, as AWS describes it (raw dicts, keyed the AWS way)."""

    names: Names
    roles: dict[str, FoundRole] = field(default_factory=dict)  # by role name
    log_group: dict[str, Any] | None = None
    function: FoundFunction | None = None
    api: FoundApi | None = None
    rest_api: FoundRestApi | None = None
    keys: FoundKeys = field(default_factory=FoundKeys)  # a REST API's usage plans and API keys
    machine: dict[str, Any] | None = None  # DescribeStateMachine
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> rule + Targets
    pipes: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> DescribePipe
    queues: dict[str, FoundQueue] = field(default_factory=dict)  # name -> the workflow's own queue
    subscriptions: list[dict[str, Any]] = field(default_factory=list)  # those delivering to its queues
    buckets: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> notification configuration

    @property
    def owner(self) -> Owner:
        return self.names.owner

    @property
    def exists(self) -> bool:
        return any((self.roles, self.log_group, self.function, self.api, self.rest_api, self.keys, self.machine,
                    self.rules, self.pipes, self.queues))


def canonical(document: Any) -> str:
    """A policy document as sorted JSON text, whether AWS gave it as text or as a dict."""
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document) if document.startswith("%") else document)
    return json.dumps(document, sort_keys=True)


def same_json(left: Any, right: Any) -> bool:
    """Whether two JSON texts (or values) hold the same data, whatever their spacing or key order."""
    def load(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    try:
        return bool(load(left) == load(right))
    except ValueError:
        return False


def read_state(clients: Clients, names: Names, buckets: tuple[str, ...] = ()) -> Current:
    """Read everything Coworks manages for ``names.owner``, and the notification settings of the
    ``buckets`` its triggers listen to."""
    current = Current(names)
    for role in names.roles:
        found = read_role(clients, role, names.owner)
        if found is not None:
            current.roles[role] = found
    current.log_group = read_log_group(clients, names.log_group, names.owner)
    if names.function is not None:
        current.function = read_function(clients, names.function, names.owner)
        current.api = read_api(clients, names.function, names.owner)
        current.rest_api = read_rest_api(clients, names.function, names.owner)
        current.keys = read_keys(clients, names.function, names.owner)
    if names.machine_arn is not None:
        current.machine = read_machine(clients, names.machine_arn, names.owner)
        current.pipes = read_pipes(clients, names.rule_prefix, names.owner)
        current.queues = read_queues(clients, names.rule_prefix, names.owner)
        if current.queues:
            current.subscriptions = read_subscriptions(clients, {q.arn for q in current.queues.values()})
    current.rules = read_rules(clients, names.rule_prefix, names.owner)
    for bucket in buckets:
        current.buckets[bucket] = {k: v for k, v in clients.call(
            "s3", "get_bucket_notification_configuration", bucket, Bucket=bucket).items() if k != "ResponseMetadata"}
    return current


def read_role(clients: Clients, name: str, owner: Owner) -> FoundRole | None:
    found = clients.find("iam", "get_role", name, RoleName=name)
    if found is None:
        return None
    role = found["Role"]
    tags = role.get("Tags")
    if tags is None:
        tags = clients.call("iam", "list_role_tags", name, RoleName=name).get("Tags", [])
    if role.get("Path") != ROLE_PATH or not owner.owns({t["Key"]: t["Value"] for t in tags}):
        raise owner.refuse("IAM role", name)
    policies = {}
    for page in clients.pages("iam", "list_role_policies", name, RoleName=name):
        for policy in page.get("PolicyNames", []):
            document = clients.call("iam", "get_role_policy", name, RoleName=name, PolicyName=policy)
            policies[policy] = canonical(document["PolicyDocument"])
    return FoundRole(role, policies)


def read_log_group(clients: Clients, name: str, owner: Owner) -> dict[str, Any] | None:
    group = None
    for page in clients.pages("logs", "describe_log_groups", name, logGroupNamePrefix=name):
        group = next((g for g in page.get("logGroups", []) if g["logGroupName"] == name), group)
    if group is None:
        return None
    tags = clients.call("logs", "list_tags_log_group", name, logGroupName=name).get("tags", {})
    if not owner.owns(tags):
        raise owner.refuse("log group", name)
    return dict(group)


def read_function(clients: Clients, name: str, owner: Owner) -> FoundFunction | None:
    found = clients.find("lambda", "get_function", name, FunctionName=name)
    if found is None:
        return None
    if not owner.owns(found.get("Tags")):
        raise owner.refuse("Lambda function", name)
    reserved = (found.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    function = FoundFunction(found["Configuration"], concurrency=None if reserved is None else int(reserved))
    stage = owner.stage
    alias = clients.find("lambda", "get_alias", f"{name}:{stage}", FunctionName=name, Name=stage)
    if alias is None:
        return function
    function.alias = alias
    function.alias_config = clients.call(
        "lambda", "get_function_configuration", f"{name}:{alias['FunctionVersion']}",
        FunctionName=name, Qualifier=alias["FunctionVersion"],
    )
    policy = clients.find("lambda", "get_policy", f"{name}:{stage}", FunctionName=name, Qualifier=stage)
    if policy is not None:
        for statement in json.loads(policy["Policy"]).get("Statement", []):
            function.permissions[statement.get("Sid", "")] = statement
    return function


def read_api(clients: Clients, function: str, owner: Owner) -> FoundApi | None:
    apis = [a for page in clients.pages("apigatewayv2", "get_apis", "HTTP APIs")
            for a in page.get("Items", []) if owner.owns(a.get("Tags"))]
    if not apis:
        return None
    apis.sort(key=lambda a: (a.get("Name") != function, str(a.get("CreatedDate", "")), a["ApiId"]))
    found = FoundApi(apis[0], apis[1:])
    api_id = found.id

    def items(method: str) -> list[dict[str, Any]]:
        pages = clients.pages("apigatewayv2", method, api_id, ApiId=api_id)
        return [item for page in pages for item in page.get("Items", [])]

    found.integrations = items("get_integrations")
    found.routes = items("get_routes")
    found.stages = items("get_stages")
    found.authorizers = _authorizers(clients, api_id, found.routes)
    return found


def read_rest_api(clients: Clients, function: str, owner: Owner) -> FoundRestApi | None:
    """The REST API tagged for ``owner`` (the one named like the function first), with its resources
    and their methods, authorizers, stages and deployments."""
    apis = [a for page in clients.pages("apigateway", "get_rest_apis", "REST APIs", limit=500)
            for a in page.get("items", []) if owner.owns(a.get("tags"))]
    if not apis:
        return None
    apis.sort(key=lambda a: (a.get("name") != function, str(a.get("createdDate", "")), a["id"]))
    found = FoundRestApi(apis[0], apis[1:])
    api_id = found.id

    def items(method: str, **params: Any) -> list[dict[str, Any]]:
        pages = clients.pages("apigateway", method, api_id, restApiId=api_id, **params)
        return [item for page in pages for item in page.get("items", [])]

    found.resources = items("get_resources", embed=["methods"], limit=500)
    found.authorizers = items("get_authorizers", limit=500)
    found.deployments = items("get_deployments", limit=500)
    found.stages = list(clients.call("apigateway", "get_stages", api_id, restApiId=api_id).get("item", []))
    return found


def read_keys(clients: Clients, function: str, owner: Owner) -> FoundKeys:
    """The usage plans and API keys tagged for ``owner``; keys are listed without their values."""
    found = FoundKeys()
    found.plans = [p for page in clients.pages("apigateway", "get_usage_plans", "usage plans", limit=500)
                   for p in page.get("items", []) if owner.owns(p.get("tags"))]
    for page in clients.pages("apigateway", "get_api_keys", "API keys", nameQuery=f"{function}-",
                              includeValues=False, limit=500):
        for key in page.get("items", []):
            if owner.owns(key.get("tags")):
                found.keys[str(key.get("name"))] = {k: v for k, v in key.items() if k != "value"}
    for plan in found.plans:
        pages = clients.pages("apigateway", "get_usage_plan_keys", plan["id"], usagePlanId=plan["id"], limit=500)
        found.members[plan["id"]] = {str(k["id"]) for page in pages for k in page.get("items", [])}
    return found


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


def read_machine(clients: Clients, arn: str, owner: Owner) -> dict[str, Any] | None:
    name = arn.rsplit(":", 1)[-1]
    try:
        machine = clients.call("stepfunctions", "describe_state_machine", name, stateMachineArn=arn)
    except AwsError as exc:
        if exc.code in _NO_MACHINE:
            return None
        raise
    tags = clients.call("stepfunctions", "list_tags_for_resource", name, resourceArn=arn).get("tags", [])
    if not owner.owns({t["key"]: t["value"] for t in tags}):
        raise owner.refuse("state machine", name)
    return dict(machine)


def read_rules(clients: Clients, prefix: str, owner: Owner) -> dict[str, dict[str, Any]]:
    """The EventBridge rules named from ``prefix`` that Coworks made for ``owner``, with their targets."""
    found = {}
    for page in clients.pages("events", "list_rules", prefix, NamePrefix=prefix):
        for rule in page.get("Rules", []):
            tags = clients.call("events", "list_tags_for_resource", rule["Name"], ResourceARN=rule["Arn"])
            if owner.owns({t["Key"]: t["Value"] for t in tags.get("Tags", [])}):
                targets = [t for p in clients.pages("events", "list_targets_by_rule", rule["Name"], Rule=rule["Name"])
                           for t in p.get("Targets", [])]
                found[rule["Name"]] = {**rule, "Targets": targets}
    return found


def read_pipes(clients: Clients, prefix: str, owner: Owner) -> dict[str, dict[str, Any]]:
    """The EventBridge Pipes named from ``prefix`` that Coworks made for ``owner``."""
    found = {}
    for page in clients.pages("pipes", "list_pipes", prefix, NamePrefix=prefix):
        for pipe in page.get("Pipes", []):
            described = clients.call("pipes", "describe_pipe", pipe["Name"], Name=pipe["Name"])
            if owner.owns(described.get("Tags")):
                found[pipe["Name"]] = {k: v for k, v in described.items() if k != "ResponseMetadata"}
    return found


def read_queues(clients: Clients, prefix: str, owner: Owner) -> dict[str, FoundQueue]:
    """The SQS queues named from ``prefix`` that Coworks made for ``owner`` (an SNS trigger's)."""
    found = {}
    for page in clients.pages("sqs", "list_queues", prefix, QueueNamePrefix=prefix):
        for url in page.get("QueueUrls", []):
            name = url.rsplit("/", 1)[-1]
            if owner.owns(clients.call("sqs", "list_queue_tags", name, QueueUrl=url).get("Tags")):
                attributes = clients.call("sqs", "get_queue_attributes", name, QueueUrl=url,
                                          AttributeNames=["QueueArn", "Policy"]).get("Attributes", {})
                found[name] = FoundQueue(url, attributes.get("QueueArn", ""), attributes)
    return found


def read_subscriptions(clients: Clients, endpoints: set[str]) -> list[dict[str, Any]]:
    """The SNS subscriptions that deliver to one of ``endpoints`` (queue ARNs)."""
    return [s for page in clients.pages("sns", "list_subscriptions", "SNS subscriptions")
            for s in page.get("Subscriptions", []) if s.get("Endpoint") in endpoints]


def missing_functions(clients: Clients, functions: tuple[str, ...]) -> list[str]:
    """The qualified function ARNs (``...:function:name:stage``) a workflow calls that are not deployed."""
    missing = []
    for arn in functions:
        name, _, qualifier = arn.split(":function:", 1)[-1].partition(":")
        if qualifier and not qualifier.isdigit() and qualifier != "$LATEST":
            found = clients.find("lambda", "get_alias", f"{name}:{qualifier}", FunctionName=name, Name=qualifier)
        else:
            found = clients.find("lambda", "get_function", name, FunctionName=arn)
        if found is None:
            missing.append(f"{name}:{qualifier}" if qualifier else name)
    return missing
