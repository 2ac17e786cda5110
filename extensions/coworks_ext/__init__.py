"""What the Coworks extensions share, built only on Coworks' public API.

- ``Settings``: a service's configuration read from environment variables under a prefix,
  each bad value refused with one sentence naming the variable.
- ``resolve_secret``: a secret given by reference (an SSM parameter or Secrets Manager ARN read
  through boto3 at run time, or the value of an environment variable), never echoed.
- ``BadGateway`` (502), ``ServiceUnavailable`` (503), ``GatewayTimeout`` (504): the answers of a
  service whose backend (SMTP, Odoo, S3) is down, refuses, or is slow.
- ``ExtensionBlueprint``: a blueprint whose entries a workflow ``Task`` can call once mounted.
"""

from .errors import BadGateway, GatewayTimeout, MisconfiguredError, ServiceUnavailable
from .mounting import ExtensionBlueprint
from .secrets import SecretStore, resolve_secret
from .settings import Settings

__all__ = [
    "BadGateway",
    "ExtensionBlueprint",
    "GatewayTimeout",
    "MisconfiguredError",
    "SecretStore",
    "ServiceUnavailable",
    "Settings",
    "resolve_secret",
]
