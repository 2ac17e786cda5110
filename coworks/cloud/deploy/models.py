"""What one service or one workflow at one stage should leave in AWS, as frozen data.

Both are built from the same resource kinds (``resources``) and named from their owner
(``names``). A service is built from its ``Package`` (code, handler, declarations), the stage's
environment and where it goes (account, region): a role, a log group, a function with a version
and the stage alias, an HTTP API and a rule per ``@schedule``. A workflow becomes a Step
Functions state machine named ``<workflow>-<stage>`` whose Tasks call the deployed services'
stage aliases (``inventory`` -> ``inventory-dev:dev``), with a role allowed to invoke exactly
those functions and deliver its logs, a log group, and one rule per trigger with the role
EventBridge assumes to start executions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...runtime.schedules import rule_name as schedule_rule_name
from ..errors import ConfigurationError
from ..packaging.settings import secret_action
from .definitions import resolve_functions, task_functions
from .names import SERVICE, WORKFLOW, Owner, check_stage, function_name, machine_name, policy, role_arn, trust_policy
from .resources import (
    Alias,
    Api,
    ApiStage,
    Authorizer,
    Function,
    Integration,
    LogGroup,
    Permission,
    Role,
    Route,
    Rule,
    StateMachine,
)
from .triggers import Trigger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..packaging.package import Package

API_PERMISSION = "coworks-api"
LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
# CloudWatch Logs delivery for Step Functions is configured through these account-level calls,
# which AWS only accepts on Resource "*" (see "Logging using CloudWatch Logs" in the SFN guide).
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
)


@dataclass(frozen=True)
class _Owned:
    """What every model has: whose it is, where it goes, its role, its log group and its rules."""

    owner: Owner
    region: str
    account: str
    role: Role
    log_group: LogGroup
    rules: tuple[Rule, ...]

    @property
    def stage(self) -> str:
        return self.owner.stage

    @property
    def tags(self) -> dict[str, str]:
        return self.owner.tags


@dataclass(frozen=True)
class ServiceModel(_Owned):
    """Everything one service at one stage should have in AWS."""

    function: Function
    alias: Alias
    api: Api
    integration: Integration
    authorizer: Authorizer | None
    routes: tuple[Route, ...]
    api_stage: ApiStage
    permissions: tuple[Permission, ...]

    @property
    def service(self) -> str:
        return self.owner.name


@dataclass(frozen=True)
class WorkflowModel(_Owned):
    """Everything one workflow at one stage should have in AWS."""

    machine: StateMachine
    functions: tuple[str, ...]  # the qualified function ARNs its Tasks invoke
    events_role: Role | None

    @property
    def workflow(self) -> str:
        return self.owner.name


Model = ServiceModel | WorkflowModel


def build_model(
    package: Package, stage: str, environment: dict[str, str], *, account: str, region: str
) -> ServiceModel:
    """The desired resources of ``package`` deployed at ``stage`` in ``account``/``region``."""
    owner = Owner(package.name, check_stage(stage), SERVICE)
    declared = package.declarations
    name = function_name(owner.name, stage)
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
    app = package.service
    rules = tuple(
        Rule(rule, f"arn:aws:events:{region}:{account}:rule/{rule}", alias_arn, schedule=s.expression,
             description=s.description[:512] or f"Coworks {owner.described}")
        for s in app.schedules
        for rule in [schedule_rule_name(name, s.name)]
    )
    permissions = (
        Permission(API_PERMISSION, "apigateway.amazonaws.com", f"arn:aws:execute-api:{region}:{account}:{{api_id}}/*",
                   name, stage),
        *(Permission(f"coworks-rule-{r.name}"[:100], "events.amazonaws.com", r.arn, name, stage) for r in rules),
    )
    has_auth = bool(getattr(app, "has_auth", False))
    authorizer_uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{alias_arn}/invocations"
    return ServiceModel(
        owner=owner,
        region=region,
        account=account,
        role=Role(role_name, role_arn(account, role_name), policy(statements)),
        log_group=LogGroup(log_group, declared.log_retention),
        function=Function(
            name=name,
            arn=function_arn,
            role_arn=role_arn(account, role_name),
            handler=package.handler,
            runtime=declared.runtime,
            memory=declared.memory,
            timeout=declared.timeout,
            architecture=declared.architecture,
            environment=tuple(sorted(environment.items())),
            code_sha256=package.code_sha256,
            code=package.data,
            description=(owner.name + " (Coworks)")[:256],
        ),
        alias=Alias(name, stage, alias_arn),
        api=Api(name),
        integration=Integration(alias_arn),
        authorizer=Authorizer(f"{owner.name}-auth", authorizer_uri) if has_auth else None,
        routes=tuple(sorted(
            {Route(r.key, has_auth and not r.no_auth) for r in app.routes}, key=lambda r: r.key
        )),
        api_stage=ApiStage(stage),
        permissions=permissions,
        rules=rules,
    )


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
    owner = Owner(workflow.name, check_stage(stage), WORKFLOW)
    if log_level not in LOG_LEVELS:
        raise ConfigurationError(f"Log level {log_level!r} is not one of {', '.join(LOG_LEVELS)}.", resource=log_level)
    workflow.validate()
    name = machine_name(owner.name, stage)
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
    statements: list[dict[str, object]] = []
    if functions:
        statements.append({"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": list(functions)})
    statements.append({"Effect": "Allow", "Action": list(LOG_DELIVERY_ACTIONS), "Resource": ["*"]})
    role_name = f"{name}-states"
    role = Role(role_name, role_arn(account, role_name), policy(statements), trust_policy("states"))
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
    rules: tuple[Rule, ...] = ()
    if found:
        events_name = f"{name}-events"
        start: list[dict[str, object]] = [{"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [arn]}]
        events_role = Role(events_name, role_arn(account, events_name), policy(start), trust_policy("events"))
        rules = tuple(
            Rule(rule, f"arn:aws:events:{region}:{account}:rule/{rule}", arn, schedule=t.schedule, pattern=t.pattern,
                 input=t.input, role_arn=events_role.arn,
                 description=f"Starts the Coworks workflow {owner.name} ({stage}): {t.name}")
            for t in found for rule in [f"{name}-{t.name}"[:64]]
        )
    return WorkflowModel(owner=owner, region=region, account=account, role=role, log_group=LogGroup(group, retention),
                         rules=rules, machine=machine, functions=functions, events_role=events_role)
