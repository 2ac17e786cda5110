"""Deploying and running services and workflows, on AWS or the embedded local cloud.

``from coworks.cloud import LocalCloud, AwsCloud``. The folders are the nouns of the layer:
``packaging`` (a service's zip), ``deploy`` (models, plan, executor), ``logs`` (CloudWatch Logs),
``local`` (the embedded cloud); the modules here are the facade the clouds share. boto3 and moto
load only when a cloud is used, never at ``import coworks``.
"""

from __future__ import annotations

from ..moved import install as _install_moved
from .errors import (
    AwsError,
    CloudError,
    ConfigurationError,
    FilterPatternError,
    InvalidRequestContentError,
    PackagingError,
    RequestTooLargeError,
    ScheduleExpressionError,
    SharedCloudError,
    SnapshotError,
    TimeSpecError,
    WorkerError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "AwsCloud",
    "AwsError",
    "Cloud",
    "CloudError",
    "CloudExecution",
    "ConfigurationError",
    "Deployment",
    "FilterPatternError",
    "InvalidRequestContentError",
    "LocalCloud",
    "Package",
    "PackagingError",
    "Plan",
    "RequestTooLargeError",
    "ScheduleExpressionError",
    "Secret",
    "SharedCloudError",
    "SnapshotError",
    "TimeSpecError",
    "Trigger",
    "WorkerError",
    "WorkflowDeployment",
    "build_package",
    "load_service",
    "load_workflow",
]

_LAZY = {
    "AwsCloud": "aws",
    "Deployment": "deploy.deployments",
    "LocalCloud": "local.cloud",
    "Package": "packaging.package",
    "build_package": "packaging.package",
    "Secret": "packaging.settings",
    "Plan": "deploy.plan",
    "CloudExecution": "executions",
    "Trigger": "deploy.triggers",
    "WorkflowDeployment": "deploy.deployments",
    "Cloud": "protocol",
    "load_service": "targets",
    "load_workflow": "targets",
}

_install_moved()


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'coworks.cloud' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
