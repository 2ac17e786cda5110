"""The executor: carries a plan out against AWS, one action at a time, with progress.

Each kind of resource has one handler (a plain dict maps kinds to handlers). Identifiers made
along the way (API id, integration id, new version) are kept in the run's context for the
steps after. Lambda updates are waited for before the next step (``State`` and
``LastUpdateStatus``), with an injectable clock so tests never sleep.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..errors import AwsError, CloudError
from .planner import POLICY_NAME

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ..clients import Clients
    from .models import ServiceModel
    from .plan import Action, Plan

    Progress = Callable[[int, int, Action, str], None]


@dataclass
class Run:
    """One apply or destroy: the clients, the model (None for destroy) and the ids made so far."""

    clients: Clients
    model: ServiceModel | None
    service: str
    stage: str
    function_name: str
    ids: dict[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    max_wait: float = 300.0

    @property
    def tags(self) -> dict[str, str]:
        from .models import tags_for

        return tags_for(self.service, self.stage)

    def need(self) -> ServiceModel:
        if self.model is None:  # pragma: no cover - destroy plans only hold deletes
            raise CloudError("This step needs the service's model: deploy it instead.")
        return self.model


def execute(plan: Plan, run: Run, progress: Progress | None = None) -> dict[str, str]:
    """Apply every change of ``plan`` in order; stop at the first failure (later steps are skipped)."""
    for action in plan.actions:
        run.ids.update(action.ids)
    run_steps(plan, HANDLERS, run, progress)
    return run.ids


def run_steps(plan: Plan, handlers: dict[str, Callable[[Any, Action], None]], run: Any,
              progress: Progress | None = None) -> None:
    """Carry out each change with the handler of its kind, reporting start, done or failed."""
    changes = plan.changes
    for index, action in enumerate(changes, 1):
        if progress:
            progress(index, len(changes), action, "start")
        try:
            handlers[action.kind](run, action)
        except Exception:
            if progress:
                progress(index, len(changes), action, "failed")
            raise
        if progress:
            progress(index, len(changes), action, "done")


# -- IAM and logs ------------------------------------------------------------------------------


def apply_role(c: Clients, action: Action, role: Any, tags: dict[str, str], description: str) -> None:
    """Create, update or delete an IAM role and its inline policy (services and workflows alike)."""
    name = action.name
    if action.verb == "delete":
        for _, policy in action.ids:
            c.call("iam", "delete_role_policy", name, RoleName=name, PolicyName=policy)
        c.call("iam", "delete_role", name, RoleName=name)
        return
    if action.verb == "create":
        c.call("iam", "create_role", name, RoleName=name, Path=role.path, AssumeRolePolicyDocument=role.trust,
               Description=description, Tags=tag_list(tags))
    elif "trust policy" in action.changes:
        c.call("iam", "update_assume_role_policy", name, RoleName=name, PolicyDocument=role.trust)
    if action.verb == "create" or "permissions" in action.changes:
        c.call("iam", "put_role_policy", name, RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=role.policy)
    for _, policy in action.ids:
        c.call("iam", "delete_role_policy", name, RoleName=name, PolicyName=policy)


def apply_log_group(c: Clients, action: Action, retention: Callable[[], int], tags: dict[str, str]) -> None:
    """Create a log group with its retention, update the retention, or delete the group."""
    name = action.name
    if action.verb == "delete":
        c.call("logs", "delete_log_group", name, logGroupName=name)
        return
    if action.verb == "create":
        c.call("logs", "create_log_group", name, logGroupName=name, tags=tags)
    c.call("logs", "put_retention_policy", name, logGroupName=name, retentionInDays=retention())


def _role(run: Run, action: Action) -> None:
    role = run.need().role if action.verb != "delete" else None
    apply_role(run.clients, action, role, run.tags, f"Coworks {run.service} ({run.stage})")


def _log_group(run: Run, action: Action) -> None:
    apply_log_group(run.clients, action, lambda: run.need().log_group.retention, run.tags)


# -- Lambda ------------------------------------------------------------------------------------


def _function(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        c.call("lambda", "delete_function", name, FunctionName=name)
        return
    model = run.need()
    fn = model.function
    if action.verb == "create":
        params = dict(fn.configuration(), FunctionName=name, Code={"ZipFile": fn.code}, Publish=False,
                      Architectures=[fn.architecture], Tags=run.tags,
                      Description=(model.service + " (Coworks)")[:256])
        _retry_new_role(run, lambda: c.call("lambda", "create_function", name, **params))
        _wait(run, name)
        return
    if set(action.changes) - {"code", "architecture"}:
        _retry_new_role(run, lambda: c.call("lambda", "update_function_configuration", name, FunctionName=name,
                                            **fn.configuration()))
        _wait(run, name)
    if {"code", "architecture"} & set(action.changes):
        c.call("lambda", "update_function_code", name, FunctionName=name, ZipFile=fn.code,
               Architectures=[fn.architecture])
        _wait(run, name)


def _retry_new_role(run: Run, call: Callable[[], Any]) -> Any:
    """IAM is eventually consistent: Lambda may not see a role made seconds ago. Retry for a while."""
    deadline = run.clock() + 30
    while True:
        try:
            return call()
        except AwsError as exc:
            if exc.code != "InvalidParameterValueException" or "role" not in str(exc).lower() or run.clock() > deadline:
                raise
            run.sleep(2)


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
    fn = run.need().function
    published = run.clients.call("lambda", "publish_version", action.name, FunctionName=fn.name,
                                 CodeSha256=fn.code_sha256)
    run.ids["version"] = str(published["Version"])


def _alias(run: Run, action: Action) -> None:
    alias = run.need().alias
    version = run.ids.get("version")
    if version is None:  # pragma: no cover - the planner always publishes before moving the alias
        raise CloudError(f"No new version to point {action.name} at: deploy again.", resource=action.name)
    method = "create_alias" if action.verb == "create" else "update_alias"
    run.clients.call("lambda", method, action.name, FunctionName=alias.function, Name=alias.name,
                     FunctionVersion=version)


def _permission(run: Run, action: Action) -> None:
    c, name, stage = run.clients, run.function_name, run.stage
    if action.verb in ("delete", "replace"):
        c.call("lambda", "remove_permission", action.name, FunctionName=name, Qualifier=stage, StatementId=action.name)
    if action.verb == "delete":
        return
    permission = action.resource
    source = permission.source_arn.replace("{api_id}", run.ids.get("api_id", ""))
    c.call("lambda", "add_permission", action.name, FunctionName=name, Qualifier=stage, StatementId=permission.sid,
           Action="lambda:InvokeFunction", Principal=permission.principal, SourceArn=source)


# -- API Gateway -------------------------------------------------------------------------------


def _api(run: Run, action: Action) -> None:
    c = run.clients
    if action.verb in ("delete", "replace"):
        c.call("apigatewayv2", "delete_api", action.name, ApiId=action.id("api_id"))
    if action.verb == "delete":
        return
    made = c.call("apigatewayv2", "create_api", action.name, Name=action.name, ProtocolType="HTTP", Tags=run.tags,
                  Description=f"Coworks {run.service} ({run.stage})")
    run.ids["api_id"] = made["ApiId"]


def _integration(run: Run, action: Action) -> None:
    c, api = run.clients, run.ids["api_id"]
    if action.verb == "delete":
        c.call("apigatewayv2", "delete_integration", action.name, ApiId=api, IntegrationId=action.id("integration_id"))
        return
    made = c.call("apigatewayv2", "create_integration", action.name, ApiId=api, IntegrationType="AWS_PROXY",
                  IntegrationUri=action.resource.uri, PayloadFormatVersion="2.0", IntegrationMethod="POST")
    run.ids["integration_id"] = made["IntegrationId"]


def _authorizer(run: Run, action: Action) -> None:
    c, api = run.clients, run.ids["api_id"]
    if action.verb == "delete":
        c.call("apigatewayv2", "delete_authorizer", action.name, ApiId=api, AuthorizerId=action.id("authorizer_id"))
        run.ids.pop("authorizer_id", None)
        return
    # No result cache: ``auth`` may allow a token some routes only, and the cache is per token.
    made = c.call("apigatewayv2", "create_authorizer", action.name, ApiId=api, AuthorizerType="REQUEST",
                  Name=action.resource.name, AuthorizerUri=action.resource.uri, AuthorizerPayloadFormatVersion="2.0",
                  EnableSimpleResponses=True, IdentitySource=["$request.header.Authorization"],
                  AuthorizerResultTtlInSeconds=0)
    run.ids["authorizer_id"] = made["AuthorizerId"]


def _route(run: Run, action: Action) -> None:
    c, api = run.clients, run.ids["api_id"]
    if action.verb == "delete":
        c.call("apigatewayv2", "delete_route", action.name, ApiId=api, RouteId=action.id("route_id"))
        return
    params: dict[str, Any] = {"Target": f"integrations/{run.ids['integration_id']}", "AuthorizationType": "NONE"}
    if action.resource.auth:
        params.update(AuthorizationType="CUSTOM", AuthorizerId=run.ids["authorizer_id"])
    if action.verb == "create":
        c.call("apigatewayv2", "create_route", action.name, ApiId=api, RouteKey=action.name, **params)
    else:
        c.call("apigatewayv2", "update_route", action.name, ApiId=api, RouteId=action.id("route_id"), **params)


def _stage(run: Run, action: Action) -> None:
    c, api = run.clients, run.ids["api_id"]
    if action.verb == "create":
        c.call("apigatewayv2", "create_stage", action.name, ApiId=api, StageName=action.name, AutoDeploy=True,
               Tags=run.tags)
    else:
        c.call("apigatewayv2", "update_stage", action.name, ApiId=api, StageName=action.name, AutoDeploy=True)


# -- EventBridge -------------------------------------------------------------------------------


def delete_rule(c: Clients, action: Action) -> None:
    """An EventBridge rule goes with its targets removed first, as EventBridge requires."""
    name = action.name
    ids = [value for _, value in action.ids]
    if ids:
        c.call("events", "remove_targets", name, Rule=name, Ids=ids)
    c.call("events", "delete_rule", name, Name=name)


def _rule(run: Run, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        delete_rule(c, action)
        return
    rule = action.resource
    params: dict[str, Any] = {"Tags": tag_list(run.tags)} if action.verb == "create" else {}
    c.call("events", "put_rule", name, Name=name, ScheduleExpression=rule.expression, State="ENABLED",
           Description=rule.description or f"Coworks {run.service} ({run.stage})", **params)
    c.call("events", "put_targets", name, Rule=name, Targets=[{"Id": "coworks", "Arn": rule.target}])


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


HANDLERS: dict[str, Callable[[Run, Action], None]] = {
    "iam role": _role,
    "log group": _log_group,
    "lambda function": _function,
    "version": _version,
    "alias": _alias,
    "permission": _permission,
    "http api": _api,
    "integration": _integration,
    "authorizer": _authorizer,
    "route": _route,
    "api stage": _stage,
    "schedule rule": _rule,
}
