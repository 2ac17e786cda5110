"""What one service or one workflow at one stage should leave in AWS, as frozen data.

Both are built from the same resource kinds (``resources``) and named from their owner
(``names``). A service is built from its ``Package`` (code, handler, declarations), the stage's
environment and where it goes (account, region): a role, a log group, a function with a version
and the stage alias, its gateway (an HTTP API, or with ``api="rest"`` a REST API with its API
keys and usage plan) and a rule per ``@schedule``. A workflow becomes a Step
Functions state machine named ``<workflow>-<stage>`` whose Tasks call the deployed services'
stage aliases (``inventory`` -> ``inventory-dev:dev``), with a role allowed to invoke exactly
those functions and deliver its logs, a log group, and one rule per trigger with the role
EventBridge assumes to start executions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...runtime.auth import http_api_sources, rest_api_sources
from ...runtime.schedules import rule_name as schedule_rule_name
from ..errors import ConfigurationError
from ..packaging.settings import secret_action
from .definitions import resolve_functions, task_functions
from .names import SERVICE, WORKFLOW, Owner, check_stage, function_name, machine_name, policy, role_arn, trust_policy
from .resources import (
    Alias,
    Api,
    ApiKey,
    ApiStage,
    Authorizer,
    BucketEvents,
    Function,
    Integration,
    LogGroup,
    Permission,
    Pipe,
    Queue,
    RestApi,
    RestAuthorizer,
    RestDeployment,
    RestMethod,
    RestResource,
    RestStage,
    Role,
    Route,
    Rule,
    StateMachine,
    Subscription,
    UsagePlan,
)
from .triggers import Trigger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..packaging.package import Package

API_PERMISSION = "coworks-api"
LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
# What Lambda needs to put a function in a VPC (AWSLambdaVPCAccessExecutionRole) and to send X-Ray
# traces (AWSXRayDaemonWriteAccess); AWS accepts these only on Resource "*".
VPC_ACTIONS = ("ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
               "ec2:DescribeNetworkInterfaces", "ec2:UnassignPrivateIpAddresses")
XRAY_ACTIONS = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")
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
class HttpGateway:
    """A service's HTTP API (``api="http"``, the default) and what it holds."""

    api: Api
    integration: Integration
    authorizer: Authorizer | None
    routes: tuple[Route, ...]
    stage: ApiStage


@dataclass(frozen=True)
class RestGateway:
    """A service's REST API (``api="rest"``): its resource tree, a method per route, the authorizer,
    the deployment its stage serves, and the usage plan with the API keys when keys are declared."""

    api: RestApi
    resources: tuple[RestResource, ...]  # parents before children; the root comes with the API
    methods: tuple[RestMethod, ...]
    authorizer: RestAuthorizer | None
    deployment: RestDeployment
    stage: RestStage
    usage_plan: UsagePlan | None = None
    keys: tuple[ApiKey, ...] = ()


@dataclass(frozen=True)
class ServiceModel(_Owned):
    """Everything one service at one stage should have in AWS."""

    function: Function
    alias: Alias
    gateway: HttpGateway | RestGateway
    permissions: tuple[Permission, ...]

    @property
    def service(self) -> str:
        return self.owner.name

    @property
    def api(self) -> Api | RestApi:
        return self.gateway.api


