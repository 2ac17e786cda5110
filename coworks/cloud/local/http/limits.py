"""AWS's size limits on the front door, answered as AWS answers them, decided from a request's
head so that nothing over a limit is ever read into memory.

=============================  ===========  ====================================================
request                        limit        answer past it
=============================  ===========  ====================================================
an HTTP API's traffic          10 MB        413 ``{"message":"Request Entity Too Large"}``
Lambda ``Invoke``              6,291,456 B  413 ``RequestTooLargeException``
``CreateFunction``,            69,905,067 B 413 ``RequestEntityTooLargeException`` (a 50 MB zip,
``UpdateFunctionCode``,                     base64 in JSON)
``PublishLayerVersion``
any other AWS call             128 MiB      413, the local cloud's own limit (S3: upload in parts)
=============================  ===========  ====================================================

(API Gateway's HTTP API quotas: "Payload size 10 MB"; Lambda's: 6 MB synchronous payload,
50 MB zipped code uploaded directly, 250 MB unzipped.)
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

from ....runtime.http.server import HttpAnswer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ....runtime.http.framing import RequestHead

API_GATEWAY_PAYLOAD = 10 * 1024 * 1024
INVOKE_PAYLOAD = 6_291_456
CODE_REQUEST = 69_905_067
UNZIPPED_CODE = 262_144_000
OTHER_REQUEST = 128 * 1024 * 1024
EXECUTE_API = "/_aws/execute-api/"

_INVOKE = re.compile(r"^/2015-03-31/functions/[^/]+/invocations/?$")
_CODE = (("POST", re.compile(r"^/2015-03-31/functions/?$"), "CreateFunction"),
         ("PUT", re.compile(r"^/2015-03-31/functions/[^/]+/code/?$"), "UpdateFunctionCode"),
         ("POST", re.compile(r"^/2018-10-31/layers/[^/]+/versions/?$"), "PublishLayerVersion"))


@dataclass(frozen=True)
class BodyLimit:
    """The largest body a request may carry, and what it is (``gateway``, an operation's name, ``aws``)."""

    size: int
    what: str


def body_limit(head: RequestHead) -> BodyLimit:
    path = head.path
    if path.startswith(EXECUTE_API):
        return BodyLimit(API_GATEWAY_PAYLOAD, "gateway")
    if head.method == "POST" and _INVOKE.match(path):
        return BodyLimit(INVOKE_PAYLOAD, "InvokeFunction")
    operation = code_operation(head.method, path)
    if operation is not None:
        return BodyLimit(CODE_REQUEST, operation)
    return BodyLimit(OTHER_REQUEST, "aws")


def code_operation(method: str, path: str) -> str | None:
    """``CreateFunction``, ``UpdateFunctionCode`` or ``PublishLayerVersion`` for a request carrying code."""
    return next((name for verb, pattern, name in _CODE if method == verb and pattern.match(path)), None)


def too_large(limit: BodyLimit) -> HttpAnswer:
    """AWS's answer to a body over ``limit``."""
    if limit.what == "gateway":
        return HttpAnswer(413, [("Content-Type", "application/json")], b'{"message":"Request Entity Too Large"}')
    if limit.what == "InvokeFunction":
        return aws_error(413, "RequestTooLargeException",
                         f"Request must be smaller than {INVOKE_PAYLOAD} bytes for the InvokeFunction operation")
    if limit.what != "aws":
        return aws_error(413, "RequestEntityTooLargeException",
                         f"Request must be smaller than {CODE_REQUEST} bytes for the {limit.what} operation")
    return aws_error(413, "RequestEntityTooLargeException",
                     f"The local cloud takes requests of at most {OTHER_REQUEST} bytes: upload larger S3 objects "
                     "in parts (multipart upload).")


def aws_error(status: int, code: str, message: str, **extra: str) -> HttpAnswer:
    """An error in Lambda's REST-JSON shape: ``{"Type": "User", "message"}`` and ``x-amzn-ErrorType``."""
    body = json.dumps({"Type": "User", "message": message, **extra}).encode()
    return HttpAnswer(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", code),
                               ("x-amzn-RequestId", str(uuid.uuid4()))], body)
