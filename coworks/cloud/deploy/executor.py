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

from ..errors import AwsError, ConcurrentDeployError
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
        try:
            c.call("iam", "create_role", name, RoleName=name, Path=role.path, AssumeRolePolicyDocument=role.trust,
                   Description=f"Coworks {run.owner.described}", Tags=tag_list(run.tags))
        except AwsError as exc:  # tagged for this owner: a deploy that ran at the same time made it
            made = c.find("iam", "get_role", name, RoleName=name) if exc.code == "EntityAlreadyExists" else None
            tags = {t["Key"]: t["Value"] for t in ((made or {}).get("Role") or {}).get("Tags") or []}
            if made is not None and run.owner.owns(tags):
                raise _made_meanwhile(run, f"its role {name}") from exc
            raise
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
        try:
            _until_role_settles(run, lambda: c.call("lambda", "create_function", name, **params),
                                _lambda_refused_role)
        except AwsError as exc:  # tagged for this owner: a deploy that ran at the same time made it
            made = c.find("lambda", "get_function", name, FunctionName=name) if exc.code == (
                "ResourceConflictException") else None
            if made is not None and run.owner.owns(made.get("Tags")):
                raise _made_meanwhile(run, f"its function {name}") from exc
            raise
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
    """Publish ``$LATEST`` only if it still holds the code this deploy uploaded: Lambda refuses a
    ``CodeSha256`` that differs (InvalidParameterValueException), so a deploy never publishes the
    code another one uploaded meanwhile, nor loses its own without saying so.
    https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html"""
    function = action.desired(kinds.Function)
    try:
        published = run.clients.call("lambda", "publish_version", action.name, FunctionName=function.name,
                                     CodeSha256=function.code_sha256)
    except AwsError as exc:
        if exc.code == "InvalidParameterValueException" and "CodeSHA256" in str(exc):
            raise ConcurrentDeployError(
                f"Another deploy of {run.owner.described} changed the code of {function.name} while this one ran: "
                "deploy again when it has ended.", resource=function.name, code=exc.code) from exc
        raise
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
    if action.verb == "replace" and "rest_api_id" in dict(action.ids):  # the service had a REST API
        c.call("apigateway", "delete_rest_api", action.name, restApiId=action.id("rest_api_id"))
    elif action.verb in ("delete", "replace"):
        c.call("apigatewayv2", "delete_api", action.name, ApiId=action.id("api_id"))
    if action.verb == "delete":
        return
    _no_api_made_meanwhile(run, action)
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


def _no_api_made_meanwhile(run: Run, action: Action) -> None:
    """Before an API is made: none tagged for the service and stage may exist. Another deploy that
    ran at the same time made it (without a lock, on AWS; or a plan read before it ran), and a
    second one would leave the service with two APIs, one of them not at its URL."""
    found = [str(a["ApiId"]) for a in _listed(run, "apigatewayv2", "get_apis", "Items", "NextToken")
             if run.owner.owns(a.get("Tags"))]
    found += [str(a["id"]) for a in _listed(run, "apigateway", "get_rest_apis", "items", "position", limit=500)
              if run.owner.owns(a.get("tags"))]
    gone = {value for _, value in action.ids}  # the API a replace has just deleted
    made = [api for api in found if api not in gone]
    if made:
        raise _made_meanwhile(run, f"its API {made[0]}")


