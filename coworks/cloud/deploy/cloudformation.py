"""A service or a workflow as a CloudFormation template (``template.json``), or a SAM one
(``--format sam``), written from the model a deploy plans (``exports``).

Parameters: ``Stage`` (default: the stage exported), and where the package is: ``CodeBucket`` and
``CodeKey`` for CloudFormation (upload ``service.zip`` there first), a local ``CodeUri`` for SAM
(``sam deploy`` uploads it). Outputs: the URL and the ARNs. Account and region are the stack's
pseudo parameters. A version's logical id carries the package's hash, so a new package publishes a
new version and moves the stage alias to it, as a deploy does. With SAM the function is an
``AWS::Serverless::Function`` whose ``AutoPublishAlias`` makes the version and the stage alias.

What CloudFormation cannot do is left out and said in the template's ``Metadata``: turning on an
existing bucket's EventBridge notifications (a bucket is a stack's only if the stack made it).
"""

from __future__ import annotations

import json
from typing import Any

from .exports import ACCOUNT, PACKAGE, REGION, STAGE, Export, Exported, logical, unique
from .models import HttpGateway, Model, RestGateway, ServiceModel, WorkflowModel
from .resources import Role, Rule

TEMPLATE = "template.json"
FORMATS = ("cloudformation", "sam")
_SUBS = {ACCOUNT: "${AWS::AccountId}", REGION: "${AWS::Region}", STAGE: "${Stage}"}


