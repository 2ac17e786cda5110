"""The kinds of AWS resource a deploy manages, as frozen data: what should exist.

Services and workflows are built from the same kinds (a role, a log group, EventBridge rules);
a service adds a function and its HTTP API, a workflow a state machine. The pieces AWS cannot
tag (routes, integrations, authorizers, versions, aliases, permissions) live inside a tagged
parent and go with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .names import ROLE_PATH, trust_policy

LAMBDA_TRUST = trust_policy("lambda")


@dataclass(frozen=True)
class Role:
    name: str
    arn: str
    policy: str  # canonical JSON: compared as text
    trust: str = LAMBDA_TRUST
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
    description: str = ""

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
class Version:
    """A version published from the function's code (``CodeSha256`` checked by Lambda)."""

    function: str
    code_sha256: str


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
    """Who may invoke the function's stage alias: ``source_arn``'s ``{api_id}`` is filled in once
    the API exists."""

    sid: str
    principal: str
    source_arn: str
    function: str
    qualifier: str


@dataclass(frozen=True)
class Rule:
    """An EventBridge rule and its one target: a schedule or an event pattern (canonical JSON);
    ``role_arn`` and ``input`` as the target needs them (a state machine needs a role)."""

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
    name: str
    arn: str
    definition: str  # the ASL as JSON text, function names resolved
    role_arn: str
    logging: dict[str, Any]

    def settings(self) -> dict[str, Any]:
        """The update_state_machine parameters, also what is compared with AWS."""
        return {"definition": self.definition, "roleArn": self.role_arn, "loggingConfiguration": self.logging}


#: Every kind a plan's action may carry as the resource it brings about.
Resource = (Role | LogGroup | Function | Version | Alias | Api | Integration | Authorizer | Route | ApiStage
            | Permission | Rule | StateMachine)
