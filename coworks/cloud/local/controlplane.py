"""Reading the embedded moto server's state, for the local data plane.

The local cloud's gateway and Lambda runtime run in the same process as moto, so they read the
control plane's objects directly: every request sees the routes, code and settings stored at
that moment, without an HTTP round trip per lookup. This module is the only place that knows
moto's internal attribute names; what it returns is plain frozen data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"  # moto's default account
_FUNCTION_IN_URI = re.compile(r"(arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[^/]+?)(?:/invocations)?$")


class ControlPlaneLookupError(LookupError):
    """The resource is not in the local control plane (it was never deployed or was destroyed)."""


@dataclass(frozen=True)
class FunctionConfig:
    """What the local Lambda runtime needs to run one version of a function."""

    name: str
    version: str
    qualifier: str | None
    arn: str
    handler: str
    runtime: str
    environment: dict[str, str]
    timeout: int
    memory: int
    code_sha256: str
    code: bytes = field(repr=False)
    region: str = "us-east-1"
    #: The function's layers in order, each (ARN, CodeSha256, zip): the layer versions published here.
    layers: tuple[tuple[str, str, bytes], ...] = field(default=(), repr=False)
    #: Executions it may run at once (PutFunctionConcurrency); None: the account's unreserved pool.
    reserved_concurrency: int | None = None


@dataclass(frozen=True)
class RouteConfig:
    route_key: str  # "GET /item/{item_id}", "ANY /{proxy+}" or "$default"
    function: str | None  # the Lambda ARN the integration targets
    payload_version: str
    authorizer_function: str | None
    identity_source: tuple[str, ...]


@dataclass(frozen=True)
class HttpApiConfig:
    api_id: str
    region: str
    routes: tuple[RouteConfig, ...]
    stages: tuple[str, ...]


def _backend(service: str, region: str) -> Any:
    from moto.backends import get_backend

    return get_backend(service)[ACCOUNT][region]  # type: ignore[call-overload]


def _regions(service: str) -> list[str]:
    from moto.backends import get_backend

    return list(get_backend(service)[ACCOUNT].keys())  # type: ignore[call-overload]


def function_config(name_or_arn: str, qualifier: str | None, region: str) -> FunctionConfig:
    """The function's configuration and code, for the version the qualifier (alias) names."""
    match = re.match(r"arn:aws[\w-]*:lambda:([\w-]+):\d{12}:function:([^:]+)(?::([^:]+))?$", name_or_arn)
    if match:
        region, name, in_arn = match.group(1), match.group(2), match.group(3)
        qualifier = in_arn or qualifier
    else:
        name, _, in_name = name_or_arn.partition(":")
        qualifier = in_name or qualifier
    backend = _backend("lambda", region)
    try:
        fn = backend.get_function(name, qualifier)
    except Exception:
        raise ControlPlaneLookupError(
            f"Function {name}{':' + qualifier if qualifier else ''} is not deployed in {region}."
        ) from None
    layers = []
    for layer in fn.layers or []:  # moto refuses a layer ARN it does not hold, as Lambda does
        version = backend.layers_versions_by_arn(layer["Arn"])
        if version is not None:
            layers.append((str(layer["Arn"]), str(version.code_sha_256), bytes(version.code_bytes)))
    return FunctionConfig(
        name=fn.function_name,
        version=str(fn.version),
        qualifier=qualifier,
        arn=fn.function_arn,
        handler=fn.handler or "",
        runtime=fn.run_time or "python3.11",
        environment=dict(fn.environment_vars or {}),
        timeout=int(fn.timeout or 3),
        memory=int(fn.memory_size or 128),
        code_sha256=fn.code_sha_256,
        code=fn.code_bytes,
        region=region,
        layers=tuple(layers),
        reserved_concurrency=_reserved(fn),
    )


