"""The kinds of AWS resource a deploy manages, as frozen data: what should exist.

Services and workflows are built from the same kinds (a role, a log group, EventBridge rules);
a service adds a function and its HTTP API or REST API, a workflow a state machine. The pieces AWS
cannot tag (routes, integrations, authorizers, a REST API's resources, methods and deployments,
versions, aliases, permissions) live inside a tagged parent and go with it. Each kind names itself
(``kind``): the plan shows it, the executor picks its handler by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .names import ROLE_PATH, trust_policy

LAMBDA_TRUST = trust_policy("lambda")


@dataclass(frozen=True)
class Role:
    """An IAM role with Coworks' one inline policy; the trust says which AWS service may use it."""

    kind: ClassVar[str] = "iam role"
    name: str
    arn: str
    policy: str  # canonical JSON: compared as text
    trust: str = LAMBDA_TRUST
    path: str = ROLE_PATH


@dataclass(frozen=True)
class LogGroup:
    """Where Lambda or Step Functions write the owner's logs, kept ``retention`` days."""

    kind: ClassVar[str] = "log group"
    name: str
    retention: int


@dataclass(frozen=True)
class Function:
    """A service's Lambda function: its $LATEST configuration and code."""

    kind: ClassVar[str] = "lambda function"
    #: The kind of a version published from it (``CodeSha256`` checked by Lambda).
    version_kind: ClassVar[str] = "version"
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
    description: str = ""
    ephemeral_storage: int = 512  # MB of /tmp
    layers: tuple[str, ...] = ()  # layer version ARNs, in order (a later one overrides an earlier)
    subnets: tuple[str, ...] = ()  # the VPC, when both are given
    security_groups: tuple[str, ...] = ()
    tracing: str = "PassThrough"
    #: Not part of a version: set on the function with put_function_concurrency.
    reserved_concurrency: int | None = None

    def configuration(self) -> dict[str, object]:
        """The update_function_configuration parameters, also what is compared with AWS. An empty
        VpcConfig takes the function out of a VPC."""
        return {
            "Role": self.role_arn,
            "Handler": self.handler,
            "Runtime": self.runtime,
            "MemorySize": self.memory,
            "Timeout": self.timeout,
            "Environment": {"Variables": dict(self.environment)},
            "EphemeralStorage": {"Size": self.ephemeral_storage},
            "Layers": list(self.layers),
            "VpcConfig": {"SubnetIds": list(self.subnets), "SecurityGroupIds": list(self.security_groups)},
            "TracingConfig": {"Mode": self.tracing},
        }


@dataclass(frozen=True)
class Alias:
    """The stage alias (``inventory-dev:dev``) that API, rules and permissions point at."""

    kind: ClassVar[str] = "alias"
    function: str
    name: str  # the stage
    arn: str


@dataclass(frozen=True)
class Api:
    """The service's HTTP API, found again by its tags."""

    kind: ClassVar[str] = "http api"
    name: str


@dataclass(frozen=True)
class Integration:
    """The API's one Lambda proxy integration (payload 2.0) to the stage alias."""

    kind: ClassVar[str] = "integration"
    uri: str  # the alias ARN

    def settings(self) -> dict[str, str]:
        """The create_integration parameters."""
        return {"IntegrationType": "AWS_PROXY", "IntegrationUri": self.uri, "PayloadFormatVersion": "2.0",
                "IntegrationMethod": "POST"}

    def is_like(self, found: dict[str, Any]) -> bool:
        """Whether an integration AWS holds is this one (AWS may not echo the method)."""
        return all(found.get(k) == v for k, v in self.settings().items() if k != "IntegrationMethod")


@dataclass(frozen=True)
class Authorizer:
    """The Lambda REQUEST authorizer the service's ``auth`` method answers."""

    kind: ClassVar[str] = "authorizer"
    name: str
    uri: str
    #: Where the token is (the service's ``identity_sources``, in the HTTP API's spelling).
    identity_source: tuple[str, ...] = ("$request.header.Authorization",)

    def settings(self) -> dict[str, Any]:
        """The create_authorizer parameters. No result cache: ``auth`` may allow a token some routes
        only, and the cache is per token."""
        return {"AuthorizerType": "REQUEST", "Name": self.name, "AuthorizerUri": self.uri,
                "AuthorizerPayloadFormatVersion": "2.0", "EnableSimpleResponses": True,
                "IdentitySource": list(self.identity_source), "AuthorizerResultTtlInSeconds": 0}

    def is_like(self, found: dict[str, Any]) -> bool:
        keys = ("AuthorizerType", "Name", "AuthorizerUri", "IdentitySource")
        return all(found.get(k) == self.settings()[k] for k in keys) and bool(found.get("EnableSimpleResponses"))


