"""Lambda's control-plane rules that moto leaves out, applied by the front door:

- Code is refused as Lambda refuses it: a zip that unpacks past 250 MB (``Unzipped size must be
  smaller than 262144000 bytes``: a zip bomb) or that is no zip, whether uploaded or named in S3,
  for ``CreateFunction``, ``UpdateFunctionCode`` and ``PublishLayerVersion`` (the 50 MB upload
  limit is the request's size, :mod:`.http.limits`).
- ``PublishVersion`` with ``CodeSha256`` publishes only if ``$LATEST`` still holds that code
  (``CodeSHA256 (...) is different from current CodeSHA256 in $LATEST``): a deploy never
  publishes code another deploy uploaded meanwhile. The check and the publish hold the
  function's lock, which ``UpdateFunctionCode`` also takes.
- What goes with a function goes: after a Lambda call that changes code, versions or aliases,
  idle workers of versions that are gone, replaced or no longer named by an alias stop, and
  unpacked code no version or layer holds any more is removed.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

from .http.limits import UNZIPPED_CODE, aws_error, code_operation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ...runtime.http.server import HttpAnswer

_FUNCTION = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)(?P<rest>/.*)?$")
_CHANGES = ("/code", "/versions", "/aliases", "/configuration")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def unzipped_size(data: bytes) -> int:
    """What a zip unpacks to, from its central directory (``zipfile`` never extracts more than an
    entry's declared size). Raises ``zipfile.BadZipFile`` for what is no zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(max(0, info.file_size) for info in archive.infolist())


def code_problem(data: bytes) -> str | None:
    """Lambda's sentence for code it refuses, or None."""
    try:
        size = unzipped_size(data)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return "Could not unzip uploaded file. Please check your file, then try to upload again."
    if size > UNZIPPED_CODE:
        return f"Unzipped size must be smaller than {UNZIPPED_CODE} bytes"
    return None


def function_name(path: str) -> str | None:
    found = _FUNCTION.match(path)
    if found is None:
        return None
    name = unquote(found.group("name"))
    return name.rsplit(":", 1)[-1] if name.startswith("arn:") else name


@contextmanager
def function_lock(method: str, path: str) -> Iterator[None]:
    """Holds the function's lock around a Lambda call that changes its code or publishes it."""
    name = function_name(path)
    if name is None or method not in ("POST", "PUT") or not path.endswith(("/code", "/versions")):
        yield
        return
    with _locks_guard:
        lock = _locks.setdefault(name, threading.Lock())
    with lock:
        yield


def lambda_refusal(method: str, path: str, body: bytes, region: str) -> HttpAnswer | None:
    """Lambda's answer to a call it refuses before moto sees it, or None to go on."""
    operation = code_operation(method, path)
    if operation is not None:
        data = _code_of(operation, body)
        if data is not None:
            problem = code_problem(data)
            if problem is not None:
                return aws_error(400, "InvalidParameterValueException", problem)
        return None
    if method == "POST" and path.endswith("/versions") and path.startswith("/2015-03-31/functions/"):
        return _publish_refusal(path, body, region)
    return None


def _code_of(operation: str, body: bytes) -> bytes | None:
    """The zip a code-carrying request holds, inline (base64) or named in the local S3; None when unreadable."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return None  # moto answers the malformed request itself
    if not isinstance(request, dict):
        return None
    code = request.get({"CreateFunction": "Code", "PublishLayerVersion": "Content"}.get(operation, ""), request)
    if not isinstance(code, dict):
        return None
    if isinstance(code.get("ZipFile"), str):
        try:
            return base64.b64decode(code["ZipFile"], validate=True)
        except (binascii.Error, ValueError):
            return b""  # not base64: no zip either
    bucket, key = code.get("S3Bucket"), code.get("S3Key")
    if isinstance(bucket, str) and isinstance(key, str):
        from .controlplane import ControlPlaneLookupError, s3_content

        try:
            return s3_content(bucket, key)
        except ControlPlaneLookupError:
            return None  # moto says the object is missing
    return None


def _publish_refusal(path: str, body: bytes, region: str) -> HttpAnswer | None:
    from .controlplane import latest_code_sha256

    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return None
    expected = request.get("CodeSha256") if isinstance(request, dict) else None
    name = function_name(path)
    if expected is None or name is None:
        return None
    current = latest_code_sha256(name, region)
    if current is None or str(expected) == current:
        return None
    return aws_error(400, "InvalidParameterValueException",
                     f"CodeSHA256 ({expected}) is different from current CodeSHA256 in $LATEST ({current}). "
                     "Please try again with the CodeSHA256 in $LATEST.")


def changes_code(method: str, path: str) -> bool:
    """Whether a successful Lambda call may leave workers or unpacked code with nothing to serve."""
    if not path.startswith(("/2015-03-31/functions/", "/2018-10-31/layers/")):
        return False
    if method == "DELETE":
        return True
    found = _FUNCTION.match(path)
    rest = (found.group("rest") if found else None) or ""
    return any(rest.startswith(part) for part in _CHANGES)


def after_lambda_call(front_door: Any, method: str, path: str, region: str) -> None:
    """Stop idle workers and remove unpacked code that the control plane no longer holds."""
    if not changes_code(method, path):
        return
    lambdas = getattr(front_door, "lambdas", None)
    if lambdas is not None:
        from .controlplane import deployed_code

        lambdas.sweep(deployed_code())
