"""A REST API as the local gateway needs it, read out of the control plane (moto's ``apigateway``
backend) at each request: the only module that knows moto's names for REST APIs, usage plans and
API keys; what it returns is frozen data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..controlplane import ACCOUNT, ControlPlaneLookupError, function_from_uri


@dataclass(frozen=True)
class AuthorizerConfig:
    """A Lambda authorizer: TOKEN (one header) or REQUEST (the whole request)."""

    type: str
    function: str | None
    identity_source: tuple[str, ...]  # method.request.header.X, ...
    validation: str | None = None  # a TOKEN's identityValidationExpression


@dataclass(frozen=True)
class MethodConfig:
    http_method: str  # GET, POST... or ANY
    function: str | None  # the Lambda a proxy integration invokes
    integration: str | None  # AWS_PROXY, MOCK, ...
    authorizer: AuthorizerConfig | None
    api_key_required: bool


@dataclass(frozen=True)
class ResourceConfig:
    path: str  # "/item/{item_id}"
    methods: tuple[MethodConfig, ...]
    resource_id: str | None = None  # API Gateway's id of the resource (the event's requestContext.resourceId)

    def method(self, verb: str) -> MethodConfig | None:
        """The method answering ``verb``: its own, else ``ANY``."""
        found = {m.http_method: m for m in self.methods}
        return found.get(verb) or found.get("ANY")


@dataclass(frozen=True)
class RestApiConfig:
    api_id: str
    region: str
    resources: tuple[ResourceConfig, ...]
    stages: tuple[str, ...]  # those with a deployment
    binary_media_types: tuple[str, ...] = ()
    api_key_source: str = "HEADER"


@dataclass(frozen=True)
class KeyGrant:
    """An enabled API key allowed on a stage by a usage plan, and that plan's limits."""

    key_id: str
    plan_id: str
    rate: float | None = None
    burst: int | None = None
    quota: int | None = None
    period: str | None = None


def _backends() -> list[tuple[str, Any]]:
    from moto.backends import get_backend

    regions = get_backend("apigateway")[ACCOUNT]  # type: ignore[call-overload]
    return [(region, regions[region]) for region in list(regions.keys())]


def rest_api(api_id: str) -> RestApiConfig:
    """The REST API ``api_id`` in whichever region holds it."""
    held = [(region, backend.apis[api_id]) for region, backend in _backends() if api_id in backend.apis]
    if not held:
        raise ControlPlaneLookupError(f"No REST API {api_id} is deployed.")
    region, api = held[0]
    authorizers = {}
    for key, found in list(api.authorizers.items()):
        sources = tuple(s.strip() for s in str(found.identity_source or "").split(",") if s.strip())
        authorizers[key] = AuthorizerConfig(str(found.type or "TOKEN"), function_from_uri(found.authorizer_uri),
                                            sources, found.identity_validation_expression or None)
    resources = []
    for resource in list(api.resources.values()):
        methods = []
        for verb, method in list(resource.resource_methods.items()):
            integration = method.method_integration
            custom = method.authorization_type == "CUSTOM"
            methods.append(MethodConfig(
                verb, function_from_uri(integration.uri) if integration is not None else None,
                integration.integration_type if integration is not None else None,
                authorizers.get(method.authorizer_id) if custom else None, bool(method.api_key_required)))
        resources.append(ResourceConfig(resource.get_path(), tuple(methods), str(resource.id)))
    stages = tuple(name for name, stage in list(api.stages.items()) if stage.deployment_id)
    return RestApiConfig(api_id, region, tuple(resources), stages, tuple(api.binaryMediaTypes or ()),
                         str(api.api_key_source or "HEADER"))


def key_grant(region: str, api_id: str, stage: str, value: str) -> KeyGrant | None:
    """The usage plan letting the key of this value call ``api_id``'s ``stage``, or None: no such
    key, a disabled one, or no plan of the stage holds it."""
    from moto.backends import get_backend

    backend = get_backend("apigateway")[ACCOUNT][region]  # type: ignore[call-overload]
    key = next((k for k in list(backend.keys.values()) if k.value == value), None)
    if key is None or not _enabled(key.enabled):
        return None
    for plan_id, plan in list(backend.usage_plans.items()):
        stages = [(s.get("apiId"), s.get("stage")) for s in plan.api_stages or []]
        if (api_id, stage) in stages and key.id in backend.usage_plan_keys.get(plan_id, {}):
            throttle, quota = plan.throttle or {}, plan.quota or {}
            rate, burst = throttle.get("rateLimit"), throttle.get("burstLimit")
            limit = quota.get("limit")
            return KeyGrant(key.id, plan_id, None if rate is None else float(rate),
                            None if burst is None else int(burst), None if limit is None else int(limit),
                            quota.get("period") if limit is not None else None)
    return None


def _enabled(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