@dataclass(frozen=True)
class WorkflowModel(_Owned):
    """Everything one workflow at one stage should have in AWS."""

    machine: StateMachine
    functions: tuple[str, ...]  # the qualified function ARNs its Tasks invoke
    events_role: Role | None  # EventBridge's, for the rules
    pipes_role: Role | None = None  # EventBridge Pipes', for the SQS and SNS triggers
    buckets: tuple[BucketEvents, ...] = ()
    queues: tuple[Queue, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    pipes: tuple[Pipe, ...] = ()

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
    if declared.subnets:  # Lambda attaches the function to the VPC through network interfaces it makes
        statements.append({"Effect": "Allow", "Action": list(VPC_ACTIONS), "Resource": ["*"]})
    if declared.tracing == "Active":
        statements.append({"Effect": "Allow", "Action": list(XRAY_ACTIONS), "Resource": ["*"]})
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
    gateway = (_rest_gateway(package, owner, name, alias_arn, region) if declared.api == "rest"
               else _http_gateway(app, owner, name, alias_arn, region))
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
            ephemeral_storage=declared.ephemeral_storage,
            layers=declared.layers,
            subnets=declared.subnets,
            security_groups=declared.security_groups,
            tracing=declared.tracing,
            reserved_concurrency=declared.reserved_concurrency,
        ),
        alias=Alias(name, stage, alias_arn),
        gateway=gateway,
        permissions=permissions,
        rules=rules,
    )


def _invocations(region: str, alias_arn: str) -> str:
    """How API Gateway names the Lambda it invokes (integrations and authorizers alike)."""
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{alias_arn}/invocations"


def _http_gateway(app: Any, owner: Owner, name: str, alias_arn: str, region: str) -> HttpGateway:
    has_auth = bool(getattr(app, "has_auth", False))
    sources = http_api_sources(getattr(app, "identity_sources", None))
    return HttpGateway(
        api=Api(name),
        integration=Integration(alias_arn),
        authorizer=Authorizer(f"{owner.name}-auth", _invocations(region, alias_arn), sources) if has_auth else None,
        routes=tuple(sorted({Route(r.key, has_auth and not r.no_auth) for r in app.routes}, key=lambda r: r.key)),
        stage=ApiStage(owner.stage),
    )


