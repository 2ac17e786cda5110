"""A service or a workflow as a Terraform module in JSON syntax (``main.tf.json``), with the AWS
provider's resource types, written from the model a deploy plans (``exports``).

Variables: ``stage`` (default: the stage exported) and ``package`` (the zip; default the
``service.zip`` written beside the module). Outputs: the URL and the ARNs. The account and the
region come from the provider (``aws_caller_identity``, ``aws_region``). Every resource is tagged
as a deploy tags it; the function publishes a version (``publish``) that the stage alias serves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .exports import ACCOUNT, PACKAGE, REGION, STAGE, Export, Exported
from .models import HttpGateway, Model, RestGateway, ServiceModel, WorkflowModel
from .resources import Role, Rule

MODULE = "main.tf.json"
PROVIDER = {"aws": {"source": "hashicorp/aws", "version": ">= 5.40, < 7.0"}}
_TOKENS = {ACCOUNT: "${data.aws_caller_identity.current.account_id}", REGION: "${data.aws_region.current.name}",
           STAGE: "${var.stage}"}


@dataclass(frozen=True)
class Ref:
    """An expression of the module (``aws_iam_role.role.arn``), written as an interpolation."""

    expression: str
    suffix: str = ""
    prefix: str = ""


def _text(value: Any) -> Any:
    """Model values in Terraform's syntax: a literal ``${`` or ``%{`` escaped, tokens turned into
    expressions, references interpolated."""
    if isinstance(value, Ref):
        return f"{value.prefix}${{{value.expression}}}{value.suffix}"
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_text(v) for v in value]
    if isinstance(value, str):
        value = value.replace("${", "$${").replace("%{", "%%{")
        for token, expression in _TOKENS.items():
            value = value.replace(token, expression)
    return value


def label(name: str) -> str:
    """A Terraform label from a name: lower-case letters, digits and underscores."""
    cleaned = "".join(c.lower() if c.isalnum() else "_" for c in name.replace(STAGE, "stage")).strip("_")
    cleaned = "_".join(part for part in cleaned.split("_") if part)
    return cleaned if cleaned[:1].isalpha() else f"r_{cleaned}"


class _Module:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.resources: list[Exported] = []

    def add(self, kind: str, name: str, properties: dict[str, Any], *stands_for: tuple[str, str]) -> str:
        self.resources.append(Exported(name, kind, properties, stands_for))
        return f"{kind}.{name}"

    def role(self, role: Role, name: str) -> str:
        ref = self.add("aws_iam_role", name, {
            "name": role.name, "path": role.path, "assume_role_policy": role.trust,
            "description": f"Coworks {self.model.owner.described}", "tags": self.model.tags,
        }, (Role.kind, role.name))
        self.add("aws_iam_role_policy", f"{name}_policy", {
            "name": "coworks", "role": Ref(f"{ref}.id"), "policy": role.policy}, (Role.kind, role.name))
        return ref

    def log_group(self) -> str:
        group = self.model.log_group
        return self.add("aws_cloudwatch_log_group", "logs", {
            "name": group.name, "retention_in_days": group.retention, "tags": self.model.tags},
            (group.kind, group.name))

    def rule(self, rule: Rule, target: Ref, role: str | None) -> str:
        name = label(f"rule_{rule.name.removeprefix(self.model.owner.resource_name)}")
        properties: dict[str, Any] = {"name": rule.name, "description": rule.description, "state": "ENABLED",
                                      "tags": self.model.tags}
        if rule.schedule is not None:
            properties["schedule_expression"] = rule.schedule
        if rule.pattern is not None:
            properties["event_pattern"] = rule.pattern
        ref = self.add("aws_cloudwatch_event_rule", name, properties, (rule.kind, rule.name))
        spec: dict[str, Any] = {"rule": Ref(f"{ref}.name"), "target_id": "coworks", "arn": target}
        if role is not None:
            spec["role_arn"] = Ref(f"{role}.arn")
        if rule.input is not None:
            spec["input"] = rule.input
        self.add("aws_cloudwatch_event_target", f"{name}_target", spec, (rule.kind, rule.name))
        return ref


def _policy(role: str) -> str:
    """The inline policy resource of the role ``aws_iam_role.<label>``."""
    return f"aws_iam_role_policy.{role.split('.', 1)[1]}_policy"


def _service(module: _Module, model: ServiceModel) -> dict[str, Any]:
    role = module.role(model.role, "role")
    logs = module.log_group()
    fn = model.function
    properties: dict[str, Any] = {
        "function_name": fn.name, "description": fn.description, "role": Ref(f"{role}.arn"), "handler": fn.handler,
        "runtime": fn.runtime, "architectures": [fn.architecture], "memory_size": fn.memory, "timeout": fn.timeout,
        "filename": Ref("local.package"), "source_code_hash": Ref("filebase64sha256(local.package)"),
        "publish": True, "environment": {"variables": dict(fn.environment)},
        "ephemeral_storage": {"size": fn.ephemeral_storage}, "tracing_config": {"mode": fn.tracing},
        "layers": list(fn.layers), "tags": model.tags, "depends_on": [logs, _policy(role)],
    }
    if fn.reserved_concurrency is not None:
        properties["reserved_concurrent_executions"] = fn.reserved_concurrency
    if fn.subnets:
        properties["vpc_config"] = {"subnet_ids": list(fn.subnets), "security_group_ids": list(fn.security_groups)}
    function = module.add("aws_lambda_function", "function", properties, (fn.kind, fn.name), (fn.version_kind, fn.name))
    alias = module.add("aws_lambda_alias", "alias", {
        "name": Ref("var.stage"), "function_name": Ref(f"{function}.function_name"),
        "function_version": Ref(f"{function}.version")}, (model.alias.kind, f"{fn.name}:{model.stage}"))
    if isinstance(model.gateway, RestGateway):
        api, stage = _rest_api(module, model, model.gateway, alias)
    else:
        api, stage = _http_api(module, model, model.gateway, alias)
    rules = {rule.arn: module.rule(rule, Ref(f"{alias}.arn"), None) for rule in model.rules}
    for permission in model.permissions:
        source = Ref(f"{api}.execution_arn", suffix="/*") if permission.principal.startswith("apigateway") else Ref(
            f"{rules[permission.source_arn]}.arn")
        module.add("aws_lambda_permission", label(f"permission_{permission.sid}"), {
            "statement_id": permission.sid, "action": "lambda:InvokeFunction",
            "function_name": Ref(f"{function}.function_name"), "qualifier": Ref(f"{alias}.name"),
            "principal": permission.principal, "source_arn": source}, (permission.kind, permission.sid))
    outputs = {
        "url": {"value": Ref(f"{stage}.invoke_url"), "description": "The stage's base URL"},
        "function_arn": {"value": Ref(f"{function}.arn")},
        "alias_arn": {"value": Ref(f"{alias}.arn"), "description": "What the API, rules and workflows invoke"},
        "role_arn": {"value": Ref(f"{role}.arn")},
        "api_id": {"value": Ref(f"{api}.id")},
    }
    keys = model.gateway.keys if isinstance(model.gateway, RestGateway) else ()
    if keys:  # ids, never values: `aws apigateway get-api-key --include-value --api-key <id>` reads one
        outputs["api_key_ids"] = {"value": {k.label: Ref(f"aws_api_gateway_api_key.{label(f'key_{k.label}')}.id")
                                            for k in keys}, "description": "The API keys' ids, by declared name"}
    return outputs


def _http_api(module: _Module, model: ServiceModel, gateway: HttpGateway, alias: str) -> tuple[str, str]:
    """The HTTP API, its integration, authorizer, routes and stage; the API and the stage."""
    api = module.add("aws_apigatewayv2_api", "api", {
        "name": gateway.api.name, "protocol_type": "HTTP", "description": f"Coworks {model.owner.described}",
        "tags": model.tags}, (gateway.api.kind, gateway.api.name))
    integration = module.add("aws_apigatewayv2_integration", "integration", {
        "api_id": Ref(f"{api}.id"), "integration_type": "AWS_PROXY", "integration_uri": Ref(f"{alias}.arn"),
        "integration_method": "POST", "payload_format_version": "2.0"},
        (gateway.integration.kind, gateway.integration.uri.rsplit(":function:", 1)[-1]))
    authorizer = None
    if gateway.authorizer is not None:
        settings = gateway.authorizer.settings()
        authorizer = module.add("aws_apigatewayv2_authorizer", "authorizer", {
            "api_id": Ref(f"{api}.id"), "name": settings["Name"], "authorizer_type": "REQUEST",
            "authorizer_uri": Ref(f"{alias}.invoke_arn"), "authorizer_payload_format_version": "2.0",
            "enable_simple_responses": True, "identity_sources": settings["IdentitySource"],
            "authorizer_result_ttl_in_seconds": 0}, (gateway.authorizer.kind, gateway.authorizer.name))
    for route in gateway.routes:
        properties = {"api_id": Ref(f"{api}.id"), "route_key": route.key,
                      "target": Ref(f"{integration}.id", prefix="integrations/"),
                      "authorization_type": "CUSTOM" if route.auth else "NONE"}
        if route.auth and authorizer is not None:
            properties["authorizer_id"] = Ref(f"{authorizer}.id")
        module.add("aws_apigatewayv2_route", label(f"route_{route.key}"), properties, (route.kind, route.key))
    stage = module.add("aws_apigatewayv2_stage", "stage", {
        "api_id": Ref(f"{api}.id"), "name": Ref("var.stage"), "auto_deploy": True, "tags": model.tags},
        (gateway.stage.kind, gateway.stage.name))
    return api, stage


def _rest_api(module: _Module, model: ServiceModel, gateway: RestGateway, alias: str) -> tuple[str, str]:
    """The REST API: resources, methods with their integrations, authorizer, a deployment made again
    whenever what it snapshots changes (``triggers``), the stage, the usage plan and the keys."""
    api = module.add("aws_api_gateway_rest_api", "api", {
        "name": gateway.api.name, "description": gateway.api.description,
        "binary_media_types": list(gateway.api.binary_media_types),
        "endpoint_configuration": {"types": [gateway.api.endpoint]}, "api_key_source": "HEADER", "tags": model.tags,
        "lifecycle": {"create_before_destroy": True}},  # a replaced API serves until its successor does (CKV_AWS_237)
        (gateway.api.kind, gateway.api.name))
    resources = {"/": Ref(f"{api}.root_resource_id")}
    for resource in gateway.resources:
        ref = module.add("aws_api_gateway_resource", label(f"resource_{resource.path}"), {
            "rest_api_id": Ref(f"{api}.id"), "parent_id": resources[resource.parent], "path_part": resource.part},
            (resource.kind, resource.path))
        resources[resource.path] = Ref(f"{ref}.id")
    authorizer = None
    if gateway.authorizer is not None:
        settings = gateway.authorizer.settings()
        authorizer = module.add("aws_api_gateway_authorizer", "authorizer", {
            "name": settings["name"], "rest_api_id": Ref(f"{api}.id"), "type": settings["type"],
            "authorizer_uri": Ref(f"{alias}.invoke_arn"), "identity_source": settings["identitySource"],
            "authorizer_result_ttl_in_seconds": 0}, (gateway.authorizer.kind, gateway.authorizer.name))
    parts = []
    for method in gateway.methods:
        name = label(f"{method.method}_{method.path}")
        properties: dict[str, Any] = {
            "rest_api_id": Ref(f"{api}.id"), "resource_id": resources[method.path], "http_method": method.method,
            "authorization": "CUSTOM" if method.auth else "NONE", "api_key_required": method.key}
        if method.auth and authorizer is not None:
            properties["authorizer_id"] = Ref(f"{authorizer}.id")
        ref = module.add("aws_api_gateway_method", f"method_{name}", properties, (method.kind, method.name))
        parts.append(ref)
        parts.append(module.add("aws_api_gateway_integration", f"integration_{name}", {
            "rest_api_id": Ref(f"{api}.id"), "resource_id": resources[method.path], "http_method": Ref(
                f"{ref}.http_method"), "type": "AWS_PROXY", "integration_http_method": "POST",
            "uri": Ref(f"{alias}.invoke_arn")}, (method.kind, method.name)))
    deployment = module.add("aws_api_gateway_deployment", "deployment", {
        "rest_api_id": Ref(f"{api}.id"), "description": gateway.deployment.description,
        "triggers": {"configuration": gateway.deployment.fingerprint},
        "lifecycle": {"create_before_destroy": True}, "depends_on": parts},
        (gateway.deployment.kind, gateway.deployment.name))
    stage = module.add("aws_api_gateway_stage", "stage", {
        "rest_api_id": Ref(f"{api}.id"), "deployment_id": Ref(f"{deployment}.id"), "stage_name": Ref("var.stage"),
        "xray_tracing_enabled": gateway.stage.tracing, "tags": model.tags},
        (gateway.stage.kind, gateway.stage.name))
    plan = gateway.usage_plan
    if plan is not None:
        properties = {"name": plan.name, "description": f"Coworks {model.owner.described}",
                      "api_stages": [{"api_id": Ref(f"{api}.id"), "stage": Ref(f"{stage}.stage_name")}],
                      "tags": model.tags}
        if plan.rate is not None:
            properties["throttle_settings"] = {"rate_limit": plan.rate, "burst_limit": plan.burst}
        if plan.quota is not None:
            properties["quota_settings"] = {"limit": plan.quota, "period": plan.period}
        usage = module.add("aws_api_gateway_usage_plan", "usage_plan", properties, (plan.kind, plan.name))
        for key in gateway.keys:
            ref = module.add("aws_api_gateway_api_key", label(f"key_{key.label}"), {
                "name": key.name, "description": f"Coworks {model.owner.described}: {key.label}", "enabled": True,
                "tags": model.tags}, (key.kind, key.name))
            module.add("aws_api_gateway_usage_plan_key", label(f"key_{key.label}_plan"), {
                "key_id": Ref(f"{ref}.id"), "key_type": "API_KEY", "usage_plan_id": Ref(f"{usage}.id")},
                (key.kind, key.name))
    return api, stage


def _workflow(module: _Module, model: WorkflowModel) -> dict[str, Any]:
    role = module.role(model.role, "states_role")
    logs = module.log_group()
    machine = model.machine
    logging = {"level": machine.logging["level"], "include_execution_data": machine.logging["includeExecutionData"]}
    if machine.logging["level"] != "OFF":
        logging["log_destination"] = Ref(f"{logs}.arn", suffix=":*")
    sfn = module.add("aws_sfn_state_machine", "machine", {
        "name": machine.name, "role_arn": Ref(f"{role}.arn"), "definition": machine.definition, "type": "STANDARD",
        "logging_configuration": logging, "tags": model.tags, "depends_on": [_policy(role)]},
        (machine.kind, machine.name))
    events = module.role(model.events_role, "events_role") if model.events_role is not None else None
    pipes = module.role(model.pipes_role, "pipes_role") if model.pipes_role is not None else None
    queues = {}
    for queue in model.queues:
        queues[queue.arn] = module.add("aws_sqs_queue", label(f"queue_{queue.name.removeprefix(machine.name)}"), {
            "name": queue.name, "policy": queue.policy, "sqs_managed_sse_enabled": True, "tags": model.tags},
            (queue.kind, queue.name))
    for index, subscription in enumerate(model.subscriptions):
        name = f"{subscription.topic.rsplit(':', 1)[-1]} -> {subscription.queue_arn.rsplit(':', 1)[-1]}"
        module.add("aws_sns_topic_subscription", f"subscription_{index + 1}", {
            "topic_arn": subscription.topic, "protocol": "sqs",
            "endpoint": Ref(f"{queues[subscription.queue_arn]}.arn"), "raw_message_delivery": True},
            (subscription.kind, name))
    for bucket in model.buckets:
        module.add("aws_s3_bucket_notification", label(f"bucket_{bucket.bucket}"), {
            "bucket": bucket.bucket, "eventbridge": True}, (bucket.kind, bucket.bucket))
    for rule in model.rules:
        module.rule(rule, Ref(f"{sfn}.arn"), events)
    for pipe in model.pipes:
        source = Ref(f"{queues[pipe.source]}.arn") if pipe.source in queues else pipe.source
        module.add("aws_pipes_pipe", label(f"pipe_{pipe.name.removeprefix(machine.name)}"), {
            "name": pipe.name, "role_arn": Ref(f"{pipes}.arn"), "source": source, "target": Ref(f"{sfn}.arn"),
            "desired_state": "RUNNING", "source_parameters": {"sqs_queue_parameters": {"batch_size": 1}},
            "target_parameters": {"step_function_state_machine_parameters": {"invocation_type": "FIRE_AND_FORGET"}},
            "tags": model.tags, "depends_on": [_policy(str(pipes))]}, (pipe.kind, pipe.name))
    return {"state_machine_arn": {"value": Ref(f"{sfn}.arn")}, "role_arn": {"value": Ref(f"{role}.arn")}}


def export(model: Model, stage: str, package: bytes | None = None) -> Export:
    """The module of ``model`` (built by ``exports``) for ``stage``, and the package beside it."""
    module = _Module(model)
    outputs = _service(module, model) if isinstance(model, ServiceModel) else _workflow(module, model)
    resources: dict[str, dict[str, Any]] = {}
    for item in module.resources:
        resources.setdefault(item.type, {})[item.name] = item.properties
    variables: dict[str, Any] = {"stage": {"type": "string", "default": stage, "description": (
        "The stage: in every name, the alias, the API stage and the tags (the environment is the exported one's)")}}
    document: dict[str, Any] = {
        "terraform": {"required_providers": PROVIDER},
        "variable": variables,
        "data": {"aws_caller_identity": {"current": {}}, "aws_region": {"current": {}}},
        "resource": resources,
        "output": outputs,
    }
    if isinstance(model, ServiceModel):
        variables["package"] = {"type": "string", "default": None, "description": (
            f"The Lambda zip (cws package); default: the {PACKAGE} beside this module")}
        document["locals"] = {"package": Ref(f'coalesce(var.package, "${{path.module}}/{PACKAGE}")')}
    text = json.dumps(_text(document), indent=2, sort_keys=False) + "\n"
    files = {MODULE: text.encode()}
    if package is not None:
        files[PACKAGE] = package
    return Export(files, tuple(module.resources), model)

