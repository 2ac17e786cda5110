"""Every error the cloud layer raises: one sentence naming the resource and the fix, AWS's code attached.

::

    CoworksError                      (coworks.errors)
     └── CloudError                   .resource, .code
          ├── ConfigurationError      no region or credentials, a refused declaration or name
          ├── PackagingError          a service that cannot be zipped for Lambda (.package)
          ├── AwsError                an AWS call refused or failed (.code is AWS's, .operation)
          ├── ConcurrentDeployError   another deploy or destroy of that service and stage runs or ran meanwhile
          ├── TimeSpecError           a since/until time that cannot be read (.text)
          ├── FilterPatternError      a CloudWatch filter pattern AWS would refuse (.pattern, .position)
          ├── SharedCloudError        the shared local cloud cannot start or be reached
          ├── SnapshotError           a persisted local cloud that cannot be restored
          └── WorkerError             an invocation the local Lambda cannot run
               ├── InvalidRequestContentError   payload not JSON (Lambda's 400)
               ├── RequestTooLargeError         payload over 6 MB (Lambda's 413)
               └── TooManyRequestsError         the function's concurrency is used up (Lambda's 429)

``except CloudError`` catches all of them; ``except CoworksError`` anything Coworks raises.
"""

from __future__ import annotations

from ..errors import CoworksError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class CloudError(CoworksError):
    """Base of the cloud layer's errors; ``resource`` names what it is about, ``code`` is AWS's code."""

    def __init__(self, message: str, *, resource: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.resource = resource
        self.code = code

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} [{self.code}]" if self.code else text


class PackagingError(CloudError):
    """The service cannot be turned into a Lambda zip (source not found, requirement without wheel, too big)."""

    def __init__(self, message: str, *, package: str | None = None, resource: str | None = None) -> None:
        super().__init__(message, resource=resource)
        self.package = package


class ConfigurationError(CloudError):
    """The cloud cannot be reached as configured: no region, no credentials, a refused declaration."""


class ConcurrentDeployError(CloudError):
    """Another deploy (or destroy) of the same service or workflow and stage holds its lock, or
    changed it while this one ran: nothing of the other's work is undone; retry when it has ended.
    ``holder`` says who holds the lock (``process 4242 on host``), when known."""

    def __init__(self, message: str, *, resource: str | None = None, code: str | None = None,
                 holder: str | None = None, stale_plan: bool = False) -> None:
        super().__init__(message, resource=resource, code=code)
        self.holder = holder
        #: The lock was free, but the plan shown before no longer is what the deploy would do.
        self.stale_plan = stale_plan


class TimeSpecError(CloudError):
    """A time that cannot be read; ``text`` is what was given."""

    def __init__(self, message: str, *, text: object) -> None:
        super().__init__(message, resource=str(text))
        self.text = text


class FilterPatternError(CloudError):
    """A filter pattern that CloudWatch Logs would refuse; names the bad token and where it is."""

    def __init__(self, message: str, *, pattern: str, position: int, token: str) -> None:
        super().__init__(message, resource=pattern)
        self.pattern = pattern
        self.position = position
        self.token = token


class SharedCloudError(CloudError):
    """The shared local cloud cannot start or cannot be reached."""


class SnapshotError(CloudError):
    """A persisted state that cannot be restored (another moto version, a damaged file)."""


class WorkerError(CloudError):
    """An invocation the pool cannot run: closed pool, unreadable package."""


class InvalidRequestContentError(WorkerError):
    """The payload is not JSON; Lambda answers 400 InvalidRequestContentException without running code."""

    def __init__(self, message: str, *, resource: str | None = None) -> None:
        super().__init__(message, resource=resource, code="InvalidRequestContentException")


class RequestTooLargeError(WorkerError):
    """The payload is over 6 MB; Lambda answers 413 RequestTooLargeException without running code."""

    def __init__(self, message: str, *, resource: str | None = None) -> None:
        super().__init__(message, resource=resource, code="RequestTooLargeException")


class TooManyRequestsError(WorkerError):
    """Every execution the function may run at once is running: Lambda throttles (429
    TooManyRequestsException) rather than queue. ``reason`` is Lambda's: the function's reserved
    concurrency, or the account's (on the local cloud, ``LocalLambda(concurrency=...)``)."""

    def __init__(self, message: str, *, resource: str | None = None,
                 reason: str = "ReservedFunctionConcurrentInvocationLimitExceeded") -> None:
        super().__init__(message, resource=resource, code="TooManyRequestsException")
        self.reason = reason


class AwsError(CloudError):
    """An AWS call failed; ``operation`` is the API call, ``code`` the error code AWS returned."""

    def __init__(self, message: str, *, resource: str | None, code: str | None, operation: str = "") -> None:
        super().__init__(message, resource=resource, code=code)
        self.operation = operation


_EXISTS = "a resource with this name exists outside Coworks: rename the service or remove it"

# What to do about the errors a deploy meets most, by AWS error code.
_FIXES = {
    "AccessDenied": "give your AWS identity the permission for {op} (or use --profile with one that has it)",
    "AccessDeniedException": "give your AWS identity the permission for {op} (or use --profile with one that has it)",
    "UnrecognizedClientException": "check your credentials (aws configure, or --profile)",
    "InvalidClientTokenId": "check your credentials (aws configure, or --profile)",
    "ExpiredToken": "refresh your credentials (aws sso login, or new session keys)",
    "ExpiredTokenException": "refresh your credentials (aws sso login, or new session keys)",
    "ResourceConflictException": "another update of it is in progress: wait a moment and deploy again",
    "TooManyRequestsException": "AWS is throttling: deploy again in a moment",
    "Throttling": "AWS is throttling: deploy again in a moment",
    "LimitExceededException": "an account quota is reached: delete unused resources or raise the quota",
    "EntityAlreadyExists": _EXISTS,
    "ResourceAlreadyExistsException": _EXISTS,
    "InvalidParameterValueException": "check the service's declarations (memory, timeout, environment)",
    "MalformedPolicyDocument": "check the service's declared permissions (actions and ARNs)",
    "CodeStorageExceededException": "delete old function versions or packages to free Lambda code storage",
    "RequestEntityTooLargeException": "the package is too large for direct upload: trim requirements or use S3",
}


def from_aws(exc: BaseException, operation: str, resource: str | None) -> CloudError:
    """Turn a botocore exception into one sentence; the original is chained by the caller."""
    code, message = _code_and_message(exc)
    fix = _FIXES.get(code or "", "fix what AWS reports and run it again: a deploy converges from where it stopped")
    if not code:  # not a ClientError: connection, credentials, region
        name = type(exc).__name__
        if name in ("NoCredentialsError", "PartialCredentialsError"):
            return ConfigurationError(
                "No AWS credentials found: run `aws configure`, pass --profile, or set AWS_ACCESS_KEY_ID.",
                resource=resource, code=name,
            )
        if name in ("EndpointConnectionError", "ConnectionClosedError", "ConnectTimeoutError"):
            return AwsError(
                f"Cannot reach AWS for {operation} on {resource or 'the account'}: "
                "check the network or --endpoint-url.",
                resource=resource, code=name, operation=operation,
            )
        code = name
    what = f"{operation} on {resource}" if resource else operation
    sentence = f"{what} failed: {message.rstrip('.')}; {fix.format(op=operation)}."
    return AwsError(sentence, resource=resource, code=code, operation=operation)


def _code_and_message(exc: BaseException) -> tuple[str | None, str]:
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response.get("Error") or {}
        return str(error.get("Code") or "") or None, str(error.get("Message") or exc)
    return None, str(exc) or type(exc).__name__
