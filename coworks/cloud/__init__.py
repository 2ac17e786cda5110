"""Deploying services: packaging, resource model, plan, apply, destroy, and the clouds.

``from coworks.cloud import LocalCloud, AwsCloud``. boto3 and moto load only when a cloud is
used, never at ``import coworks``.
"""

from __future__ import annotations

from .errors import AwsError, CloudError, ConfigurationError, PackagingError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "AwsCloud",
    "AwsError",
    "CloudError",
    "CloudExecution",
    "ConfigurationError",
    "Deployment",
    "LocalCloud",
    "Package",
    "PackagingError",
    "Plan",
    "Trigger",
    "WorkflowDeployment",
    "build_package",
]

_LAZY = {
    "AwsCloud": "aws",
    "Deployment": "aws",
    "LocalCloud": "local",
    "Package": "packaging",
    "build_package": "packaging",
    "Plan": "plan",
    "CloudExecution": "executions",
    "Trigger": "workflowmodel",
    "WorkflowDeployment": "workflows",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'coworks.cloud' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
