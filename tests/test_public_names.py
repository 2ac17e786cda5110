"""The public names of each layer's package, pinned: adding one is a decision, removing one breaks
users. Every name listed resolves, and the clouds answer the ``Cloud`` protocol."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "coworks": {
        "BadGateway", "BadRequest", "Blueprint", "CORSConfig", "Conflict", "CoworksError", "DirectInvocationError",
        "Forbidden", "GatewayTimeout", "HTTPError", "InternalServerError", "Lambda", "MethodNotAllowed", "NotFound",
        "PayloadTooLarge", "Request", "Response", "Route", "RouteDefinitionError", "ServiceError",
        "ServiceUnavailable", "TechMicroService", "TooManyRequests", "Unauthorized", "UnprocessableEntity",
        "UnsupportedMediaType", "UploadedFile", "current_request", "entry", "schedule", "tokens_equal",
    },
    "coworks.docs": {"Admin", "Docs", "OpenApi"},
    "coworks.biz": {
        "And", "BotoLambdaInvoker", "Branch", "Catch", "Chain", "Choice", "Condition", "Execution",
        "ExpressionSyntaxError", "Fail", "IntrinsicSyntaxError", "Invoker", "JsonataSyntaxError", "Map", "Not", "Or",
        "Parallel", "Pass", "PathSyntaxError", "Problem", "RealClock", "Ref", "Retry", "Rule", "SimulatedClock",
        "State", "StateNotFoundError", "StatesError", "Succeed", "Task", "TaskContext", "UnresolvedResourceError",
        "Var", "Wait", "Workflow", "WorkflowError", "WorkflowValidationError", "s3_item_reader",
    },
    "coworks.cloud": {
        "AwsCloud", "AwsError", "Cloud", "CloudError", "CloudExecution", "ConcurrentDeployError", "ConfigurationError",
        "Deployment",
        "FilterPatternError", "InvalidRequestContentError", "LocalCloud", "Package", "PackagingError", "Plan",
        "RequestTooLargeError", "Secret", "SharedCloudError", "SnapshotError",
        "TimeSpecError", "TooManyRequestsError", "Trigger", "WorkerError", "WorkflowDeployment", "build_package",
        "load_service", "load_workflow", "open_cloud",
    },
    "coworks.notebook": {
        "CallResult", "DeployPanel", "EndpointCaller", "LogViewer", "Table", "WorkflowEditor", "WorkflowView",
        "open_cloud", "route_table",
    },
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_the_exported_names_are_exactly_these_and_each_resolves(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    missing = [name for name in module.__all__ if getattr(module, name, None) is None]
    assert missing == []


def test_every_cloud_error_is_exported_from_the_one_error_tree() -> None:
    import coworks.cloud
    from coworks.cloud import errors

    defined = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, coworks.cloud.CloudError)}
    assert defined <= set(coworks.cloud.__all__)
    assert all(name in (errors.__doc__ or "") for name in defined)  # drawn in the tree


def test_every_workflow_error_is_exported_and_drawn() -> None:
    import coworks.biz
    from coworks.biz import errors

    defined = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, coworks.biz.WorkflowError)}
    assert defined <= set(coworks.biz.__all__)
    assert all(name in (errors.__doc__ or "") for name in defined)


def test_both_clouds_answer_the_cloud_protocol() -> None:
    from coworks.cloud import AwsCloud, Cloud, LocalCloud

    members = [name for name in dir(Cloud) if not name.startswith("_")]
    for cloud in (AwsCloud, LocalCloud):
        assert [m for m in members if not hasattr(cloud, m) and m != "region"] == []
