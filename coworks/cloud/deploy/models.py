"""The resources of one service at one stage, as frozen data: what a deploy should leave in AWS.

Built from a ``Package`` (code, handler, declarations), the stage's environment and where it
goes (account, region). Names are derived from service and stage, so a deploy from another
machine finds the same resources; every taggable resource carries the three Coworks tags, and
the pieces that AWS cannot tag (routes, integrations, authorizers, versions, aliases,
permissions) live inside a tagged parent and go with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ...runtime.schedules import rule_name
from ..errors import ConfigurationError
from ..packaging.settings import secret_action

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..packaging.package import Package

TAG_SERVICE, TAG_STAGE, TAG_MANAGED = "coworks:service", "coworks:stage", "coworks:managed"
#: "service" or "workflow": a workflow and a service may share a name and a stage, and neither
#: may then take the other's resources (say, EventBridge rules) for its own.
TAG_KIND = "coworks:kind"
ROLE_PATH = "/coworks/"
API_PERMISSION = "coworks-api"
TRUST_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}, sort_keys=True)


def tags_for(service: str, stage: str, kind: str = "service") -> dict[str, str]:
    return {TAG_SERVICE: service, TAG_STAGE: stage, TAG_MANAGED: "true", TAG_KIND: kind}


def is_ours(tags: dict[str, str] | None, service: str, stage: str, kind: str = "service") -> bool:
    tags = tags or {}
    return (tags.get(TAG_MANAGED) == "true" and tags.get(TAG_SERVICE) == service and tags.get(TAG_STAGE) == stage
            and tags.get(TAG_KIND, "service") == kind)


@dataclass(frozen=True)
class Role:
    name: str
    arn: str
    policy: str  # canonical JSON: compared as text
    trust: str = TRUST_POLICY
    path: str = ROLE_PATH


@dataclass(frozen=True)
class LogGroup:
    name: str
    retention: int


@dataclass(frozen=True)
class Function:
    name: str
    arn: str
    role_arn: str
    handler: str
    runtime: str
    memory: int
    timeout: int
    architecture: str
    environment: tuple[tuple[str, str], ...] = field(repr=False)
    code_sha256: str
    code: bytes = field(repr=False, compare=False)

    def configuration(self) -> dict[str, object]:
        """The update_function_configuration parameters, also what is compared with AWS."""
        return {
            "Role": self.role_arn,
            "Handler": self.handler,
            "Runtime": self.runtime,
            "MemorySize": self.memory,
            "Timeout": self.timeout,
            "Environment": {"Variables": dict(self.environment)},
        }


@dataclass(frozen=True)
class Alias:
    function: str
    name: str  # the stage
    arn: str


@dataclass(frozen=True)
class Api:
    name: str


@dataclass(frozen=True)
class Integration:
    uri: str  # the alias ARN


@dataclass(frozen=True)
class Authorizer:
    name: str
    uri: str


@dataclass(frozen=True)
class Route:
    key: str  # "GET /item/{item_id}"
    auth: bool


@dataclass(frozen=True)
class ApiStage:
    name: str


@dataclass(frozen=True)
class Permission:
    sid: str
    principal: str
    source_arn: str  # "{api_id}" is filled in once the API exists


@dataclass(frozen=True)
class Rule:
    name: str
    arn: str
    expression: str
    target: str  # the alias ARN
    description: str = ""


@dataclass(frozen=True)
class ServiceModel:
    """Everything one service at one stage should have in AWS."""

    service: str
    stage: str
    region: str
    account: str
    role: Role
    log_group: LogGroup
    function: Function
    alias: Alias
    api: Api
    integration: Integration
    authorizer: Authorizer | None
    routes: tuple[Route, ...]
    api_stage: ApiStage
    permissions: tuple[Permission, ...]
    rules: tuple[Rule, ...]

    @property
    def tags(self) -> dict[str, str]:
        return tags_for(self.service, self.stage)


def function_name(service: str, stage: str) -> str:
    return stage_name(service, stage, "a Lambda function", "service", 59)


def stage_name(owner: str, stage: str, what: str, kind: str, limit: int) -> str:
    """``<owner>-<stage>``, refused in one sentence when AWS would refuse it as a name."""
    name = f"{owner}-{stage}"
    if len(name) > limit or not name.replace("-", "").replace("_", "").isalnum():
        raise ConfigurationError(
            f"{name!r} cannot name {what}: keep {kind} and stage to letters, digits and '-' "
            f"({limit} characters together).",
            resource=name,
        )
    return name


def build_model(
    package: Package, stage: str, environment: dict[str, str], *, account: str, region: str
) -> ServiceModel:
    """The desired resources of ``package`` deployed at ``stage`` in ``account``/``region``."""
    if not stage.isidentifier() or not stage.isascii():
        raise ConfigurationError(f"Stage {stage!r} must be a plain word like 'dev' or 'prod'.", resource=stage)
    service = package.name
    declared = package.declarations
    name = function_name(service, stage)
    function_arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    alias_arn = f"{function_arn}:{stage}"
    log_group = f"/aws/lambda/{name}"
    role_name = f"{name}-role"
    statements: list[dict[str, object]] = [{
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [f"arn:aws:logs:{region}:{account}:log-group:{log_group}:*"],
    }]
    for actions, resources in declared.permissions:
        statements.append({"Effect": "Allow", "Action": list(actions), "Resource": list(resources)})
    for value in sorted(set(environment.values())):
        action = secret_action(value)
        if action:
            statements.append({"Effect": "Allow", "Action": [action], "Resource": [value]})
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)
    app = package.service
    rules = tuple(
        Rule(rule, f"arn:aws:events:{region}:{account}:rule/{rule}", s.expression, alias_arn, s.description[:512])
        for s in app.schedules
        for rule in [rule_name(name, s.name)]
    )
    permissions = (
        Permission(API_PERMISSION, "apigateway.amazonaws.com", f"arn:aws:execute-api:{region}:{account}:{{api_id}}/*"),
        *(Permission(f"coworks-rule-{r.name}"[:100], "events.amazonaws.com", r.arn) for r in rules),
    )
    has_auth = bool(getattr(app, "has_auth", False))
    authorizer_uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{alias_arn}/invocations"
    return ServiceModel(
        service=service,
        stage=stage,
        region=region,
        account=account,
        role=Role(role_name, f"arn:aws:iam::{account}:role{ROLE_PATH}{role_name}", policy),
        log_group=LogGroup(log_group, declared.log_retention),
        function=Function(
            name=name,
            arn=function_arn,
            role_arn=f"arn:aws:iam::{account}:role{ROLE_PATH}{role_name}",
            handler=package.handler,
            runtime=declared.runtime,
            memory=declared.memory,
            timeout=declared.timeout,
            architecture=declared.architecture,
            environment=tuple(sorted(environment.items())),
            code_sha256=package.code_sha256,
            code=package.data,
        ),
        alias=Alias(name, stage, alias_arn),
        api=Api(name),
        integration=Integration(alias_arn),
        authorizer=Authorizer(f"{service}-auth", authorizer_uri) if has_auth else None,
        routes=tuple(sorted(
            {Route(r.key, has_auth and not r.no_auth) for r in app.routes}, key=lambda r: r.key
        )),
        api_stage=ApiStage(stage),
        permissions=permissions,
        rules=rules,
    )
