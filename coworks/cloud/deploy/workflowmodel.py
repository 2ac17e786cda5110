"""The resources of one workflow at one stage, as frozen data: what a workflow deploy leaves in AWS.

A workflow becomes a Step Functions state machine named ``<workflow>-<stage>`` whose Tasks call
the deployed services' stage aliases (``inventory`` -> ``inventory-dev:dev``), with its own role
allowed to invoke exactly those functions and to deliver its logs, a log group, and one
EventBridge rule per trigger (plus a role EventBridge assumes to start executions). Every
taggable resource carries the three Coworks tags, the workflow's name as ``coworks:service``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...runtime.schedules import check_expression
from ..errors import ConfigurationError
from .models import ROLE_PATH, LogGroup, Role, stage_name, tags_for

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
# CloudWatch Logs delivery for Step Functions is configured through these account-level calls,
# which AWS only accepts on Resource "*" (see "Logging using CloudWatch Logs" in the SFN guide).
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
)


def trust_policy(service: str) -> str:
    """The assume-role policy letting an AWS service (``states``, ``events``) act with a role."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }, sort_keys=True)


@dataclass(frozen=True)
class Trigger:
    """What starts executions by itself: a schedule (``rate(...)``/``cron(...)``) or an EventBridge
    event pattern; ``input`` (JSON text) is the execution's input, AWS sends the event otherwise.

    ``Trigger.rate("1 hour")``, ``Trigger.cron("0 6 * * ? *")``, ``Trigger.event({"source": ["shop"]})``.
    """

    name: str
    schedule: str | None = None
    pattern: str | None = None  # canonical JSON
    input: str | None = None

    @classmethod
    def rate(cls, every: str, *, name: str = "rate", input: Any = None) -> Trigger:
        return cls.of(f"rate({every})", name=name, input=input)

    @classmethod
    def cron(cls, fields: str, *, name: str = "cron", input: Any = None) -> Trigger:
        return cls.of(f"cron({fields})", name=name, input=input)

    @classmethod
    def event(cls, pattern: Mapping[str, Any], *, name: str = "event", input: Any = None) -> Trigger:
        return cls.of(pattern, name=name, input=input)

    @classmethod
    def of(cls, value: Any, *, name: str | None = None, input: Any = None) -> Trigger:
        """A trigger from a Trigger, a ``rate(...)``/``cron(...)`` text or an event pattern dict."""
        if isinstance(value, Trigger):
            return value
        text = None if input is None else json.dumps(input, sort_keys=True)
        if isinstance(value, str):
            try:
                expression = check_expression(value)
            except Exception as exc:
                raise ConfigurationError(f"Trigger {value!r} is not a schedule: {exc}", resource=value) from None
            return cls(name or expression.split("(")[0], schedule=expression, input=text)
        if isinstance(value, Mapping) and value:
            return cls(name or "event", pattern=json.dumps(dict(value), sort_keys=True), input=text)
        raise ConfigurationError(
            f"Trigger {value!r} is neither a schedule nor an event pattern: write 'rate(1 hour)', "
            "'cron(0 6 * * ? *)' or a pattern dict such as {'source': ['shop']}.",
            resource=str(value),
        )


@dataclass(frozen=True)
class TriggerRule:
    """The EventBridge rule of one trigger and the state machine it starts."""

    name: str
    arn: str
    trigger: Trigger
    target: str  # the state machine ARN
    role_arn: str


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


@dataclass(frozen=True)
class WorkflowModel:
    """Everything one workflow at one stage should have in AWS."""

    workflow: str
    stage: str
    region: str
    account: str
    role: Role
    log_group: LogGroup
    machine: StateMachine
    functions: tuple[str, ...]  # the qualified function ARNs its Tasks invoke
    events_role: Role | None
    rules: tuple[TriggerRule, ...]

    @property
    def tags(self) -> dict[str, str]:
        return tags_for(self.workflow, self.stage, "workflow")


def machine_name(workflow: str, stage: str) -> str:
    return stage_name(workflow, stage, "a state machine", "workflow", 56)


def rule_name(machine: str, trigger: str) -> str:
    return f"{machine}-{trigger}"[:64]


