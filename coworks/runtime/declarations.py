"""``Lambda(...)``: everything a service declares about the function it deploys as, in one object.

    class Inventory(TechMicroService):
        settings = Lambda(memory=256, timeout=30, layers=["arn:aws:lambda:eu-west-3:123456789012:layer:pg:3"],
                          subnets=["subnet-0a1b"], security_groups=["sg-0c2d"], tracing="Active")

The names are checked here, when the class body runs, so a typo fails on the line that has it,
naming the setting meant; the values are checked by the deploy (``coworks.cloud.packaging.
declarations``), which knows Lambda's limits. The same names work as class attributes
(``memory = 256``). The runtime ships this module and never reads it: a Lambda pays the import of
one small class.
"""

from __future__ import annotations

from .errors import ServiceError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Every setting a service may declare, as ``Lambda(...)`` keywords or class attributes.
SETTINGS = (
    "requirements", "permissions", "memory", "timeout", "ephemeral_storage", "architecture", "python_version",
    "layers", "subnets", "security_groups", "tracing", "reserved_concurrency", "environment", "secrets",
    "log_retention", "api", "api_keys", "usage_plan",
)
#: Names from AWS's APIs and other tools, and what Coworks calls the setting.
ALSO_KNOWN_AS = {
    "memory_size": "memory", "memorysize": "memory", "runtime": "python_version", "python": "python_version",
    "architectures": "architecture", "layer": "layers", "vpc": "subnets and security_groups",
    "vpc_config": "subnets and security_groups", "subnet_ids": "subnets", "security_group_ids": "security_groups",
    "tracing_config": "tracing", "tracing_mode": "tracing", "xray": "tracing",
    "reserved_concurrent_executions": "reserved_concurrency", "concurrency": "reserved_concurrency",
    "ephemeral_storage_size": "ephemeral_storage", "tmp_size": "ephemeral_storage", "env": "environment",
    "environment_variables": "environment", "policies": "permissions", "statements": "permissions",
    "iam_statements": "permissions", "retention": "log_retention", "retention_in_days": "log_retention",
    "api_kind": "api", "api_type": "api", "timeout_seconds": "timeout", "api_key": "api_keys",
    "apikeys": "api_keys", "usage_plans": "usage_plan", "usageplan": "usage_plan",
}


class Lambda:
    """The deployment settings of a service, by keyword; an unknown keyword is refused at once."""

    __slots__ = ("values",)

    def __init__(self, **settings: Any) -> None:
        for name in settings:
            if name not in SETTINGS:
                raise ServiceError(unknown_setting("Lambda()", name))
        self.values: dict[str, Any] = settings

    def __repr__(self) -> str:
        return f"Lambda({', '.join(sorted(self.values))})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lambda) and other.values == self.values

    __hash__ = None  # type: ignore[assignment]


def closest_setting(name: str) -> str | None:
    """The setting ``name`` was likely meant as: an alias, else the closest name (difflib)."""
    if name.lower() in ALSO_KNOWN_AS:
        return ALSO_KNOWN_AS[name.lower()]
    import difflib  # only on a mistake

    found = difflib.get_close_matches(name.lower(), SETTINGS, 1, 0.75)
    return found[0] if found else None


def unknown_setting(where: str, name: str) -> str:
    """The one sentence refusing ``name``, with the setting it was likely meant as."""
    meant = closest_setting(name)
    hint = f" (did you mean {meant}?)" if meant else ""
    return f"{where} has no setting {name!r}{hint}: the settings are {', '.join(SETTINGS)}."