@dataclass(frozen=True)
class Route:
    """One route key of the API; ``auth`` when it goes through the authorizer."""

    kind: ClassVar[str] = "route"
    key: str  # "GET /item/{item_id}"
    auth: bool

    def settings(self, integration_id: str, authorizer_id: str | None) -> dict[str, str]:
        """The create_route/update_route parameters, also what an existing route is compared on."""
        params = {"Target": f"integrations/{integration_id}", "AuthorizationType": "CUSTOM" if self.auth else "NONE"}
        if self.auth and authorizer_id:
            params["AuthorizerId"] = authorizer_id
        return params


@dataclass(frozen=True)
class ApiStage:
    """The API stage named like the deploy's stage, deployed automatically."""

    kind: ClassVar[str] = "api stage"
    name: str

    def settings(self) -> dict[str, Any]:
        """The create_stage/update_stage parameters: changes reach the stage without a deployment."""
        return {"StageName": self.name, "AutoDeploy": True}


@dataclass(frozen=True)
class Permission:
    """Who may invoke the function's stage alias: ``source_arn``'s ``{api_id}`` is filled in once
    the API exists."""

    kind: ClassVar[str] = "permission"
    sid: str
    principal: str
    source_arn: str
    function: str
    qualifier: str


@dataclass(frozen=True)
class RestApi:
    """The service's REST API, found again by its tags. Every body passes as binary (``*/*``), so an
    upload reaches the function as it was sent and a base64 answer leaves as bytes, as through an
    HTTP API; keys are read from the ``x-api-key`` header."""

    kind: ClassVar[str] = "rest api"
    name: str
    description: str
    binary_media_types: tuple[str, ...] = ("*/*",)
    endpoint: str = "REGIONAL"

    def settings(self) -> dict[str, Any]:
        """The create_rest_api parameters."""
        return {"name": self.name, "description": self.description, "binaryMediaTypes": list(self.binary_media_types),
                "endpointConfiguration": {"types": [self.endpoint]}, "apiKeySource": "HEADER"}

    def differences(self, found: dict[str, Any]) -> list[str]:
        """What differs from the REST API AWS holds, as the plan names it."""
        changes = []
        if sorted(found.get("binaryMediaTypes") or []) != sorted(self.binary_media_types):
            changes.append("binary media types")
        if list((found.get("endpointConfiguration") or {}).get("types") or ["EDGE"]) != [self.endpoint]:
            changes.append("endpoint")
        if (found.get("apiKeySource") or "HEADER") != "HEADER":
            changes.append("api key source")
        return changes


@dataclass(frozen=True)
class RestResource:
    """One path of the REST API's resource tree (``/item/{item_id}``); the root ``/`` comes with the API."""

    kind: ClassVar[str] = "rest resource"
    path: str

    @property
    def parent(self) -> str:
        return self.path.rsplit("/", 1)[0] or "/"

    @property
    def part(self) -> str:
        return self.path.rsplit("/", 1)[1]


