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
    ConcurrentDeployError,
    ConfigurationError,
    FilterPatternError,
    InvalidRequestContentError,
    PackagingError,
    RequestTooLargeError,
    SharedCloudError,
    SnapshotError,
    TimeSpecError,
    TooManyRequestsError,
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
    "ConcurrentDeployError",
    "ConfigurationError",
    "Deployment",
    "FilterPatternError",
    "InvalidRequestContentError",
    "LocalCloud",
    "Package",
    "PackagingError",
    "Plan",
    "RequestTooLargeError",
    "TooManyRequestsError",
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
    "open_cloud",
]

_install_moved()


def __getattr__(name: str) -> Any:
    """boto3 and moto load with the first cloud; the imports are written out so the architecture
    test sees them."""
    if name == "AwsCloud":
        from . import aws

        return getattr(aws, name)
    if name in ("Deployment", "WorkflowDeployment"):
        from .deploy import deployments

        return getattr(deployments, name)
    if name == "LocalCloud":
        from .local import cloud

        return getattr(cloud, name)
    if name in ("Package", "build_package"):
        from .packaging import package

        return getattr(package, name)
    if name == "Secret":
        from .packaging import settings

        return getattr(settings, name)
    if name == "Plan":
        from .deploy import plan

        return getattr(plan, name)
    if name == "Trigger":
        from .deploy import triggers

        return getattr(triggers, name)
    if name == "CloudExecution":
        from . import executions

        return getattr(executions, name)
    if name == "Cloud":
        from . import protocol

        return getattr(protocol, name)
    if name == "open_cloud":
        from . import opener

        return getattr(opener, name)
    if name in ("load_service", "load_workflow"):
        from . import targets

        return getattr(targets, name)
    raise AttributeError(f"module 'coworks.cloud' has no attribute {name!r}")