def _reserved(fn: Any) -> int | None:
    value = getattr(fn, "reserved_concurrency", None)
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def complete_configuration(name: str, region: str, body: bytes) -> None:
    """What moto's UpdateFunctionConfiguration leaves out and Lambda applies: ``TracingConfig`` and
    ``EphemeralStorage`` (moto keeps both from CreateFunction only), so the next plan reads them back."""
    try:
        update = json.loads(body or b"{}")
        fn = _backend("lambda", region).get_function(name, None)
    except Exception:  # moto refused the update itself, and said so
        return
    if isinstance(update.get("TracingConfig"), dict) and update["TracingConfig"].get("Mode"):
        fn.tracing_config = {"Mode": str(update["TracingConfig"]["Mode"])}
    if isinstance(update.get("EphemeralStorage"), dict) and isinstance(update["EphemeralStorage"].get("Size"), int):
        fn.ephemeral_storage = update["EphemeralStorage"]["Size"]


def function_from_uri(uri: str | None) -> str | None:
    """The Lambda ARN inside an integration or authorizer URI (either form API Gateway takes)."""
    if not uri:
        return None
    found = _FUNCTION_IN_URI.search(uri.split("/functions/")[-1])
    return found.group(1) if found else None


def http_api(api_id: str) -> HttpApiConfig:
    """The routes, integrations and authorizers of an HTTP API, found in whichever region holds it."""
    for region in _regions("apigatewayv2"):
        apis = _backend("apigatewayv2", region).apis
        if api_id in apis:
            api = apis[api_id]
            break
    else:
        raise ControlPlaneLookupError(f"No HTTP API {api_id} is deployed.")
    routes = []
    for route in list(api.routes.values()):
        function = None
        payload = "2.0"
        target = route.target or ""
        if target.startswith("integrations/"):
            integration = api.integrations.get(target.split("/", 1)[1])
            if integration is not None:
                function = function_from_uri(integration.integration_uri)
                payload = integration.payload_format_version or "2.0"
        authorizer_function = None
        identity: tuple[str, ...] = ()
        if route.authorization_type == "CUSTOM" and route.authorizer_id in api.authorizers:
            authorizer = api.authorizers[route.authorizer_id]
            authorizer_function = function_from_uri(authorizer.authorizer_uri)
            identity = tuple(authorizer.identity_source or ("$request.header.Authorization",))
        routes.append(RouteConfig(route.route_key, function, payload, authorizer_function, identity))
    return HttpApiConfig(api_id, region, tuple(routes), tuple(api.stages))


def write_log_events(region: str, group: str, stream: str, events: list[dict[str, Any]]) -> None:
    """Append events ({"timestamp": ms, "message": str}) to a stream, creating what is missing."""
    logs = _backend("logs", region)
    if group not in logs.groups:
        logs.create_log_group(group, {})
    if stream not in logs.groups[group].streams:
        logs.create_log_stream(group, stream)
    if events:
        logs.put_log_events(group, stream, events)


@dataclass(frozen=True)
class StateMachineConfig:
    """What the local Step Functions needs to run a state machine: its definition and role."""

    name: str
    arn: str
    definition: str
    role_arn: str
    region: str
    log_level: str = "OFF"
    log_group: str | None = None  # where executions' events are written (loggingConfiguration)
    type: str = "STANDARD"  # or EXPRESS


