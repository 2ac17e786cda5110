"""What a service declares about its deployment: one ``Lambda(...)`` object or class attributes.

Either form, never both for the same setting::

    from coworks import Lambda, TechMicroService

    class Inventory(TechMicroService):
        settings = Lambda(
            requirements=["requests>=2.31"],                  # installed for Lambda's platform
            permissions=[("s3:GetObject", "arn:aws:s3:::stock/*")],   # extra IAM statements
            memory=256, timeout=30, ephemeral_storage=1024,   # MB, seconds, MB of /tmp
            architecture="arm64", python_version="3.12",     # Lambda runtime python3.12
            layers=["arn:aws:lambda:eu-west-3:123456789012:layer:pg:3"],
            subnets=["subnet-0a1b"], security_groups=["sg-0c2d"],   # the function's VPC
            tracing="Active",                                 # X-Ray (default PassThrough)
            reserved_concurrency=10,                          # None: the account's pool
            environment={"LEVEL": "info"},                    # merged over .env and .env.<stage>
            secrets={"DB_PASSWORD": "arn:aws:secretsmanager:..."},   # by reference, read granted
            log_retention=30,                                 # days kept in CloudWatch Logs
            api="http",                                       # or "rest": a REST API, which may have keys
        )

    class Partners(TechMicroService):
        settings = Lambda(api="rest", api_keys=["partner-a", "partner-b"],   # every route needs a key
                          usage_plan={"rate": 10, "burst": 20, "quota": 10000, "period": "MONTH"})

    class Legacy(TechMicroService):
        memory = 256                                          # the same names as class attributes

The ``Lambda`` object may sit under any attribute name (one per class). Its keywords are checked
when the class body runs; a class attribute that looks like a setting but is none (``layer``,
``vpc_config``, ``memory_size``) is refused here, naming the setting meant: nothing declared is
ever silently dropped. A mounted blueprint declares ``requirements`` and ``permissions`` the same
way; they are added to the service's. A permission is a statement dict or a pair ``("s3:GetObject",
"arn:...")``; wildcard actions (``"*"`` or ``"s3:*"``) are refused.

``api_keys`` and ``usage_plan`` need ``api="rest"`` (HTTP APIs have neither). Declared keys are
required by every route but those marked ``@entry(no_auth=True)``, which stay open to anyone;
API Gateway makes each key's value, read with ``cloud.api_key(service, name)``. The usage plan
meters each key: ``rate`` (requests per second, steady) with ``burst`` (the bucket's size), and a
``quota`` of requests a ``period`` (DAY, WEEK or MONTH); keys without a declared plan get one
without limits, as API Gateway only lets a key in through a usage plan.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from ...runtime.declarations import SETTINGS, Lambda, closest_setting
from ..errors import ConfigurationError
from .requirements import check_requirement
from .settings import secret_action

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RETENTIONS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
TRACING = ("PassThrough", "Active")
APIS = ("http", "rest")
PERIODS = ("DAY", "WEEK", "MONTH")
#: What a usage plan declares, and the limits API Gateway sets by default on an account.
USAGE_PLAN = ("rate", "burst", "quota", "period")
MAX_RATE, MAX_BURST = 10000, 5000
_KEY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: What a mounted blueprint may declare: what its own code needs.
BLUEPRINT_SETTINGS = ("requirements", "permissions")
_LAYER = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]{1,140}:\d+")
_SUBNET, _GROUP = re.compile(r"subnet-[0-9a-f]{8,17}"), re.compile(r"sg-[0-9a-f]{8,17}")


@dataclass(frozen=True)
class Limits:
    """A usage plan's limits for each API key: a token bucket (``rate`` per second, ``burst`` at
    once) and a ``quota`` of requests a ``period``; None where the plan sets none."""

    rate: float | None = None
    burst: int | None = None
    quota: int | None = None
    period: str | None = None


@dataclass(frozen=True)
class Declarations:
    """A service's deployment declarations, checked."""

    requirements: tuple[str, ...] = ()
    permissions: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # (actions, resources)
    memory: int = 128
    timeout: int = 30
    architecture: str = "x86_64"
    environment: tuple[tuple[str, str], ...] = ()
    log_retention: int = 30
    python_version: str = "3.11"
    ephemeral_storage: int = 512
    layers: tuple[str, ...] = ()
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    tracing: str = "PassThrough"
    reserved_concurrency: int | None = None
    secrets: tuple[tuple[str, str], ...] = ()  # (variable, ARN)
    api: str = "http"
    api_keys: tuple[str, ...] = ()  # the keys' names; API Gateway makes their values
    usage_plan: Limits | None = None  # with api_keys only

    @property
    def runtime(self) -> str:
        return f"python{self.python_version}"

    @property
    def variables(self) -> dict[str, str]:
        """The declared environment with the secrets' references (the variable holds the ARN)."""
        return {**dict(self.environment), **dict(self.secrets)}