def _listed(run: Run, service: str, method: str, items: str, token: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a listing, page after page (a token answered twice ends it)."""
    found: list[dict[str, Any]] = []
    while True:
        page = run.clients.call(service, method, service, **params)
        found += page.get(items) or []
        following = page.get(token)
        if not following or following == params.get(token):
            return found
        params = {**params, token: following}


def _made_meanwhile(run: Run, what: str) -> ConcurrentDeployError:
    return ConcurrentDeployError(f"Another deploy of {run.owner.described} made {what} while this one ran: deploy "
                                 "again when it has ended.", resource=run.owner.resource_name)


# -- a service's REST API ------------------------------------------------------------------------


def _pointer(value: str) -> str:
    """A value as one segment of a patch path (JSON pointer escapes: ``*/*`` is ``*~1*``)."""
    return value.replace("~", "~0").replace("/", "~1")


def _rest_api(run: Run, action: Action) -> None:
    c = run.clients
    if action.verb == "delete":
        c.call("apigateway", "delete_rest_api", action.name, restApiId=action.id("rest_api_id"))
        return
    api = action.desired(kinds.RestApi)
    if action.verb == "update":  # what the API holds now, patched to what is declared
        held = c.call("apigateway", "get_rest_api", action.name, restApiId=run.ids["api_id"])
        ops: list[dict[str, str]] = []
        types = held.get("binaryMediaTypes") or []
        ops += [{"op": "remove", "path": f"/binaryMediaTypes/{_pointer(t)}"} for t in types
                if t not in api.binary_media_types]
        ops += [{"op": "add", "path": f"/binaryMediaTypes/{_pointer(t)}", "value": t} for t in api.binary_media_types
                if t not in types]
        for endpoint in (held.get("endpointConfiguration") or {}).get("types") or []:
            if endpoint != api.endpoint:
                ops.append({"op": "replace", "path": f"/endpointConfiguration/types/{endpoint}", "value": api.endpoint})
        if (held.get("apiKeySource") or "HEADER") != "HEADER":
            ops.append({"op": "replace", "path": "/apiKeySource", "value": "HEADER"})
        if ops:
            c.call("apigateway", "update_rest_api", action.name, restApiId=run.ids["api_id"], patchOperations=ops)
        return
    if action.verb == "replace":  # the service had an HTTP API
        c.call("apigatewayv2", "delete_api", action.name, ApiId=action.id("http_api_id"))
    _no_api_made_meanwhile(run, action)
    made = c.call("apigateway", "create_rest_api", action.name, tags=run.tags, **api.settings())
    run.ids["api_id"] = str(made["id"])
    missing = [t for t in api.binary_media_types if t not in (made.get("binaryMediaTypes") or [])]
    if missing:  # an endpoint that drops them on create (moto does): set them as AWS would have
        c.call("apigateway", "update_rest_api", action.name, restApiId=made["id"], patchOperations=[
            {"op": "add", "path": f"/binaryMediaTypes/{_pointer(t)}", "value": t} for t in missing])
    root = made.get("rootResourceId")
    if not root:
        pages = c.pages("apigateway", "get_resources", action.name, restApiId=made["id"])
        root = next(r["id"] for page in pages for r in page.get("items", []) if r.get("path") == "/")
    run.ids["resource /"] = str(root)


def _rest_resource(run: Run, action: Action) -> None:
    c, api = run.clients, run.ids["api_id"]
    if action.verb == "delete":
        c.call("apigateway", "delete_resource", action.name, restApiId=api, resourceId=action.id("resource_id"))
        return
    resource = action.desired(kinds.RestResource)
    made = c.call("apigateway", "create_resource", action.name, restApiId=api,
                  parentId=run.ids[f"resource {resource.parent}"], pathPart=resource.part)
    run.ids[f"resource {resource.path}"] = str(made["id"])


def _rest_authorizer(run: Run, action: Action) -> None:
    c, api = run.clients, run.ids["api_id"]
    if action.verb == "delete":
        c.call("apigateway", "delete_authorizer", action.name, restApiId=api,
               authorizerId=action.id("rest_authorizer_id"))
        return
    made = c.call("apigateway", "create_authorizer", action.name, restApiId=api,
                  **action.desired(kinds.RestAuthorizer).settings())
    run.ids["rest_authorizer_id"] = str(made["id"])


def _rest_method(run: Run, action: Action) -> None:
    """A method and its Lambda proxy integration; a changed one is made again (API Gateway refuses
    PutMethod on an existing method)."""
    c, api = run.clients, run.ids["api_id"]
    if action.verb == "delete":
        c.call("apigateway", "delete_method", action.name, restApiId=api, resourceId=action.id("resource_id"),
               httpMethod=action.id("method"))
        return
    method = action.desired(kinds.RestMethod)
    where = {"restApiId": api, "resourceId": run.ids[f"resource {method.path}"], "httpMethod": method.method}
    if action.verb == "replace":
        c.call("apigateway", "delete_method", action.name, **where)
    c.call("apigateway", "put_method", action.name, **where, **method.settings(run.ids.get("rest_authorizer_id")))
    c.call("apigateway", "put_integration", action.name, **where, **method.integration())


def _rest_deployment(run: Run, action: Action) -> None:
    c, api = run.clients, run.ids["api_id"]
    if action.verb == "delete":
        c.call("apigateway", "delete_deployment", action.name, restApiId=api, deploymentId=action.id("deployment_id"))
        return
    made = c.call("apigateway", "create_deployment", action.name, restApiId=api,
                  description=action.desired(kinds.RestDeployment).description)
    run.ids["deployment_id"] = str(made["id"])


def _rest_stage(run: Run, action: Action) -> None:
    c, api, stage = run.clients, run.ids["api_id"], action.desired(kinds.RestStage)
    if action.verb == "create":
        c.call("apigateway", "create_stage", action.name, restApiId=api, stageName=stage.name,
               deploymentId=run.ids["deployment_id"], tracingEnabled=stage.tracing, tags=run.tags)
        return
    ops = []
    if "deployment" in action.changes:
        ops.append({"op": "replace", "path": "/deploymentId", "value": run.ids["deployment_id"]})
    if "tracing" in action.changes:
        ops.append({"op": "replace", "path": "/tracingEnabled", "value": "true" if stage.tracing else "false"})
    c.call("apigateway", "update_stage", action.name, restApiId=api, stageName=stage.name, patchOperations=ops)


def _usage_plan(run: Run, action: Action) -> None:
    c = run.clients
    detach = [{"op": "remove", "path": "/apiStages", "value": v} for k, v in action.ids if k.startswith("detach")]
    if action.verb == "delete":  # API Gateway refuses to delete a plan that still has stages
        if detach:
            c.call("apigateway", "update_usage_plan", action.name, usagePlanId=action.id("usage_plan_id"),
                   patchOperations=detach)
        c.call("apigateway", "delete_usage_plan", action.name, usagePlanId=action.id("usage_plan_id"))
        return
    plan = action.desired(kinds.UsagePlan)
    throttle, quota = plan.throttle(), plan.quota_settings()
    if action.verb == "create":
        params: dict[str, Any] = {"throttle": throttle} if throttle else {}
        if quota:
            params["quota"] = quota
        made = c.call("apigateway", "create_usage_plan", action.name, name=plan.name,
                      description=f"Coworks {run.owner.described}",
                      apiStages=[{"apiId": run.ids["api_id"], "stage": plan.stage}], tags=run.tags, **params)
        run.ids["usage_plan_id"] = str(made["id"])
        return
    ops = list(detach)
    ours = f"{run.ids['api_id']}:{plan.stage}"
    if "api stage" in action.changes and dict(action.ids).get("attached") != ours:
        ops.append({"op": "add", "path": "/apiStages", "value": ours})
    if "throttle" in action.changes:
        ops += ([{"op": "remove", "path": "/throttle"}] if throttle is None else [
            {"op": "replace", "path": "/throttle/rateLimit", "value": f"{throttle['rateLimit']:g}"},
            {"op": "replace", "path": "/throttle/burstLimit", "value": str(throttle["burstLimit"])}])
    if "quota" in action.changes:
        ops += ([{"op": "remove", "path": "/quota"}] if quota is None else [
            {"op": "replace", "path": "/quota/limit", "value": str(quota["limit"])},
            {"op": "replace", "path": "/quota/period", "value": str(quota["period"])}])
    if ops:
        c.call("apigateway", "update_usage_plan", action.name, usagePlanId=run.ids["usage_plan_id"],
               patchOperations=ops)


def _api_key(run: Run, action: Action) -> None:
    """An API key in the usage plan. Its value, made by API Gateway, is in no answer kept here."""
    c = run.clients
    if action.verb == "delete":
        c.call("apigateway", "delete_api_key", action.name, apiKey=action.id("api_key_id"))
        return
    key = action.desired(kinds.ApiKey)
    if action.verb == "create":
        made = c.call("apigateway", "create_api_key", action.name, name=key.name, enabled=True, tags=run.tags,
                      description=f"Coworks {run.owner.described}: {key.label}")
        key_id = str(made["id"])
    else:
        key_id = action.id("api_key_id")
        if "enabled" in action.changes:
            c.call("apigateway", "update_api_key", action.name, apiKey=key_id,
                   patchOperations=[{"op": "replace", "path": "/enabled", "value": "true"}])
    if action.verb == "create" or "usage plan" in action.changes:
        c.call("apigateway", "create_usage_plan_key", action.name, usagePlanId=run.ids["usage_plan_id"], keyId=key_id,
               keyType="API_KEY")


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


#: One handler per resource kind, by the name the plan gives it.
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
    kinds.RestApi.kind: _rest_api,
    kinds.RestResource.kind: _rest_resource,
    kinds.RestAuthorizer.kind: _rest_authorizer,
    kinds.RestMethod.kind: _rest_method,
    kinds.RestDeployment.kind: _rest_deployment,
    kinds.RestStage.kind: _rest_stage,
    kinds.UsagePlan.kind: _usage_plan,
    kinds.ApiKey.kind: _api_key,
    kinds.StateMachine.kind: _machine,
    kinds.BucketEvents.kind: _bucket,
    kinds.Queue.kind: _queue,
    kinds.Subscription.kind: _subscription,
    kinds.Pipe.kind: _pipe,
}
