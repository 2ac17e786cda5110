"""Whose resources these are, and what they are called: the owner (a service or a workflow at a
stage), its tags, and the names that follow from it.

There is no state file: a deploy from another machine finds the same resources because every
name is derived from the owner, and every taggable resource carries the owner's tags. A resource
found by name without them is never taken over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..errors import ConfigurationError

TAG_SERVICE, TAG_STAGE, TAG_MANAGED = "coworks:service", "coworks:stage", "coworks:managed"
#: "service" or "workflow": a workflow and a service may share a name and a stage, and neither
#: may then take the other's resources (say, EventBridge rules) for its own.
TAG_KIND = "coworks:kind"
SERVICE, WORKFLOW = "service", "workflow"
ROLE_PATH = "/coworks/"
#: The name of the one inline policy Coworks puts on each of its roles.
POLICY_NAME = "coworks"


def tags_for(name: str, stage: str, kind: str = SERVICE) -> dict[str, str]:
    return {TAG_SERVICE: name, TAG_STAGE: stage, TAG_MANAGED: "true", TAG_KIND: kind}


def is_ours(tags: dict[str, str] | None, name: str, stage: str, kind: str = SERVICE) -> bool:
    tags = tags or {}
    return (tags.get(TAG_MANAGED) == "true" and tags.get(TAG_SERVICE) == name and tags.get(TAG_STAGE) == stage
            and tags.get(TAG_KIND, SERVICE) == kind)


@dataclass(frozen=True)
class Owner:
    """A service or a workflow at a stage: what the tags say, and the names derived from it."""

    name: str
    stage: str
    kind: str = SERVICE

    @property
    def tags(self) -> dict[str, str]:
        return tags_for(self.name, self.stage, self.kind)

    def owns(self, tags: dict[str, str] | None) -> bool:
        return is_ours(tags, self.name, self.stage, self.kind)

    @property
    def resource_name(self) -> str:
        """``inventory-dev``: the function of a service, the state machine of a workflow."""
        if self.kind == WORKFLOW:
            return machine_name(self.name, self.stage)
        return function_name(self.name, self.stage)

    @property
    def described(self) -> str:
        """How descriptions and messages name the owner: ``inventory (dev)``, ``the workflow orders (dev)``."""
        return f"{'the workflow ' if self.kind == WORKFLOW else ''}{self.name} ({self.stage})"

    def refuse(self, what: str, name: str) -> ConfigurationError:
        """The error for a resource of our name that Coworks did not make for this owner."""
        return ConfigurationError(
            f"The {what} {name} exists but is not managed by Coworks for {self.described}: "
            f"rename the {self.kind} or stage, or delete that {what}.",
            resource=name,
        )


def check_stage(stage: str) -> str:
    if not stage.isidentifier() or not stage.isascii():
        raise ConfigurationError(f"Stage {stage!r} must be a plain word like 'dev' or 'prod'.", resource=stage)
    return stage


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


def function_name(service: str, stage: str) -> str:
    return stage_name(service, stage, "a Lambda function", SERVICE, 59)


def machine_name(workflow: str, stage: str) -> str:
    return stage_name(workflow, stage, "a state machine", WORKFLOW, 56)


def role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role{ROLE_PATH}{name}"


def trust_policy(service: str) -> str:
    """The assume-role policy letting an AWS service (``lambda``, ``states``, ``events``) use a role."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }, sort_keys=True)


def policy(statements: list[dict[str, object]]) -> str:
    """An IAM policy document as canonical JSON (compared as text with what AWS holds)."""
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


@dataclass(frozen=True)
class Names:
    """Where the reader looks for an owner's resources, known before anything is read."""

    owner: Owner
    roles: tuple[str, ...]
    log_group: str
    rule_prefix: str
    function: str | None = None  # a service's function
    machine_arn: str | None = None  # a workflow's state machine

    @classmethod
    def of(cls, owner: Owner, *, region: str = "", account: str = "") -> Names:
        name = owner.resource_name
        if owner.kind == WORKFLOW:
            return cls(owner, (f"{name}-states", f"{name}-events", f"{name}-pipes"), f"/aws/vendedlogs/states/{name}",
                       f"{name}-", machine_arn=f"arn:aws:states:{region}:{account}:stateMachine:{name}")
        # A service's schedule rules are named by the runtime's rule_name(function, schedule), which
        # cuts long names: look them up by a prefix every such name keeps, and by their tags.
        return cls(owner, (f"{name}-role",), f"/aws/lambda/{name}", name[:16], function=name)