def declared(cls: type, base: type | None = None) -> dict[str, Any]:
    """The settings ``cls`` declares, by name: its ``Lambda`` object's and its class attributes.

    Refused in one sentence: two ``Lambda`` objects, a setting given both ways, and a class
    attribute that looks like a setting but is none."""
    found: dict[str, Any] = {}
    objects = sorted({name for name in dir(cls) if isinstance(getattr(cls, name, None), Lambda)})
    if len(objects) > 1:
        raise ConfigurationError(f"{cls.__name__} holds several Lambda(...) settings ({', '.join(objects)}): keep "
                                 "one.", resource=objects[1])
    settings: Lambda | None = getattr(cls, objects[0]) if objects else None
    inherited = set(dir(base)) if base is not None else set()
    for name in SETTINGS:
        if name in inherited or not hasattr(cls, name):
            continue
        if settings is not None and name in settings.values:
            raise ConfigurationError(f"{cls.__name__} declares {name} twice, as a class attribute and in "
                                     f"{objects[0]} = Lambda(...): keep one.", resource=name)
        found[name] = getattr(cls, name)
    for name in _lookalikes(cls, inherited):
        meant = closest_setting(name)
        raise ConfigurationError(f"{cls.__name__}.{name} is not a deployment setting, so it would be ignored "
                                 f"(did you mean {meant}?): rename it, or write {meant}.", resource=name)
    for name, meant in _base_lookalikes(cls, base):
        raise ConfigurationError(f"{cls.__name__}.{name} is no attribute of {base.__name__ if base else 'the base'}, "
                                 f"so it would be ignored (did you mean {meant}?): rename it, or write {meant}.",
                                 resource=name)
    if settings is not None:
        found.update(settings.values)
    return found


def _base_lookalikes(cls: type, base: type | None) -> list[tuple[str, str]]:
    """(name, meant) for the class's own data attributes that look like one of the base class's
    own (``max_parts`` for ``max_form_parts``): the base reads its names only. Short names
    (``cors``) are left out: too many words of a service's own look like them (``cores``)."""
    if base is None:
        return []
    import difflib

    known = [name for name, value in vars(base).items() if not name.startswith("_") and name.islower()
             and len(name) >= 8 and not callable(value)
             and not isinstance(value, (property, classmethod, staticmethod))]
    found = []
    for klass in cls.__mro__:
        if klass is base or issubclass(base, klass):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in known or name in SETTINGS or callable(value):
                continue
            meant = difflib.get_close_matches(name, known, 1, 0.75)
            if meant:
                found.append((name, meant[0]))
    return sorted(set(found))


def _lookalikes(cls: type, inherited: set[str]) -> list[str]:
    """The class's own lower-case data attributes that are no setting but look like one."""
    names = []
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if (name.startswith("_") or name in inherited or name in SETTINGS or not name.islower()
                    or callable(value) or isinstance(value, (property, classmethod, staticmethod, Lambda))):
                continue
            if closest_setting(name) is not None:
                names.append(name)
    return sorted(set(names))