def _rest_gateway(package: Package, owner: Owner, name: str, alias_arn: str, region: str) -> RestGateway:
    """The REST API of a service: a route is a method on its path's resource, needing a key when
    keys are declared and the authorizer when the service has ``auth``, unless it is ``no_auth``."""
    app, declared = package.service, package.declarations
    if not app.routes:
        raise ConfigurationError(f"{owner.name} declares api='rest' but has no @entry: a REST API needs a method to "
                                 "deploy; add an entry, or remove api.", resource="api")
    uri = _invocations(region, alias_arn)
    has_auth, keyed = bool(getattr(app, "has_auth", False)), bool(declared.api_keys)
    methods = tuple(sorted({RestMethod(r.method, r.path, uri, has_auth and not r.no_auth, keyed and not r.no_auth)
                            for r in app.routes}, key=lambda m: m.name))
    paths = {"/" + "/".join(parts[:i]) for m in methods for parts in [m.path.strip("/").split("/")]
             for i in range(1, len(parts) + 1) if parts != [""]}
    authorizer = None
    if has_auth:
        sources = rest_api_sources(getattr(app, "identity_sources", None))
        token = len(sources) == 1 and sources[0].startswith("method.request.header.")
        authorizer = RestAuthorizer(f"{owner.name}-auth", uri, "TOKEN" if token else "REQUEST", sources)
    api = RestApi(name, f"Coworks {owner.described}")
    # What a deployment snapshots: a change of any of it needs a new deployment for the stage to serve.
    held = {"api": {k: v for k, v in api.settings().items() if k != "description"},
            "methods": [[m.method, m.path, m.uri, m.auth, m.key] for m in methods],
            "authorizer": authorizer.settings() if authorizer is not None else None}
    fingerprint = hashlib.sha256(json.dumps(held, sort_keys=True).encode()).hexdigest()
    limits = declared.usage_plan
    return RestGateway(
        api=api,
        resources=tuple(RestResource(p) for p in sorted(paths, key=lambda p: (p.count("/"), p))),
        methods=methods,
        authorizer=authorizer,
        deployment=RestDeployment(fingerprint, f"Coworks {owner.described}: configuration {fingerprint}"),
        stage=RestStage(owner.stage, declared.tracing == "Active"),
        usage_plan=None if limits is None else UsagePlan(name, owner.stage, limits.rate, limits.burst, limits.quota,
                                                          limits.period),
        keys=tuple(ApiKey(f"{name}-{label}", label) for label in declared.api_keys),
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
    type: str = "STANDARD",
) -> WorkflowModel:
    """The desired resources of ``workflow`` (a biz ``Workflow``) at ``stage``; ``type`` is the state
    machine's, STANDARD or EXPRESS (short, synchronous runs: StartSyncExecution).

    ``services`` maps a Task's FunctionName to the deployed service's name when they differ;
    any other name is taken as a service deployed at the same stage.
    """
    owner = Owner(workflow.name, check_stage(stage), WORKFLOW)
    if type not in ("STANDARD", "EXPRESS"):
        raise ConfigurationError(f"State machine type {type!r} is neither STANDARD nor EXPRESS.", resource=type)
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
    machine = StateMachine(name, arn, json.dumps(definition), role.arn, logging, type)
    found = [Trigger.of(t) for t in triggers]
    names = [t.name for t in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigurationError(f"Several triggers are named {', '.join(twice)}: give each its own name=.",
                                 resource=twice[0])
    sources = _sources(found, owner, machine, region=region, account=account)
    return WorkflowModel(owner=owner, region=region, account=account, role=role, log_group=LogGroup(group, retention),
                         machine=machine, functions=functions, **sources)


def _sources(triggers: list[Trigger], owner: Owner, machine: StateMachine, *, region: str,
             account: str) -> dict[str, Any]:
    """What starts the machine: EventBridge rules (schedules, patterns, S3 objects) through a role
    EventBridge assumes, and pipes (SQS, SNS by a queue of its own) through a role Pipes assumes;
    each role may start exactly this machine, the pipes' read exactly their queues."""
    name, arn, stage = machine.name, machine.arn, owner.stage
    start: list[dict[str, object]] = [{"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [arn]}]
    found: dict[str, Any] = {}
    ruled = [t for t in triggers if not t.piped]
    if ruled:
        events_role = Role(f"{name}-events", role_arn(account, f"{name}-events"), policy(start), trust_policy("events"))
        found["events_role"] = events_role
        found["rules"] = tuple(
            Rule(rule, f"arn:aws:events:{region}:{account}:rule/{rule}", arn, schedule=t.schedule, pattern=t.pattern,
                 input=t.input, role_arn=events_role.arn,
                 description=f"Starts the Coworks workflow {owner.name} ({stage}): {t.name}")
            for t in ruled for rule in [f"{name}-{t.name}"[:64]]
        )
        found["buckets"] = tuple(dict.fromkeys(BucketEvents(t.bucket) for t in ruled if t.bucket))
    else:
        found["events_role"], found["rules"] = None, ()
    piped = [t for t in triggers if t.piped]
    if piped:
        queues, subscriptions, sources = [], [], []
        for t in piped:
            if t.topic is not None:  # a queue of the workflow's own, that only this topic may send to
                queue_name = f"{name}-{t.name}"[:80]
                queue_arn = f"arn:aws:sqs:{region}:{account}:{queue_name}"
                allow: dict[str, object] = {
                    "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                    "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": t.topic}}}
                queues.append(Queue(queue_name, queue_arn, policy([allow])))
                subscriptions.append(Subscription(t.topic, queue_arn))
                sources.append((t, queue_arn))
            else:
                queue = str(t.queue)
                sources.append((t, queue if queue.startswith("arn:") else f"arn:aws:sqs:{region}:{account}:{queue}"))
        read: dict[str, object] = {
            "Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": sorted({source for _, source in sources})}
        pipes_role = Role(f"{name}-pipes", role_arn(account, f"{name}-pipes"), policy([read, *start]),
                          trust_policy("pipes"))
        found.update(pipes_role=pipes_role, queues=tuple(queues), subscriptions=tuple(subscriptions),
                     pipes=tuple(Pipe(f"{name}-{t.name}"[:64], source, arn, pipes_role.arn) for t, source in sources))
    return found
