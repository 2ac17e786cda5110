"""The root of Coworks' own errors, importable from every layer.

Each layer derives its base from ``CoworksError``: ``ServiceError`` (runtime),
``WorkflowError`` (biz), ``CloudError`` (cloud).
"""

from .runtime.errors import CoworksError, HTTPError, RouteDefinitionError, ServiceError

__all__ = ["CoworksError", "HTTPError", "RouteDefinitionError", "ServiceError"]