def read(service: Any) -> Declarations:
    """The declarations of ``service``'s class, refused with one sentence when one is wrong."""
    from ...runtime.service import Blueprint, TechMicroService

    cls = type(service)
    name = cls.__name__
    values = declared(cls, TechMicroService)
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    python = str(values.get("python_version", here if here in PYTHONS else "3.12"))
    if python not in PYTHONS:
        raise _refuse(name, "python_version", f"Lambda runs Python {', '.join(PYTHONS)}")
    memory = _whole(name, values, "memory", 128, 128, 10240, "MB")
    timeout = _whole(name, values, "timeout", 30, 1, 900, "seconds")
    storage = _whole(name, values, "ephemeral_storage", 512, 512, 10240, "MB of /tmp")
    architecture = values.get("architecture", "x86_64")
    if architecture not in ("x86_64", "arm64"):
        raise _refuse(name, "architecture", "it is 'x86_64' or 'arm64'")
    retention = values.get("log_retention", 30)
    if retention not in RETENTIONS:
        raise _refuse(name, "log_retention", f"CloudWatch keeps logs {', '.join(map(str, RETENTIONS[:8]))}... days")
    tracing = values.get("tracing", "PassThrough")
    if tracing not in TRACING:
        raise _refuse(name, "tracing", "it is 'Active' (X-Ray traces each request) or 'PassThrough'")
    concurrency = values.get("reserved_concurrency")
    if concurrency is not None and (type(concurrency) is not int or concurrency < 0):
        raise _refuse(name, "reserved_concurrency", "it is a whole number of executions (0 stops the function), or "
                      "None for the account's unreserved pool")
    api = values.get("api", "http")
    if api not in APIS:
        raise _refuse(name, "api", "it is 'http' (an API Gateway HTTP API) or 'rest' (a REST API, with API keys and "
                      "usage plans)")
    keys, limits = _keys(name, values, api)
    layers = _strings(name, values, "layers", _LAYER, "a layer version ARN arn:aws:lambda:<region>:<account>:layer:"
                      "<name>:<version>")
    if len(layers) > 5:
        raise _refuse(name, "layers", "a function takes at most 5 layers")
    subnets = _strings(name, values, "subnets", _SUBNET, "a subnet id like 'subnet-0a1b2c3d'")
    groups = _strings(name, values, "security_groups", _GROUP, "a security group id like 'sg-0a1b2c3d'")
    if bool(subnets) != bool(groups):
        raise ConfigurationError(f"{name} declares {'subnets' if subnets else 'security_groups'} alone: a function in "
                                 "a VPC needs both subnets and security_groups.", resource="subnets")
    if len(subnets) > 16 or len(groups) > 5:
        raise _refuse(name, "subnets" if len(subnets) > 16 else "security_groups",
                      "a function's VPC takes at most 16 subnets and 5 security groups")
    environment = _mapping(name, values, "environment")
    secrets = _mapping(name, values, "secrets")
    for variable, arn in secrets.items():
        if not variable.isidentifier() or secret_action(arn) is None:
            raise _refuse(name, "secrets", "each maps a variable name to an SSM parameter or Secrets Manager ARN")
        if variable in environment:
            raise ConfigurationError(f"{name} declares {variable} both in environment and in secrets: keep one.",
                                     resource=variable)
    requirements: list[str] = []
    permissions: list[Any] = []
    for owner in (cls, *mounted(service)):  # a mounted blueprint brings what it needs
        given = values if owner is cls else _blueprint(owner, Blueprint)
        wanted = given.get("requirements", ()) or ()
        if isinstance(wanted, str) or not all(isinstance(r, str) and r.strip() for r in wanted):
            raise _refuse(owner.__name__, "requirements", "it is a tuple of requirement strings like 'requests>=2.31'")
        requirements += [check_requirement(owner.__name__, r.strip()) for r in wanted if r.strip() not in requirements]
        permissions += list(given.get("permissions", ()) or ())
    return Declarations(
        requirements=tuple(requirements),
        permissions=tuple(dict.fromkeys(_permission(name, p) for p in permissions)),
        memory=memory,
        timeout=timeout,
        architecture=architecture,
        environment=tuple(sorted(environment.items())),
        log_retention=retention,
        python_version=python,
        ephemeral_storage=storage,
        layers=layers,
        subnets=tuple(sorted(subnets)),
        security_groups=tuple(sorted(groups)),
        tracing=tracing,
        reserved_concurrency=concurrency,
        secrets=tuple(sorted(secrets.items())),
        api=api,
        api_keys=keys,
        usage_plan=limits,
    )