@dataclass(frozen=True)
class RestMethod:
    """A route as a REST API method: a Lambda proxy integration (payload 1.0) to the stage alias,
    through the authorizer when ``auth``, with an API key when ``key``."""

    kind: ClassVar[str] = "rest method"
    method: str
    path: str
    uri: str  # the alias's invocation URI
    auth: bool = False
    key: bool = False

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    def settings(self, authorizer_id: str | None) -> dict[str, Any]:
        """The put_method parameters (beside the API, resource and verb)."""
        params: dict[str, Any] = {"authorizationType": "CUSTOM" if self.auth else "NONE",
                                  "apiKeyRequired": self.key}
        if self.auth and authorizer_id:
            params["authorizerId"] = authorizer_id
        return params

    def integration(self) -> dict[str, str]:
        """The put_integration parameters: Lambda is always invoked with a POST."""
        return {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": self.uri}

    def differences(self, found: dict[str, Any], authorizer_id: str | None) -> list[str]:
        """What differs from the method AWS holds (with its ``methodIntegration``)."""
        changes = []
        wanted = self.settings(authorizer_id)
        if (found.get("authorizationType") or "NONE") != wanted["authorizationType"] or (
                self.auth and (not authorizer_id or found.get("authorizerId") != authorizer_id)):
            changes.append("authorization")
        if bool(found.get("apiKeyRequired")) != self.key:
            changes.append("api key")
        integration = found.get("methodIntegration") or {}
        if (integration.get("type"), integration.get("uri"), integration.get("httpMethod")) != (
                "AWS_PROXY", self.uri, "POST"):
            changes.append("integration")
        return changes


@dataclass(frozen=True)
class RestAuthorizer:
    """The REST API's Lambda authorizer the service's ``auth`` answers: TOKEN when the token is one
    header (the default ``Authorization``), REQUEST for any other ``identity_sources``."""

    kind: ClassVar[str] = "rest authorizer"
    name: str
    uri: str
    type: str  # TOKEN or REQUEST
    identity_source: tuple[str, ...] = ("method.request.header.Authorization",)

    def settings(self) -> dict[str, Any]:
        """The create_authorizer parameters. No result cache: ``auth`` may allow a token some routes
        only, and a cached policy would answer for every route."""
        return {"name": self.name, "type": self.type, "authorizerUri": self.uri,
                "identitySource": ", ".join(self.identity_source), "authorizerResultTtlInSeconds": 0}

    def is_like(self, found: dict[str, Any]) -> bool:
        sources = tuple(s.strip() for s in str(found.get("identitySource") or "").split(",") if s.strip())
        return (found.get("name"), found.get("type"), found.get("authorizerUri"), sources,
                int(found.get("authorizerResultTtlInSeconds") or 0)) == (
            self.name, self.type, self.uri, self.identity_source, 0)


@dataclass(frozen=True)
class RestDeployment:
    """A snapshot of the REST API that the stage serves. ``fingerprint`` digests what the snapshot
    holds (resources, methods, integrations, authorizer); the deployment's description carries it,
    so the next plan knows from AWS whether the stage serves the API as declared."""

    kind: ClassVar[str] = "rest deployment"
    fingerprint: str
    description: str

    @property
    def name(self) -> str:
        return f"configuration {self.fingerprint[:12]}"


@dataclass(frozen=True)
class RestStage:
    """The REST API's stage named like the deploy's stage, serving the latest deployment; X-Ray
    traces requests when the function's tracing is Active."""

    kind: ClassVar[str] = "rest stage"
    name: str
    tracing: bool = False


@dataclass(frozen=True)
class UsagePlan:
    """The usage plan that lets the service's API keys call its stage, each key throttled (a token
    bucket: ``rate`` per second, ``burst`` at once) and counted against a ``quota`` a ``period``."""

    kind: ClassVar[str] = "usage plan"
    name: str
    stage: str
    rate: float | None = None
    burst: int | None = None
    quota: int | None = None
    period: str | None = None

    def throttle(self) -> dict[str, Any] | None:
        return None if self.rate is None else {"rateLimit": self.rate, "burstLimit": self.burst}

    def quota_settings(self) -> dict[str, Any] | None:
        return None if self.quota is None else {"limit": self.quota, "period": self.period, "offset": 0}

    def shown(self) -> str:
        """The limits as the plan shows them (``10 req/s, burst 20, 10000 a month``)."""
        parts = []
        if self.rate is not None:
            parts.append(f"{self.rate:g} req/s, burst {self.burst}")
        if self.quota is not None:
            parts.append(f"{self.quota} a {str(self.period).lower()}")
        return ", ".join(parts) or "no limits"

    def differences(self, found: dict[str, Any], api_id: str | None) -> list[str]:
        changes = []
        throttle = found.get("throttle") or {}
        held = None if not throttle else (float(throttle.get("rateLimit") or 0), int(throttle.get("burstLimit") or 0))
        if held != (None if self.rate is None else (self.rate, self.burst)):
            changes.append("throttle")
        quota = found.get("quota") or {}
        if (None if not quota else (int(quota.get("limit") or 0), quota.get("period"))) != (
                None if self.quota is None else (self.quota, self.period)):
            changes.append("quota")
        stages = [(s.get("apiId"), s.get("stage")) for s in found.get("apiStages") or []]
        if api_id is None or stages != [(api_id, self.stage)]:
            changes.append("api stage")
        return changes


@dataclass(frozen=True)
class ApiKey:
    """One of the service's API keys (``inventory-dev-partner-a``), in its usage plan. API Gateway
    makes its value; no plan, log or export ever shows it (``cloud.api_key`` reads it)."""

    kind: ClassVar[str] = "api key"
    name: str
    label: str  # as declared: "partner-a"


@dataclass(frozen=True)
class Rule:
    """An EventBridge rule and its one target: a schedule or an event pattern (canonical JSON);
    ``role_arn`` and ``input`` as the target needs them (a state machine needs a role)."""

    kind: ClassVar[str] = "eventbridge rule"
    name: str
    arn: str
    target: str
    schedule: str | None = None
    pattern: str | None = None
    input: str | None = None
    role_arn: str | None = None
    description: str = ""

    def target_spec(self) -> dict[str, str]:
        """The put_targets entry, also what is compared with AWS."""
        spec = {"Id": "coworks", "Arn": self.target}
        if self.role_arn is not None:
            spec["RoleArn"] = self.role_arn
        if self.input is not None:
            spec["Input"] = self.input
        return spec


@dataclass(frozen=True)
class StateMachine:
    """A workflow's Step Functions state machine."""

    kind: ClassVar[str] = "state machine"
    name: str
    arn: str
    definition: str  # the ASL as JSON text, function names resolved
    role_arn: str
    logging: dict[str, Any]
    type: str = "STANDARD"  # or EXPRESS (set at creation: AWS cannot change it)

    def settings(self) -> dict[str, Any]:
        """The update_state_machine parameters, also what is compared with AWS."""
        return {"definition": self.definition, "roleArn": self.role_arn, "loggingConfiguration": self.logging}


@dataclass(frozen=True)
class BucketEvents:
    """An S3 bucket's EventBridge notifications, turned on so its object events reach the rules.
    The setting is the bucket's, shared by whoever uses it: a deploy turns it on, a destroy leaves it."""

    kind: ClassVar[str] = "s3 eventbridge"
    bucket: str


@dataclass(frozen=True)
class Queue:
    """An SQS queue of a workflow's own, that an SNS topic it listens to may send to."""

    kind: ClassVar[str] = "sqs queue"
    name: str
    arn: str
    policy: str  # canonical JSON

    def attributes(self) -> dict[str, str]:
        """The create_queue/set_queue_attributes attributes, also what is compared with AWS."""
        return {"Policy": self.policy}


@dataclass(frozen=True)
class Subscription:
    """The SNS topic's subscription that delivers its messages to a workflow's queue."""

    kind: ClassVar[str] = "sns subscription"
    topic: str
    queue_arn: str


@dataclass(frozen=True)
class Pipe:
    """An EventBridge Pipe from an SQS queue to the state machine: each message starts an
    execution (a batch of one, fire and forget, as Standard workflows are started)."""

    kind: ClassVar[str] = "eventbridge pipe"
    name: str
    source: str  # the queue ARN
    target: str  # the state machine ARN
    role_arn: str

    def settings(self) -> dict[str, Any]:
        """The create_pipe/update_pipe parameters, also what is compared with AWS."""
        return {"Source": self.source, "Target": self.target, "RoleArn": self.role_arn, "DesiredState": "RUNNING",
                "SourceParameters": {"SqsQueueParameters": {"BatchSize": 1}},
                "TargetParameters": {"StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}}}


#: Every kind a plan's action may carry as the resource it brings about.
Resource = (Role | LogGroup | Function | Alias | Api | Integration | Authorizer | Route | ApiStage
            | RestApi | RestResource | RestMethod | RestAuthorizer | RestDeployment | RestStage | UsagePlan | ApiKey
            | Permission | Rule | StateMachine | BucketEvents | Queue | Subscription | Pipe)
