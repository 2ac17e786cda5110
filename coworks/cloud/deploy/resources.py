"""The kinds of AWS resource a deploy manages, as frozen data: what should exist.

Services and workflows are built from the same kinds (a role, a log group, EventBridge rules);
a service adds a function and its HTTP API, a workflow a state machine. The pieces AWS cannot
tag (routes, integrations, authorizers, versions, aliases, permissions) live inside a tagged
parent and go with it. Each kind names itself (``kind``): the plan shows it, the executor picks
its handler by it.
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
            | Permission | Rule | StateMachine | BucketEvents | Queue | Subscription | Pipe)