def _keys(name: str, values: dict[str, Any], api: str) -> tuple[tuple[str, ...], Limits | None]:
    """The API keys' names and the usage plan's limits, each refused in one sentence."""
    given, plan = values.get("api_keys") or (), values.get("usage_plan")
    if (given or plan is not None) and api != "rest":
        setting = "api_keys" if given else "usage_plan"
        raise ConfigurationError(f"{name}.{setting} needs a REST API (HTTP APIs have no API keys nor usage plans): "
                                 "write api='rest', or remove it.", resource=setting)
    if isinstance(given, str) or not all(isinstance(k, str) and _KEY_NAME.fullmatch(k) for k in given):
        raise _refuse(name, "api_keys", "it is a list of key names, each of letters, digits, '-' and '_' (64 at most)")
    if len(set(given)) != len(given):
        raise _refuse(name, "api_keys", "each name comes once")
    if plan is None:
        return tuple(given), (Limits() if given else None)
    if not given:
        raise ConfigurationError(f"{name}.usage_plan meters API keys, and {name} declares none: add api_keys=[...] "
                                 "or remove usage_plan.", resource="usage_plan")
    if not isinstance(plan, dict):
        raise _refuse(name, "usage_plan", 'it is a dict like {"rate": 10, "burst": 20, "quota": 10000, "period": '
                      '"MONTH"}')
    for key in plan:
        if key not in USAGE_PLAN:
            import difflib

            meant = difflib.get_close_matches(str(key), USAGE_PLAN, 1, 0.6)
            hint = f" (did you mean {meant[0]}?)" if meant else ""
            raise ConfigurationError(f"{name}.usage_plan has no limit {key!r}{hint}: the limits are "
                                     f"{', '.join(USAGE_PLAN)}.", resource="usage_plan")
    rate, burst, quota = plan.get("rate"), plan.get("burst"), plan.get("quota")
    if (rate is None) != (burst is None):
        raise ConfigurationError(f"{name}.usage_plan declares {'rate' if rate is not None else 'burst'} alone: a "
                                 "throttle needs both rate (requests per second) and burst (requests at once).",
                                 resource="usage_plan")
    if rate is not None and (type(rate) not in (int, float) or not 0 < rate <= MAX_RATE):
        raise _refuse(name, "usage_plan", f"its rate is a number of requests per second above 0, {MAX_RATE} at most")
    if burst is not None and (type(burst) is not int or not 0 < burst <= MAX_BURST):
        raise _refuse(name, "usage_plan", f"its burst is a whole number of requests from 1 to {MAX_BURST}")
    period = plan.get("period")
    if quota is None and period is not None:
        raise ConfigurationError(f"{name}.usage_plan declares a period without a quota: add quota (requests a "
                                 "period), or remove period.", resource="usage_plan")
    if quota is not None:
        period = "MONTH" if period is None else period
        if type(quota) is not int or quota < 1:
            raise _refuse(name, "usage_plan", "its quota is a whole number of requests, 1 or more")
        if period not in PERIODS:
            raise _refuse(name, "usage_plan", f"its period is one of {', '.join(PERIODS)}")
    return tuple(given), Limits(None if rate is None else float(rate), burst, quota, period)


def mounted(service: Any) -> list[type]:
    """The classes of the blueprints mounted in ``service``, in the order they were registered."""
    return [type(blueprint) for _, blueprint in getattr(service, "_blueprints", ())]


def _blueprint(cls: type, base: type) -> dict[str, Any]:
    values = declared(cls, base)
    other = sorted(set(values) - set(BLUEPRINT_SETTINGS))
    if other:
        raise ConfigurationError(f"The blueprint {cls.__name__} declares {other[0]}: a blueprint declares only "
                                 f"{' and '.join(BLUEPRINT_SETTINGS)}; set {other[0]} on the service.",
                                 resource=other[0])
    return values


def _whole(name: str, values: dict[str, Any], setting: str, default: int, low: int, high: int, unit: str) -> int:
    value = values.get(setting, default)
    if type(value) is not int or not low <= value <= high:
        raise _refuse(name, setting, f"it is a whole number of {unit} from {low} to {high}")
    return value


def _strings(name: str, values: dict[str, Any], setting: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
    given = values.get(setting, ()) or ()
    if isinstance(given, str) or not all(isinstance(v, str) and pattern.fullmatch(v) for v in given):
        raise _refuse(name, setting, f"it is a list, each item {what}")
    if len(set(given)) != len(given):
        raise _refuse(name, setting, "each item comes once")
    return tuple(given)


def _mapping(name: str, values: dict[str, Any], setting: str) -> dict[str, str]:
    given = values.get(setting) or {}
    if not isinstance(given, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in given.items()):
        raise _refuse(name, setting, "it maps names to string values")
    return dict(given)


def _permission(name: str, item: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if isinstance(item, dict):
        if item.get("Effect", "Allow") != "Allow":
            raise _refuse(name, "permissions", "they only allow (a role denies by default)")
        actions, resources = item.get("Action"), item.get("Resource")
    elif isinstance(item, (tuple, list)) and len(item) == 2:
        actions, resources = item
    else:
        raise _refuse(name, "permissions", "each is a statement dict or a pair (action, resource)")
    actions = (actions,) if isinstance(actions, str) else tuple(actions or ())
    resources = (resources,) if isinstance(resources, str) else tuple(resources or ())
    if not actions or not resources:
        raise _refuse(name, "permissions", "each names its actions and resources")
    for action in actions:
        if not isinstance(action, str) or ":" not in action or action.split(":", 1)[1] in ("", "*"):
            raise ConfigurationError(
                f"{name}.permissions grants {action!r}: name the actions the service uses "
                "(like 's3:GetObject'), never a wildcard.",
                resource="permissions",
            )
    return tuple(sorted(actions)), tuple(sorted(str(r) for r in resources))


def _refuse(name: str, attribute: str, rule: str) -> ConfigurationError:
    return ConfigurationError(f"{name}.{attribute} is not valid: {rule}.", resource=attribute)

