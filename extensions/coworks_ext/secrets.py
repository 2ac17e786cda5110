"""Secrets by reference: the setting holds an SSM parameter or Secrets Manager ARN, read through
boto3 when first needed (and again after ``ttl`` seconds), or, on a machine without AWS, the
secret itself kept in the environment.

This is the convention of ``cloud.deploy(..., settings={"MAIL_PASSWORD": Secret(arn)})``: the
function's environment holds the ARN and its role may read exactly that ARN. The value never
appears in an error, a log line, a repr or an OpenAPI document; errors name the variable and the
ARN, which are not secret.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .errors import BadGateway, MisconfiguredError

SSM = "arn:aws:ssm:"
SECRETS_MANAGER = "arn:aws:secretsmanager:"
# What AWS answers when the ARN is wrong or the role may not read it: the operator's to fix.
_CONFIGURATION_CODES = frozenset({
    "ParameterNotFound", "ParameterVersionNotFound", "ResourceNotFoundException", "AccessDeniedException",
    "AccessDenied", "UnrecognizedClientException", "InvalidSignatureException", "ValidationException",
    "InvalidParameterException", "InvalidRequestException", "DecryptionFailure",
})


def is_reference(value: str) -> bool:
    return value.startswith((SSM, SECRETS_MANAGER))


class SecretStore:
    """Reads referenced secrets and keeps them ``ttl`` seconds (one read per warm Lambda, mostly)."""

    def __init__(self, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic,
                 client_factory: Callable[[str, str], Any] | None = None) -> None:
        self.ttl = ttl
        self.clock = clock
        self._client_factory = client_factory or _boto3_client
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def resolve(self, value: str, variable: str) -> str:
        """The secret that ``value`` (the content of ``variable``) refers to."""
        if not is_reference(value):
            return value
        now = self.clock()
        with self._lock:
            cached = self._cache.get(value)
            if cached is not None and now - cached[0] < self.ttl:
                return cached[1]
        secret = self._read(value, variable)
        with self._lock:
            self._cache[value] = (now, secret)
        return secret

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _read(self, arn: str, variable: str) -> str:
        parts = arn.split(":")
        region = parts[3] if len(parts) > 5 else ""
        if not region:
            raise MisconfiguredError(f"{variable} holds {arn!r}, which is not a full ARN with its region.")
        try:
            if arn.startswith(SSM):
                answer = self._client_factory("ssm", region).get_parameter(Name=arn, WithDecryption=True)
                secret = answer["Parameter"]["Value"]
            else:
                answer = self._client_factory("secretsmanager", region).get_secret_value(SecretId=arn)
                secret = answer.get("SecretString")
                if secret is None:
                    raise MisconfiguredError(f"The secret {arn} of {variable} is binary: store it as a string.")
        except MisconfiguredError:
            raise
        except Exception as exc:  # botocore's ClientError, EndpointConnectionError, NoCredentialsError...
            code = _error_code(exc)
            if code in _CONFIGURATION_CODES or type(exc).__name__ in ("NoCredentialsError", "NoRegionError"):
                raise MisconfiguredError(f"The secret {arn} named by {variable} cannot be read ({code}): "
                                         "check the ARN and that the function's role may read it.") from None
            raise BadGateway(f"The secret {arn} named by {variable} cannot be read now ({code}).") from None
        return str(secret)


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(exc).__name__)
    return type(exc).__name__


def _boto3_client(service: str, region: str) -> Any:
    import boto3  # provided by Lambda's runtime; only loaded when a secret is referenced

    return boto3.client(service, region_name=region)


_default = SecretStore()


def resolve_secret(value: str, variable: str, store: SecretStore | None = None) -> str:
    """The secret behind a setting's value: read through boto3 when it is an SSM or Secrets Manager ARN."""
    return (store or _default).resolve(value, variable)
