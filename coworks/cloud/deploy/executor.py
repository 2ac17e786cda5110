"""The executor: carries a plan out against AWS, one action at a time, with progress.

One handler per kind of resource, for services and workflows alike (a plain dict maps kinds to
handlers). Identifiers made along the way (API id, integration id, new version) are kept in the
run's ids for the steps after. A failure stops the run; the next deploy converges from where it
stopped. AWS is eventually consistent, so Lambda updates are waited for and a role made seconds
ago is retried for a while, all on an injectable clock so tests never sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import AwsError
from . import resources as kinds
from .models import Model
from .names import POLICY_NAME, Owner
from .plan import Action, Plan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..clients import Clients

#: ``progress(step, total, action, status)``; status is ``start``, ``done`` or ``failed``.
Progress = Callable[[int, int, Action, str], None]


@dataclass
class Run:
    """One apply or destroy: the clients, whose resources, the model (None for a destroy) and
    the ids made so far."""

    clients: Clients
    owner: Owner
    model: Model | None = None
    ids: dict[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    max_wait: float = 300.0

    @property
    def tags(self) -> dict[str, str]:
        return self.owner.tags


def execute(plan: Plan, run: Run, progress: Progress | None = None) -> dict[str, str]:
    """Apply every change of ``plan`` in order; stop at the first failure (later steps are skipped).
    Returns the ids known at the end (those the plan read, and those the run made).

    The ids of what is kept seed the run; a delete carries the ids of what it deletes, which must
    never stand in for them (a stale integration left by a failed run is not the routes' target)."""
    for action in plan.actions:
        if action.verb != "delete":
            run.ids.update(action.ids)
    changes = plan.changes
    for index, action in enumerate(changes, 1):
        if progress:
            progress(index, len(changes), action, "start")
        try:
            HANDLERS[action.kind](run, action)
        except Exception:
            if progress:
                progress(index, len(changes), action, "failed")
            raise
        if progress:
            progress(index, len(changes), action, "done")
    return run.ids


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def _until_role_settles(run: Run, call: Callable[[], Any], refused: Callable[[AwsError], bool]) -> Any:
    """IAM is eventually consistent: Lambda or Step Functions may not accept a role made seconds ago
    (``refused`` tells that answer from others). Retry for a while."""
    deadline = run.clock() + 30
    while True:
        try:
            return call()
        except AwsError as exc:
            if not refused(exc) or run.clock() > deadline:
                raise
            run.sleep(2)


# -- what services and workflows share -----------------------------------------------------------


def _role(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        for _, policy in action.ids:
            c.call("iam", "delete_role_policy", name, RoleName=name, PolicyName=policy)
        c.call("iam", "delete_role", name, RoleName=name)
        return
    role = action.desired(kinds.Role)
    if action.verb == "create":
        c.call("iam", "create_role", name, RoleName=name, Path=role.path, AssumeRolePolicyDocument=role.trust,
               Description=f"Coworks {run.owner.described}", Tags=tag_list(run.tags))
    elif "trust policy" in action.changes:
        c.call("iam", "update_assume_role_policy", name, RoleName=name, PolicyDocument=role.trust)
    if action.verb == "create" or "permissions" in action.changes:
        c.call("iam", "put_role_policy", name, RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=role.policy)
    for _, policy in action.ids:  # policies Coworks did not put there
        c.call("iam", "delete_role_policy", name, RoleName=name, PolicyName=policy)


def _log_group(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        c.call("logs", "delete_log_group", name, logGroupName=name)
        return
    if action.verb == "create":
        c.call("logs", "create_log_group", name, logGroupName=name, tags=run.tags)
    retention = action.desired(kinds.LogGroup).retention
    c.call("logs", "put_retention_policy", name, logGroupName=name, retentionInDays=retention)


def _rule(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":  # targets first, as EventBridge requires
        ids = [value for _, value in action.ids]
        if ids:
            c.call("events", "remove_targets", name, Rule=name, Ids=ids)
        c.call("events", "delete_rule", name, Name=name)
        return
    rule = action.desired(kinds.Rule)
    params: dict[str, Any] = {"Tags": tag_list(run.tags)} if action.verb == "create" else {}
    if rule.schedule is not None:
        params["ScheduleExpression"] = rule.schedule
    if rule.pattern is not None:
        params["EventPattern"] = rule.pattern
    c.call("events", "put_rule", name, Name=name, State="ENABLED", Description=rule.description, **params)
    c.call("events", "put_targets", name, Rule=name, Targets=[rule.target_spec()])


# -- a service's function ------------------------------------------------------------------------


def _lambda_refused_role(exc: AwsError) -> bool:
    return exc.code == "InvalidParameterValueException" and "role" in str(exc).lower()


def _function(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        c.call("lambda", "delete_function", name, FunctionName=name)
        return
    fn = action.desired(kinds.Function)
    if action.verb == "create":
        config = fn.configuration()
        if not fn.subnets:
            del config["VpcConfig"]
        params = dict(config, FunctionName=name, Code={"ZipFile": fn.code}, Publish=False,
                      Architectures=[fn.architecture], Tags=run.tags, Description=fn.description)
        _until_role_settles(run, lambda: c.call("lambda", "create_function", name, **params), _lambda_refused_role)
        _wait(run, name)
        if fn.reserved_concurrency is not None:
            _concurrency(run, fn)
        return
    if set(action.changes) - {"code", "architecture", "reserved concurrency"}:
        _until_role_settles(run, lambda: c.call("lambda", "update_function_configuration", name, FunctionName=name,
                                                **fn.configuration()), _lambda_refused_role)
        _wait(run, name)
    if {"code", "architecture"} & set(action.changes):
        c.call("lambda", "update_function_code", name, FunctionName=name, ZipFile=fn.code,
               Architectures=[fn.architecture])
        _wait(run, name)
    if "reserved concurrency" in action.changes:
        _concurrency(run, fn)


def _concurrency(run: Run, fn: kinds.Function) -> None:
    """Reserve the function's concurrent executions, or give them back to the account's pool."""
    if fn.reserved_concurrency is None:
        run.clients.call("lambda", "delete_function_concurrency", fn.name, FunctionName=fn.name)
    else:
        run.clients.call("lambda", "put_function_concurrency", fn.name, FunctionName=fn.name,
                         ReservedConcurrentExecutions=fn.reserved_concurrency)


def _wait(run: Run, name: str) -> None:
    """Until the function's last change has settled: the next call would be refused before."""
    deadline = run.clock() + run.max_wait
    while True:
        config = run.clients.call("lambda", "get_function_configuration", name, FunctionName=name)
        state, update = config.get("State", "Active"), config.get("LastUpdateStatus") or "Successful"
        if state == "Failed" or update == "Failed":
            reason = config.get("LastUpdateStatusReason") or config.get("StateReason") or "no reason given"
            raise AwsError(f"The Lambda function {name} failed to update: {reason}; fix it and deploy again.",
                           resource=name, code=config.get("LastUpdateStatusReasonCode") or "Failed")
        if state == "Active" and update == "Successful":
            return
        if run.clock() > deadline:
            raise AwsError(f"The Lambda function {name} is still updating after {run.max_wait:.0f} s: deploy again "
                           "later.", resource=name, code="Timeout")
        run.sleep(1)


def _version(run: Run, action: Action) -> None:
    function = action.desired(kinds.Function)
    published = run.clients.call("lambda", "publish_version", action.name, FunctionName=function.name,
                                 CodeSha256=function.code_sha256)
    run.ids["version"] = str(published["Version"])


def _alias(run: Run, action: Action) -> None:
    alias = action.desired(kinds.Alias)
    version = run.ids.get("version")
    if version is None:  # pragma: no cover - the planner always publishes before moving the alias
        raise AwsError(f"No new version to point {action.name} at: deploy again.", resource=action.name,
                       code="NoVersion")
    method = "create_alias" if action.verb == "create" else "update_alias"
    run.clients.call("lambda", method, action.name, FunctionName=alias.function, Name=alias.name,
                     FunctionVersion=version)


def _permission(run: Run, action: Action) -> None:
    c = run.clients
    if action.verb == "delete":
        c.call("lambda", "remove_permission", action.name, FunctionName=action.id("function"),
               Qualifier=action.id("qualifier"), StatementId=action.name)
        return
    permission = action.desired(kinds.Permission)
    where = {"FunctionName": permission.function, "Qualifier": permission.qualifier}
    if action.verb == "replace":
        c.call("lambda", "remove_permission", action.name, StatementId=action.name, **where)
    source = permission.source_arn.replace("{api_id}", run.ids.get("api_id", ""))
    c.call("lambda", "add_permission", action.name, StatementId=permission.sid, Action="lambda:InvokeFunction",
           Principal=permission.principal, SourceArn=source, **where)


# -- a service's HTTP API ------------------------------------------------------------------------


def _api(run: Run, action: Action) -> None:
    c = run.clients
    if action.verb in ("delete", "replace"):
        c.call("apigatewayv2", "delete_api", action.name, ApiId=action.id("api_id"))
    if action.verb == "delete":
        return
    made = c.call("apigatewayv2", "create_api", action.name, Name=action.name, ProtocolType="HTTP", Tags=run.tags,
                  Description=f"Coworks {run.owner.described}")
    run.ids["api_id"] = made["ApiId"]


def _api_part(run: Run, action: Action) -> None:
    """An integration, an authorizer or a route of the API: deleted by its id, or made. The id of a
    new integration or authorizer is kept for the routes planned after it."""
    c, api = run.clients, run.ids["api_id"]
    part = {kinds.Integration.kind: "Integration", kinds.Authorizer.kind: "Authorizer"}.get(action.kind, "Route")
    key = part.lower()
    if action.verb == "delete":
        c.call("apigatewayv2", f"delete_{key}", action.name, ApiId=api, **{f"{part}Id": action.id(f"{key}_id")})
        return
    if part == "Route":
        params = action.desired(kinds.Route).settings(run.ids["integration_id"], run.ids.get("authorizer_id"))
        if action.verb == "create":
            c.call("apigatewayv2", "create_route", action.name, ApiId=api, RouteKey=action.name, **params)
        else:
            c.call("apigatewayv2", "update_route", action.name, ApiId=api, RouteId=action.id("route_id"), **params)
        return
    wanted = action.desired(kinds.Integration) if part == "Integration" else action.desired(kinds.Authorizer)
    made = c.call("apigatewayv2", f"create_{key}", action.name, ApiId=api, **wanted.settings())
    run.ids[f"{key}_id"] = made[f"{part}Id"]


def _stage(run: Run, action: Action) -> None:
    c, api, settings = run.clients, run.ids["api_id"], action.desired(kinds.ApiStage).settings()
    if action.verb == "create":
        c.call("apigatewayv2", "create_stage", action.name, ApiId=api, Tags=run.tags, **settings)
    else:
        c.call("apigatewayv2", "update_stage", action.name, ApiId=api, **settings)


# -- a workflow's state machine ------------------------------------------------------------------


def _states_refused_role(exc: AwsError) -> bool:
    """What Step Functions answers while a new role or its policy has not reached it yet."""
    return exc.code in ("AccessDeniedException", "InvalidLoggingConfiguration")


def _machine(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        c.call("stepfunctions", "delete_state_machine", name, stateMachineArn=action.id("arn"))
        return
    machine = action.desired(kinds.StateMachine)
    if action.verb == "create":
        tags = [{"key": k, "value": v} for k, v in sorted(run.tags.items())]
        _until_role_settles(run, lambda: c.call("stepfunctions", "create_state_machine", name, name=name,
                                                type=machine.type, tags=tags, **machine.settings()),
                            _states_refused_role)
    else:
        _until_role_settles(run, lambda: c.call("stepfunctions", "update_state_machine", name,
                                                stateMachineArn=machine.arn, **machine.settings()),
                            _states_refused_role)


#: One handler per resource kind, by the name the plan gives it.
# -- a workflow's sources: buckets, queues, subscriptions, pipes ---------------------------------


def _bucket(run: Run, action: Action) -> None:
    """Turn on the bucket's EventBridge notifications, keeping its other notifications as they are."""
    c, name = run.clients, action.desired(kinds.BucketEvents).bucket
    config = {k: v for k, v in c.call("s3", "get_bucket_notification_configuration", name, Bucket=name).items()
              if k != "ResponseMetadata"}
    c.call("s3", "put_bucket_notification_configuration", name, Bucket=name,
           NotificationConfiguration={**config, "EventBridgeConfiguration": {}})


def _queue(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        c.call("sqs", "delete_queue", name, QueueUrl=action.id("url"))
        return
    queue = action.desired(kinds.Queue)
    if action.verb == "create":
        c.call("sqs", "create_queue", name, QueueName=name, Attributes=queue.attributes(), tags=run.tags)
    else:
        c.call("sqs", "set_queue_attributes", name, QueueUrl=action.id("url"), Attributes=queue.attributes())


def _subscription(run: Run, action: Action) -> None:
    c = run.clients
    if action.verb == "delete":
        c.call("sns", "unsubscribe", action.name, SubscriptionArn=action.id("arn"))
        return
    subscription = action.desired(kinds.Subscription)
    # Raw delivery: the queue, then the workflow, gets the message as published, not SNS's envelope.
    c.call("sns", "subscribe", action.name, TopicArn=subscription.topic, Protocol="sqs",
           Endpoint=subscription.queue_arn, Attributes={"RawMessageDelivery": "true"})


def _pipes_refused_role(exc: AwsError) -> bool:
    return exc.code in ("ValidationException", "AccessDeniedException") and "role" in str(exc).lower()


def _pipe(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb in ("delete", "replace"):
        c.call("pipes", "delete_pipe", name, Name=name)
    if action.verb == "delete":
        return
    settings = action.desired(kinds.Pipe).settings()
    if action.verb == "update":  # a pipe's source cannot change (a new source is a replace)
        settings = {k: v for k, v in settings.items() if k != "Source"}
        _until_role_settles(run, lambda: c.call("pipes", "update_pipe", name, Name=name, **settings),
                            _pipes_refused_role)
        return
    _until_role_settles(run, lambda: c.call("pipes", "create_pipe", name, Name=name, Tags=run.tags, **settings),
                        _pipes_refused_role)


HANDLERS: dict[str, Callable[[Run, Action], None]] = {
    kinds.Role.kind: _role,
    kinds.LogGroup.kind: _log_group,
    kinds.Rule.kind: _rule,
    kinds.Function.kind: _function,
    kinds.Function.version_kind: _version,
    kinds.Alias.kind: _alias,
    kinds.Permission.kind: _permission,
    kinds.Api.kind: _api,
    kinds.Integration.kind: _api_part,
    kinds.Authorizer.kind: _api_part,
    kinds.Route.kind: _api_part,
    kinds.ApiStage.kind: _stage,
    kinds.StateMachine.kind: _machine,
    kinds.BucketEvents.kind: _bucket,
    kinds.Queue.kind: _queue,
    kinds.Subscription.kind: _subscription,
    kinds.Pipe.kind: _pipe,
}