def state_machine(arn: str) -> StateMachineConfig:
    """The state machine (its stored definition) an ARN names, in the ARN's region."""
    parts = arn.split(":")
    region = parts[3] if len(parts) > 6 and parts[2] == "states" else ""
    if not region:
        raise ControlPlaneLookupError(f"{arn!r} is not a state machine ARN.")
    try:
        machine = _backend("stepfunctions", region).describe_state_machine(arn)
    except Exception:
        raise ControlPlaneLookupError(f"State Machine Does Not Exist: '{arn}'") from None
    logging = machine.loggingConfiguration or {}
    group = None
    for destination in logging.get("destinations") or []:
        arn = (destination.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn", "")
        found = re.search(r":log-group:([^:]+)", arn)
        group = found.group(1) if found else group
    return StateMachineConfig(machine.name, machine.arn, machine.definition, machine.roleArn, region,
                              str(logging.get("level") or "OFF"), group,
                              str(getattr(machine, "type", "") or "STANDARD"))


@dataclass(frozen=True)
class RuleTarget:
    """One target of an EventBridge rule: where a fire is delivered, and the input it gets."""

    id: str
    arn: str
    input: str | None = None  # JSON text sent instead of the event
    role_arn: str | None = None


@dataclass(frozen=True)
class EventRule:
    """An EventBridge rule as the local scheduler and event bus need it."""

    name: str
    arn: str
    region: str
    bus: str
    state: str
    schedule: str | None
    pattern: str | None  # the event pattern as JSON text
    targets: tuple[RuleTarget, ...]


def event_rules() -> list[EventRule]:
    """Every EventBridge rule of every region and bus, with its targets (moto stores, never fires them)."""
    found = []
    for region in _regions("events"):
        for bus in list(_backend("events", region).event_buses.values()):
            for rule in list(bus.rules.values()):
                targets = tuple(RuleTarget(str(t["Id"]), str(t["Arn"]), t.get("Input"), t.get("RoleArn"))
                                for t in list(rule.targets))
                found.append(EventRule(rule.name, rule.arn, region, bus.name, str(rule.state or "ENABLED"),
                                       rule.scheduled_expression or None, rule.event_pattern.dump() or None, targets))
    return found


# -- what the local notifications need: pipes, queued messages, buckets --------------------------


@dataclass(frozen=True)
class PipeConfig:
    """An EventBridge Pipe from an SQS queue, as the local poller needs it."""

    name: str
    arn: str
    region: str
    source: str  # the queue ARN
    target: str
    batch_size: int


@dataclass(frozen=True)
class QueuedMessage:
    """An SQS message received (now in flight), with what a Pipes record carries."""

    message_id: str
    receipt_handle: str
    body: str
    md5: str
    attributes: dict[str, str]
    message_attributes: dict[str, Any]


def running_pipes() -> list[PipeConfig]:
    """Every pipe whose source is an SQS queue and that is to run (moto stores pipes, never runs them)."""
    found = []
    for region in _regions("pipes"):
        for pipe in list(_backend("pipes", region).pipes.values()):
            if not str(pipe.source).startswith("arn:aws:sqs:") or (pipe.desired_state or "RUNNING") != "RUNNING":
                continue
            size = ((pipe.source_parameters or {}).get("SqsQueueParameters") or {}).get("BatchSize") or 10
            found.append(PipeConfig(pipe.name, pipe.arn, region, pipe.source, pipe.target, int(size)))
    return found


def receive_messages(queue_arn: str, count: int, visibility: int = 30) -> list[QueuedMessage]:
    """Up to ``count`` visible messages of the queue, made invisible for ``visibility`` seconds."""
    region, name = queue_arn.split(":")[3], queue_arn.rsplit(":", 1)[-1]
    try:
        received = _backend("sqs", region).receive_message(name, count, 0, visibility, ["All"])
    except Exception as exc:  # the queue is gone: its pipe has nothing to read
        raise ControlPlaneLookupError(f"The queue {queue_arn} does not exist.") from exc
    return [QueuedMessage(m.id, m.receipt_handle, m.body, m.body_md5, {
        "ApproximateReceiveCount": str(m.approximate_receive_count), "SentTimestamp": str(m.sent_timestamp),
        "SenderId": str(m.sender_id), "ApproximateFirstReceiveTimestamp": str(m.sent_timestamp),
    }, dict(m.message_attributes)) for m in received]


def delete_message(queue_arn: str, receipt_handle: str) -> None:
    region, name = queue_arn.split(":")[3], queue_arn.rsplit(":", 1)[-1]
    _backend("sqs", region).delete_message(name, receipt_handle)


def sends_to_eventbridge(bucket: str) -> bool:
    """Whether the bucket's EventBridge notifications are on (and the bucket exists)."""
    try:
        config = _s3().get_bucket(bucket).notification_configuration
    except Exception:
        return False
    return config is not None and getattr(config, "event_bridge", None) is not None


def s3_object(bucket: str, key: str) -> tuple[int, str] | None:
    """The size and ETag (without quotes) of an object, or None when there is none."""
    try:
        found = _s3().get_object(bucket, key)
    except Exception:
        return None
    return (int(found.size), str(found.etag).strip('"')) if found is not None else None


def _s3() -> Any:
    """moto's S3 is one backend per partition, not per region."""
    from moto.backends import get_backend

    return get_backend("s3")[ACCOUNT]["aws"]  # type: ignore[call-overload]


def s3_content(bucket: str, key: str) -> bytes:
    """An object's bytes, for a Distributed Map's ``s3:getObject`` ItemReader."""
    try:
        found = _s3().get_object(bucket, key)
    except Exception:
        found = None
    if found is None:
        raise ControlPlaneLookupError(f"The object s3://{bucket}/{key} does not exist.")
    return bytes(found.value)


def s3_listing(bucket: str, prefix: str = "") -> list[dict[str, Any]]:
    """The objects under a prefix as ``s3:listObjectsV2`` items: Etag, Key, LastModified (epoch
    seconds), Size, StorageClass, in key order."""
    try:
        keys = _s3().get_bucket(bucket).keys
    except Exception:
        raise ControlPlaneLookupError(f"The bucket {bucket} does not exist.") from None
    found = []
    for key in sorted(k for k in list(keys.keys()) if k.startswith(prefix)):
        item = keys[key]
        found.append({"Etag": str(item.etag) if str(item.etag).startswith('"') else f'"{item.etag}"', "Key": key,
                      "LastModified": int(item.last_modified.timestamp()), "Size": int(item.size),
                      "StorageClass": str(getattr(item, "storage_class", "STANDARD") or "STANDARD")})
    return found


# -- what code the control plane still holds: for the workers and unpacked folders that may go ---


@dataclass(frozen=True)
class DeployedCode:
    """Every function version and layer version the control plane holds, with the code hashes."""

    #: (region, function, version, CodeSha256) of ``$LATEST`` and of each published version
    versions: frozenset[tuple[str, str, str, str]]
    #: (region, function, version) an alias names: where traffic goes
    aliased: frozenset[tuple[str, str, str]]
    #: CodeSha256 of every layer version
    layers: frozenset[str]


def deployed_code() -> DeployedCode:
    versions: set[tuple[str, str, str, str]] = set()
    aliased: set[tuple[str, str, str]] = set()
    layers: set[str] = set()
    for region in _regions("lambda"):
        backend = _backend("lambda", region)
        storage = backend._lambdas
        for name, entry in list(storage._functions.items()):
            latest = entry.get("latest")
            if latest is not None:
                versions.add((region, name, "$LATEST", str(latest.code_sha_256)))
            for fn in list(entry.get("versions") or []):
                versions.add((region, name, str(fn.version), str(fn.code_sha_256)))
        for arn, aliases in list(storage._aliases.items()):
            name = arn.rsplit(":", 1)[-1]
            aliased.update((region, name, str(alias.function_version)) for alias in list(aliases.values()))
        for layer in list(backend._layers._layers.values()):
            layers.update(str(v.code_sha_256) for v in list(layer.layer_versions.values()))
    return DeployedCode(frozenset(versions), frozenset(aliased), frozenset(layers))


def latest_code_sha256(name: str, region: str) -> str | None:
    """The CodeSha256 of a function's ``$LATEST``, or None when there is no such function."""
    try:
        return str(_backend("lambda", region).get_function(name, None).code_sha_256)
    except Exception:
        return None