def build_workflow_model(
    workflow: Any,
    stage: str,
    *,
    account: str,
    region: str,
    services: Mapping[str, str] | None = None,
    triggers: Iterable[Any] = (),
    log_level: str = "ALL",
    retention: int = 30,
) -> WorkflowModel:
    """The desired resources of ``workflow`` (a biz ``Workflow``) at ``stage``.

    ``services`` maps a Task's FunctionName to the deployed service's name when they differ;
    any other name is taken as a service deployed at the same stage.
    """
    from .models import function_name

    if not stage.isidentifier() or not stage.isascii():
        raise ConfigurationError(f"Stage {stage!r} must be a plain word like 'dev' or 'prod'.", resource=stage)
    if log_level not in LOG_LEVELS:
        raise ConfigurationError(f"Log level {log_level!r} is not one of {', '.join(LOG_LEVELS)}.", resource=log_level)
    workflow.validate()
    name = machine_name(workflow.name, stage)
    arn = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
    aliases = dict(services or {})

    def resolve(function: str) -> str:
        if function.startswith("arn:"):
            return function
        service = aliases.get(function, function)
        return f"arn:aws:lambda:{region}:{account}:function:{function_name(service, stage)}:{stage}"

    definition = resolve_functions(workflow.to_asl(), resolve)
    functions = tuple(sorted(set(task_functions(definition))))
    group = f"/aws/vendedlogs/states/{name}"
    statements: list[dict[str, Any]] = []
    if functions:
        statements.append({"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": list(functions)})
    statements.append({"Effect": "Allow", "Action": list(LOG_DELIVERY_ACTIONS), "Resource": ["*"]})
    role_name = f"{name}-states"
    role = Role(role_name, f"arn:aws:iam::{account}:role{ROLE_PATH}{role_name}",
                json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True), trust_policy("states"))
    logging: dict[str, Any] = {"level": log_level, "includeExecutionData": log_level != "OFF"}
    if log_level != "OFF":
        logging["destinations"] = [{"cloudWatchLogsLogGroup": {
            "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{group}:*"}}]
    machine = StateMachine(name, arn, json.dumps(definition), role.arn, logging)
    found = [Trigger.of(t) for t in triggers]
    names = [t.name for t in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigurationError(f"Several triggers are named {', '.join(twice)}: give each its own name=.",
                                 resource=twice[0])
    events_role = None
    rules: tuple[TriggerRule, ...] = ()
    if found:
        events_name = f"{name}-events"
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [arn]}]}
        events_role = Role(events_name, f"arn:aws:iam::{account}:role{ROLE_PATH}{events_name}",
                           json.dumps(policy, sort_keys=True), trust_policy("events"))
        rules = tuple(
            TriggerRule(rule, f"arn:aws:events:{region}:{account}:rule/{rule}", t, arn, events_role.arn)
            for t in found for rule in [rule_name(name, t.name)]
        )
    return WorkflowModel(workflow.name, stage, region, account, role, LogGroup(group, retention), machine,
                         functions, events_role, rules)


def _bodies(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The nested bodies of a Parallel (Branches) or a Map (ItemProcessor, or the older Iterator)."""
    found = list(state.get("Branches") or [])
    for key in ("ItemProcessor", "Iterator"):
        if isinstance(state.get(key), dict):
            found.append(state[key])
    return [b for b in found if isinstance(b, dict)]


def _tasks(body: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for state in (body.get("States") or {}).values():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Task":
            yield state
        for inner in _bodies(state):
            yield from _tasks(inner)


def _arguments(task: dict[str, Any]) -> dict[str, Any] | None:
    if not str(task.get("Resource", "")).startswith(LAMBDA_INVOKE):
        return None
    args = task.get("Arguments", task.get("Parameters"))
    return args if isinstance(args, dict) else None


def task_functions(definition: dict[str, Any]) -> list[str]:
    """The Lambda functions the Tasks name: ``lambda:invoke`` FunctionNames and function ARNs."""
    names: list[str] = []
    for task in _tasks(definition):
        resource = str(task.get("Resource", ""))
        args = _arguments(task)
        name = args.get("FunctionName") if args is not None else None
        if isinstance(name, str) and not name.strip().startswith("{%"):
            names.append(name)
        elif resource.startswith("arn:aws:lambda:") and ":function:" in resource:
            names.append(resource)
    return names


def resolve_functions(definition: dict[str, Any], resolve: Any) -> dict[str, Any]:
    """A copy of ``definition`` where each literal ``lambda:invoke`` FunctionName went through ``resolve``."""
    copy: dict[str, Any] = json.loads(json.dumps(definition))
    for task in _tasks(copy):
        args = _arguments(task)
        name = args.get("FunctionName") if args is not None else None
        if args is not None and isinstance(name, str) and not name.strip().startswith("{%"):
            args["FunctionName"] = resolve(name)
    return copy
