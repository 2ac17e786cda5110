"""What a service class declares about its deployment, read as class attributes with defaults.

The runtime does not define these yet, so they are read with ``getattr`` on the class::

    class Inventory(TechMicroService):
        requirements = ("requests>=2.31",)       # installed for Lambda's platform
        permissions = [{"Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::stock/*"}]
        memory = 256                               # MB, 128..10240
        timeout = 30                               # seconds, 1..900
        architecture = "arm64"                     # or "x86_64"
        environment = {"LEVEL": "info"}            # merged over .env and .env.<stage>
        log_retention = 30                         # days kept in CloudWatch Logs
        python_version = "3.12"                    # Lambda runtime python3.12

A mounted blueprint declares ``requirements`` and ``permissions`` the same way; they are added to
the service's, so mounting ``MailBlueprint`` brings what it needs. A permission is a statement
dict or a pair ``("s3:GetObject", "arn:...")``. Wildcard actions
(``"*"`` or ``"s3:*"``) are refused: the role grants exactly what the service says it uses.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RETENTIONS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")


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

    @property
    def runtime(self) -> str:
        return f"python{self.python_version}"


def read(service: Any) -> Declarations:
    """The declarations of ``service``'s class, refused with one sentence when one is wrong."""
    cls = type(service)
    name = cls.__name__
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    python = str(getattr(cls, "python_version", here if here in PYTHONS else "3.12"))
    if python not in PYTHONS:
        raise _refuse(name, "python_version", f"Lambda runs Python {', '.join(PYTHONS)}")
    memory = getattr(cls, "memory", 128)
    if type(memory) is not int or not 128 <= memory <= 10240:
        raise _refuse(name, "memory", "it is a whole number of MB from 128 to 10240")
    timeout = getattr(cls, "timeout", 30)
    if type(timeout) is not int or not 1 <= timeout <= 900:
        raise _refuse(name, "timeout", "it is a whole number of seconds from 1 to 900")
    architecture = getattr(cls, "architecture", "x86_64")
    if architecture not in ("x86_64", "arm64"):
        raise _refuse(name, "architecture", "it is 'x86_64' or 'arm64'")
    retention = getattr(cls, "log_retention", 30)
    if retention not in RETENTIONS:
        raise _refuse(name, "log_retention", f"CloudWatch keeps logs {', '.join(map(str, RETENTIONS[:8]))}... days")
    requirements: list[str] = []
    permissions: list[Any] = []
    for owner in (cls, *mounted(service)):  # a mounted blueprint brings what it needs
        declared = getattr(owner, "requirements", ())
        if isinstance(declared, str) or not all(isinstance(r, str) and r.strip() for r in declared):
            raise _refuse(owner.__name__, "requirements", "it is a tuple of requirement strings like 'requests>=2.31'")
        requirements += [r.strip() for r in declared if r.strip() not in requirements]
        permissions += list(getattr(owner, "permissions", ()) or ())
    environment = dict(getattr(cls, "environment", None) or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in environment.items()):
        raise _refuse(name, "environment", "it maps names to string values")
    return Declarations(
        requirements=tuple(requirements),
        permissions=tuple(dict.fromkeys(_permission(name, p) for p in permissions)),
        memory=memory,
        timeout=timeout,
        architecture=architecture,
        environment=tuple(sorted(environment.items())),
        log_retention=retention,
        python_version=python,
    )


def mounted(service: Any) -> list[type]:
    """The classes of the blueprints mounted in ``service``, in the order they were registered."""
    return [type(blueprint) for _, blueprint in getattr(service, "_blueprints", ())]


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
