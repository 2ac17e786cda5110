"""What AWS holds now for a workflow and stage, read with describe/list calls and tags.

Like a service's state (``state.py``): names follow from workflow and stage, and anything found
by name that does not carry the workflow's tags stops the deploy rather than be taken over.
The functions the Tasks call are checked too, so a workflow is never deployed in front of a
service that is not there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigurationError
from .models import is_ours
from .state import read_role, read_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..clients import Clients

_MISSING = ("StateMachineDoesNotExist", "ResourceNotFoundException", "NoSuchEntity")


@dataclass
class WorkflowCurrent:
    """The remote state of one workflow at one stage (raw AWS dicts)."""

    workflow: str
    stage: str
    machine_name: str
    machine_arn: str
    role: dict[str, Any] | None = None
    role_policies: dict[str, str] = field(default_factory=dict)
    events_role: dict[str, Any] | None = None
    events_role_policies: dict[str, str] = field(default_factory=dict)
    log_group: dict[str, Any] | None = None
    machine: dict[str, Any] | None = None  # DescribeStateMachine
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> rule + Targets

    @property
    def exists(self) -> bool:
        return any((self.role, self.events_role, self.log_group, self.machine, self.rules))


def read_workflow_state(clients: Clients, workflow: str, stage: str, machine_name: str,
                        machine_arn: str) -> WorkflowCurrent:
    """Read everything Coworks manages for ``workflow`` at ``stage``."""
    current = WorkflowCurrent(workflow, stage, machine_name, machine_arn)
    current.role, current.role_policies = _read_role(clients, f"{machine_name}-states", current)
    current.events_role, current.events_role_policies = _read_role(clients, f"{machine_name}-events", current)
    _read_log_group(clients, current)
    _read_machine(clients, current)
    _read_rules(clients, current)
    return current


def missing_functions(clients: Clients, functions: tuple[str, ...]) -> list[str]:
    """The qualified function ARNs (``...:function:name:stage``) that are not deployed."""
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


def _refuse(kind: str, name: str, current: WorkflowCurrent) -> ConfigurationError:
    return ConfigurationError(
        f"The {kind} {name} exists but is not managed by Coworks for the workflow {current.workflow} "
        f"({current.stage}): rename the workflow or stage, or delete that {kind}.",
        resource=name,
    )


def _read_role(clients: Clients, name: str, current: WorkflowCurrent) -> tuple[dict[str, Any] | None, dict[str, str]]:
    return read_role(clients, name, current.workflow, current.stage, "workflow",
                     lambda: _refuse("IAM role", name, current))


def _read_log_group(clients: Clients, current: WorkflowCurrent) -> None:
    name = f"/aws/vendedlogs/states/{current.machine_name}"
    groups = clients.call("logs", "describe_log_groups", name, logGroupNamePrefix=name).get("logGroups", [])
    group = next((g for g in groups if g["logGroupName"] == name), None)
    if group is None:
        return
    tags = clients.call("logs", "list_tags_log_group", name, logGroupName=name).get("tags", {})
    if not is_ours(tags, current.workflow, current.stage, "workflow"):
        raise _refuse("log group", name, current)
    current.log_group = group


def _read_machine(clients: Clients, current: WorkflowCurrent) -> None:
    from ..errors import AwsError

    name, arn = current.machine_name, current.machine_arn
    try:
        machine = clients.call("stepfunctions", "describe_state_machine", name, stateMachineArn=arn)
    except AwsError as exc:
        if exc.code in _MISSING:
            return
        raise
    tags = clients.call("stepfunctions", "list_tags_for_resource", name, resourceArn=arn).get("tags", [])
    if not is_ours({t["key"]: t["value"] for t in tags}, current.workflow, current.stage, "workflow"):
        raise _refuse("state machine", name, current)
    current.machine = machine


def _read_rules(clients: Clients, current: WorkflowCurrent) -> None:
    current.rules.update(read_rules(clients, current.machine_name + "-", current.workflow, current.stage, "workflow"))


def same_json(left: Any, right: Any) -> bool:
    """Whether two JSON texts (or values) hold the same data, whatever their spacing or key order."""
    def load(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    try:
        return bool(load(left) == load(right))
    except ValueError:
        return False
