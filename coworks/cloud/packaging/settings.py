"""A stage's environment: ``.env``, then ``.env.<stage>``, then the class's ``environment``,
then explicit settings, each overriding the one before.

Secrets travel by reference only: a value that is an SSM parameter or Secrets Manager ARN (or
``Secret("arn:...")``) is put in the function's environment as the ARN, and the role is granted
read access to exactly that ARN; the function reads the value at run time. Plans and status
never print environment values at all, only their names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

_SECRET_PREFIXES = {"arn:aws:ssm:": "ssm:GetParameter", "arn:aws:secretsmanager:": "secretsmanager:GetSecretValue"}


@dataclass(frozen=True)
class Secret:
    """A reference to a secret (SSM parameter or Secrets Manager ARN); its repr never shows more."""

    arn: str

    def __post_init__(self) -> None:
        if not self.arn.startswith(tuple(_SECRET_PREFIXES)):
            raise ConfigurationError(
                f"Secret({self.arn[:20]!r}...) is not an SSM parameter or Secrets Manager ARN: pass the full ARN.",
                resource="secret",
            )

    def __repr__(self) -> str:
        return "Secret(...)"


def secret_action(value: str) -> str | None:
    """The IAM action that reads the secret a value refers to, or None for a plain value."""
    for prefix, action in _SECRET_PREFIXES.items():
        if value.startswith(prefix):
            return action
    return None


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; ``#`` comments, ``export`` prefixes and quotes as in common .env files."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigurationError(f"{path.name} line {number} is not KEY=VALUE: fix or comment it.",
                                     resource=str(path))
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def stage_environment(
    stage: str,
    root: Path | None,
    declared: Mapping[str, str],
    settings: Mapping[str, str | Secret] | None = None,
) -> dict[str, str]:
    """The environment variables of a service at ``stage``, secrets as their ARN."""
    base = root or Path.cwd()
    merged: dict[str, str] = {}
    merged.update(read_dotenv(base / ".env"))
    merged.update(read_dotenv(base / f".env.{stage}"))
    merged.update(declared)
    for key, value in (settings or {}).items():
        if not key.isidentifier():
            raise ConfigurationError(f"Setting {key!r} is not a valid environment variable name.", resource=key)
        merged[key] = value.arn if isinstance(value, Secret) else str(value)
    reserved = sorted(k for k in merged if k.startswith("AWS_") or k.startswith("LAMBDA_"))
    if reserved:
        raise ConfigurationError(f"{reserved[0]} is reserved by Lambda: rename the setting.", resource=reserved[0])
    return dict(sorted(merged.items()))