def _sub(value: Any) -> Any:
    """Model values in CloudFormation: a string holding a token becomes ``Fn::Sub`` (a literal ``${``
    escaped as ``${!``); intrinsic functions (dicts) are left as they are."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join"):
            return value
        return {k: _sub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_sub(v) for v in value]
    if isinstance(value, str) and any(t in value for t in _SUBS):
        text = value.replace("${", "${!")
        for token, expression in _SUBS.items():
            text = text.replace(token, expression)
        return {"Fn::Sub": text}
    return value


def _tags(model: Model) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(model.tags.items())]


class _Template:
    def __init__(self, model: Model, sam: bool) -> None:
        self.model = model
        self.sam = sam
        self.resources: list[Exported] = []

    def add(self, name: str, kind: str, properties: dict[str, Any], *stands_for: tuple[str, str],
            depends: tuple[str, ...] = ()) -> str:
        self.resources.append(Exported(name, kind, properties, stands_for, {"DependsOn": list(depends)} if depends
                                       else {}))
        return name

    def role(self, role: Role, name: str) -> tuple[str, str]:
        ref = self.add(name, "AWS::IAM::Role", {
            "RoleName": role.name, "Path": role.path, "AssumeRolePolicyDocument": json.loads(role.trust),
            "Description": f"Coworks {self.model.owner.described}", "Tags": _tags(self.model)},
            (Role.kind, role.name))
        policy = self.add(f"{name}Policy", "AWS::IAM::Policy", {
            "PolicyName": "coworks", "PolicyDocument": json.loads(role.policy), "Roles": [{"Ref": ref}]},
            (Role.kind, role.name))
        return ref, policy

    def log_group(self) -> str:
        group = self.model.log_group
        return self.add("Logs", "AWS::Logs::LogGroup", {"LogGroupName": group.name, "RetentionInDays": group.retention,
                                                        "Tags": _tags(self.model)}, (group.kind, group.name))

    def rule(self, rule: Rule, target: Any, role: str | None) -> str:
        spec: dict[str, Any] = {"Id": "coworks", "Arn": target}
        if role is not None:
            spec["RoleArn"] = {"Fn::GetAtt": [role, "Arn"]}
        if rule.input is not None:
            spec["Input"] = rule.input
        properties: dict[str, Any] = {"Name": rule.name, "Description": rule.description, "State": "ENABLED",
                                      "Targets": [spec]}
        if rule.schedule is not None:
            properties["ScheduleExpression"] = rule.schedule
        if rule.pattern is not None:
            properties["EventPattern"] = json.loads(rule.pattern)
        name = "Rule" + logical(rule.name.removeprefix(self.model.owner.resource_name))
        return self.add(name, "AWS::Events::Rule", properties, (rule.kind, rule.name))


def _service(template: _Template, model: ServiceModel, package_hash: str) -> dict[str, Any]:
    role, policy = template.role(model.role, "Role")
    logs = template.log_group()
    fn = model.function
    properties: dict[str, Any] = {
        "FunctionName": fn.name, "Description": fn.description, "Role": {"Fn::GetAtt": [role, "Arn"]},
        "Handler": fn.handler, "Runtime": fn.runtime, "Architectures": [fn.architecture], "MemorySize": fn.memory,
        "Timeout": fn.timeout, "Environment": {"Variables": dict(fn.environment)},
        "EphemeralStorage": {"Size": fn.ephemeral_storage}, "Layers": list(fn.layers),
    }
    if fn.subnets:
        properties["VpcConfig"] = {"SubnetIds": list(fn.subnets), "SecurityGroupIds": list(fn.security_groups)}
    if fn.reserved_concurrency is not None:
        properties["ReservedConcurrentExecutions"] = fn.reserved_concurrency
    if template.sam:
        properties.update(CodeUri=PACKAGE, Tracing=fn.tracing, AutoPublishAlias={"Ref": "Stage"},
                          Tags=dict(sorted(model.tags.items())))
        function = template.add("Function", "AWS::Serverless::Function", properties, (fn.kind, fn.name),
                                (fn.version_kind, fn.name), (model.alias.kind, f"{fn.name}:{model.stage}"),
                                depends=(logs, policy))
        alias: Any = {"Ref": "Function.Alias"}
    else:
        properties.update(Code={"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": {"Ref": "CodeKey"}},
                          TracingConfig={"Mode": fn.tracing}, Tags=_tags(model))
        function = template.add("Function", "AWS::Lambda::Function", properties, (fn.kind, fn.name),
                                depends=(logs, policy))
        version = template.add(f"Version{package_hash[:10]}", "AWS::Lambda::Version", {
            "FunctionName": {"Ref": function}, "Description": f"package sha256 {package_hash}"},
            (fn.version_kind, fn.name))
        template.add("Alias", "AWS::Lambda::Alias", {
            "FunctionName": {"Ref": function}, "FunctionVersion": {"Fn::GetAtt": [version, "Version"]},
            "Name": {"Ref": "Stage"}}, (model.alias.kind, f"{fn.name}:{model.stage}"))
        alias = {"Ref": "Alias"}
    if isinstance(model.gateway, RestGateway):
        api, stage = _rest_api(template, model, model.gateway, alias)
    else:
        api, stage = _http_api(template, model, model.gateway, alias)
    rules = {rule.arn: template.rule(rule, alias, None) for rule in model.rules}
    for permission in model.permissions:
        if permission.principal.startswith("apigateway"):
            source: Any = {"Fn::Sub": f"arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/*"}
        else:
            source = {"Fn::GetAtt": [rules[permission.source_arn], "Arn"]}
        template.add("Permission" + logical(permission.sid.removeprefix("coworks-")), "AWS::Lambda::Permission", {
            "Action": "lambda:InvokeFunction", "FunctionName": alias, "Principal": permission.principal,
            "SourceArn": source}, (permission.kind, permission.sid))
    return {
        "Url": {"Description": "The stage's base URL", "Value": {"Fn::Sub": (
            f"https://${{{api}}}.execute-api.${{AWS::Region}}.amazonaws.com/${{{stage}}}")}},
        "FunctionArn": {"Value": {"Fn::GetAtt": [function, "Arn"]}},
        "AliasArn": {"Description": "What the API, rules and workflows invoke", "Value": alias},
        "RoleArn": {"Value": {"Fn::GetAtt": [role, "Arn"]}},
    }


def _invocations(alias: Any) -> dict[str, Any]:
    """How API Gateway names the stage alias it invokes."""
    return {"Fn::Join": ["", ["arn:aws:apigateway:", {"Ref": "AWS::Region"}, ":lambda:path/2015-03-31/functions/",
                              alias, "/invocations"]]}


def _http_api(template: _Template, model: ServiceModel, gateway: HttpGateway, alias: Any) -> tuple[str, str]:
    """The HTTP API, its integration, authorizer, routes and stage; the API and the stage."""
    api = template.add("Api", "AWS::ApiGatewayV2::Api", {
        "Name": gateway.api.name, "ProtocolType": "HTTP", "Description": f"Coworks {model.owner.described}",
        "Tags": dict(sorted(model.tags.items()))}, (gateway.api.kind, gateway.api.name))
    integration = template.add("Integration", "AWS::ApiGatewayV2::Integration", {
        "ApiId": {"Ref": api}, "IntegrationType": "AWS_PROXY", "IntegrationUri": alias, "IntegrationMethod": "POST",
        "PayloadFormatVersion": "2.0"}, (gateway.integration.kind, gateway.integration.uri.rsplit(":function:", 1)[-1]))
    authorizer = None
    if gateway.authorizer is not None:
        settings = gateway.authorizer.settings()
        authorizer = template.add("Authorizer", "AWS::ApiGatewayV2::Authorizer", {
            "ApiId": {"Ref": api}, "Name": settings["Name"], "AuthorizerType": "REQUEST",
            "AuthorizerUri": _invocations(alias),
            "AuthorizerPayloadFormatVersion": "2.0", "EnableSimpleResponses": True,
            "IdentitySource": settings["IdentitySource"], "AuthorizerResultTtlInSeconds": 0},
            (gateway.authorizer.kind, gateway.authorizer.name))
    for route, name in zip(gateway.routes, unique("Route" + logical(r.key) for r in gateway.routes), strict=True):
        properties = {"ApiId": {"Ref": api}, "RouteKey": route.key,
                      "Target": {"Fn::Sub": f"integrations/${{{integration}}}"},
                      "AuthorizationType": "CUSTOM" if route.auth else "NONE"}
        if route.auth and authorizer is not None:
            properties["AuthorizerId"] = {"Ref": authorizer}
        template.add(name, "AWS::ApiGatewayV2::Route", properties, (route.kind, route.key))
    stage = template.add("ApiStage", "AWS::ApiGatewayV2::Stage", {
        "ApiId": {"Ref": api}, "StageName": {"Ref": "Stage"}, "AutoDeploy": True,
        "Tags": dict(sorted(model.tags.items()))}, (gateway.stage.kind, gateway.stage.name))
    return api, stage


def _rest_api(template: _Template, model: ServiceModel, gateway: RestGateway, alias: Any) -> tuple[str, str]:
    """The REST API: resources, methods (their integrations inside), authorizer, a deployment whose
    logical id carries what it snapshots (so a changed API is deployed again), the stage, the usage
    plan and the keys."""
    api = template.add("RestApi", "AWS::ApiGateway::RestApi", {
        "Name": gateway.api.name, "Description": gateway.api.description,
        "BinaryMediaTypes": list(gateway.api.binary_media_types),
        "EndpointConfiguration": {"Types": [gateway.api.endpoint]}, "ApiKeySourceType": "HEADER",
        "Tags": _tags(model)}, (gateway.api.kind, gateway.api.name))
    resources: dict[str, Any] = {"/": {"Fn::GetAtt": [api, "RootResourceId"]}}
    for resource in gateway.resources:
        name = template.add("Resource" + logical(resource.path.replace("{", "by ")), "AWS::ApiGateway::Resource", {
            "RestApiId": {"Ref": api}, "ParentId": resources[resource.parent], "PathPart": resource.part},
            (resource.kind, resource.path))
        resources[resource.path] = {"Ref": name}
    authorizer = None
    if gateway.authorizer is not None:
        settings = gateway.authorizer.settings()
        authorizer = template.add("Authorizer", "AWS::ApiGateway::Authorizer", {
            "RestApiId": {"Ref": api}, "Name": settings["name"], "Type": settings["type"],
            "AuthorizerUri": _invocations(alias), "IdentitySource": settings["identitySource"],
            "AuthorizerResultTtlInSeconds": 0}, (gateway.authorizer.kind, gateway.authorizer.name))
    methods = unique("Method" + logical(f"{m.method} {m.path}".replace("{", "by ")) for m in gateway.methods)
    for method, name in zip(gateway.methods, methods, strict=True):
        properties: dict[str, Any] = {
            "RestApiId": {"Ref": api}, "ResourceId": resources[method.path], "HttpMethod": method.method,
            "AuthorizationType": "CUSTOM" if method.auth else "NONE", "ApiKeyRequired": method.key,
            "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": _invocations(alias)}}
        if method.auth and authorizer is not None:
            properties["AuthorizerId"] = {"Ref": authorizer}
        template.add(name, "AWS::ApiGateway::Method", properties, (method.kind, method.name))
    deployment = template.add(f"Deployment{gateway.deployment.fingerprint[:10]}", "AWS::ApiGateway::Deployment", {
        "RestApiId": {"Ref": api}, "Description": gateway.deployment.description},
        (gateway.deployment.kind, gateway.deployment.name), depends=tuple(methods))
    stage = template.add("ApiStage", "AWS::ApiGateway::Stage", {
        "RestApiId": {"Ref": api}, "DeploymentId": {"Ref": deployment}, "StageName": {"Ref": "Stage"},
        "TracingEnabled": gateway.stage.tracing, "Tags": _tags(model)}, (gateway.stage.kind, gateway.stage.name))
    plan = gateway.usage_plan
    if plan is not None:
        properties = {"UsagePlanName": plan.name, "Description": f"Coworks {model.owner.described}",
                      "ApiStages": [{"ApiId": {"Ref": api}, "Stage": {"Ref": stage}}], "Tags": _tags(model)}
        if plan.rate is not None:
            properties["Throttle"] = {"RateLimit": plan.rate, "BurstLimit": plan.burst}
        if plan.quota is not None:
            properties["Quota"] = {"Limit": plan.quota, "Period": plan.period}
        usage = template.add("UsagePlan", "AWS::ApiGateway::UsagePlan", properties, (plan.kind, plan.name))
        for key, name in zip(gateway.keys, unique("ApiKey" + logical(k.label) for k in gateway.keys), strict=True):
            template.add(name, "AWS::ApiGateway::ApiKey", {
                "Name": key.name, "Description": f"Coworks {model.owner.described}: {key.label}", "Enabled": True,
                "Tags": _tags(model)}, (key.kind, key.name))
            template.add(f"{name}Plan", "AWS::ApiGateway::UsagePlanKey", {
                "KeyId": {"Ref": name}, "KeyType": "API_KEY", "UsagePlanId": {"Ref": usage}}, (key.kind, key.name))
    return api, stage


def _workflow(template: _Template, model: WorkflowModel) -> dict[str, Any]:
    role, policy = template.role(model.role, "StatesRole")
    logs = template.log_group()
    machine = model.machine
    logging: dict[str, Any] = {"Level": machine.logging["level"],
                               "IncludeExecutionData": machine.logging["includeExecutionData"]}
    if machine.logging["level"] != "OFF":
        logging["Destinations"] = [{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [logs, "Arn"]}}}]
    sfn = template.add("StateMachine", "AWS::StepFunctions::StateMachine", {
        "StateMachineName": machine.name, "RoleArn": {"Fn::GetAtt": [role, "Arn"]},
        "DefinitionString": machine.definition, "StateMachineType": "STANDARD", "LoggingConfiguration": logging,
        "Tags": _tags(model)}, (machine.kind, machine.name), depends=(policy,))
    events = template.role(model.events_role, "EventsRole")[0] if model.events_role is not None else None
    pipes = template.role(model.pipes_role, "PipesRole") if model.pipes_role is not None else None
    queues = {}
    for queue in model.queues:
        name = "Queue" + logical(queue.name.removeprefix(machine.name))
        queues[queue.arn] = template.add(name, "AWS::SQS::Queue", {
            "QueueName": queue.name, "SqsManagedSseEnabled": True, "Tags": _tags(model)}, (queue.kind, queue.name))
        template.add(f"{name}Policy", "AWS::SQS::QueuePolicy", {
            "Queues": [{"Ref": queues[queue.arn]}], "PolicyDocument": json.loads(queue.policy)},
            (queue.kind, queue.name))
    for index, subscription in enumerate(model.subscriptions):
        shown = f"{subscription.topic.rsplit(':', 1)[-1]} -> {subscription.queue_arn.rsplit(':', 1)[-1]}"
        template.add(f"Subscription{index + 1}", "AWS::SNS::Subscription", {
            "TopicArn": subscription.topic, "Protocol": "sqs",
            "Endpoint": {"Fn::GetAtt": [queues[subscription.queue_arn], "Arn"]}, "RawMessageDelivery": True},
            (subscription.kind, shown))
    for rule in model.rules:
        template.rule(rule, {"Ref": sfn}, events)
    for pipe in model.pipes:
        source = {"Fn::GetAtt": [queues[pipe.source], "Arn"]} if pipe.source in queues else pipe.source
        assert pipes is not None  # a pipe comes with its role
        template.add("Pipe" + logical(pipe.name.removeprefix(machine.name)), "AWS::Pipes::Pipe", {
            "Name": pipe.name, "RoleArn": {"Fn::GetAtt": [pipes[0], "Arn"]}, "Source": source, "Target": {"Ref": sfn},
            "DesiredState": "RUNNING", "SourceParameters": {"SqsQueueParameters": {"BatchSize": 1}},
            "TargetParameters": {"StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}},
            "Tags": dict(sorted(model.tags.items()))}, (pipe.kind, pipe.name), depends=(pipes[1],))
    return {"StateMachineArn": {"Value": {"Ref": sfn}}, "RoleArn": {"Value": {"Fn::GetAtt": [role, "Arn"]}}}


def export(model: Model, stage: str, package: bytes | None = None, *, sam: bool = False,
           package_hash: str = "") -> Export:
    """The template of ``model`` (built by ``exports``) for ``stage``, and the package beside it."""
    template = _Template(model, sam)
    outputs = (_service(template, model, package_hash) if isinstance(model, ServiceModel)
               else _workflow(template, model))
    parameters: dict[str, Any] = {"Stage": {"Type": "String", "Default": stage, "AllowedPattern": "[A-Za-z0-9_]+",
                                            "Description": "The stage: in every name, the alias and the tags"}}
    if isinstance(model, ServiceModel) and not sam:
        parameters["CodeBucket"] = {"Type": "String", "Description": f"The S3 bucket holding {PACKAGE}"}
        parameters["CodeKey"] = {"Type": "String", "Default": PACKAGE, "Description": "The package's key"}
    document: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if sam:
        document["Transform"] = "AWS::Serverless-2016-10-31"
    document["Description"] = f"Coworks {model.owner.described.replace(STAGE, stage)}, exported from its deploy model"
    buckets = sorted(b.bucket for b in getattr(model, "buckets", ()))
    if buckets:
        document["Metadata"] = {"Coworks": {"NotManaged": (
            f"Turn on EventBridge notifications of the bucket{'s' if len(buckets) > 1 else ''} {', '.join(buckets)} "
            "yourself: CloudFormation changes a bucket only when the stack made it.")}}
    document["Parameters"] = parameters
    document["Resources"] = {r.name: {"Type": r.type, **r.extra, "Properties": _sub(r.properties)}
                             for r in template.resources}
    document["Outputs"] = outputs
    files = {TEMPLATE: (json.dumps(document, indent=2) + "\n").encode()}
    if package is not None:
        files[PACKAGE] = package
    return Export(files, tuple(template.resources), model)
