"""What one local Lambda invocation is: the function it runs and the result Lambda reports,
with the log lines Lambda writes around it (START, END, REPORT) and its stream names.

Kept apart from the worker pool so that the gateway, the log writer and the tests can speak
about invocations without starting processes.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

MAX_PAYLOAD = 6_291_556  # bytes: Lambda's limit for a synchronous request and response


@dataclass(frozen=True)
class FunctionSpec:
    """What the pool needs to run one version of a function, as the control plane describes it."""

    name: str
    handler: str  # "module.attribute", module may be a path: "pkg/app.handler"
    code: bytes | str | os.PathLike[str]  # the deployed zip, as bytes or a path
    version: str = "$LATEST"
    code_sha256: str = ""  # Lambda's CodeSha256 (base64 SHA-256 of the zip); computed when empty
    environment: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 3.0  # seconds
    memory: int = 128  # MB, as MemorySize in the function's configuration
    alias: str | None = None
    region: str = "us-east-1"
    account_id: str = "123456789012"
    runtime: str = "python3.11"
    #: Unpacked layer folders, each laid out as Lambda's ``/opt`` (``python/``, ``python/lib/python3.x/
    #: site-packages``), in the function's order: a later layer overrides an earlier one.
    layers: tuple[str, ...] = ()

    def arn(self, qualifier: str | None = None) -> str:
        base = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"
        return f"{base}:{qualifier}" if qualifier else base

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"


@dataclass(frozen=True)
class InvocationResult:
    """One invocation as Lambda reports it; ``function_error`` is ``"Unhandled"`` when it failed."""

    request_id: str
    payload: bytes
    function_error: str | None
    log_lines: list[str]  # what the handler printed or logged, one event each
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None  # only on a cold start
    cold_start: bool
    status: str  # "success", "error" (handler raised), "timeout", "crash" (worker died), "init_error"
    executed_version: str
    log_group: str
    log_stream: str
    started_at: int  # epoch ms, for the timestamps of the log events
    worker_pid: int
    init_log_lines: list[str] = field(default_factory=list)  # printed while importing the handler

    def log_tail(self) -> str:
        """``LogResult`` of ``Invoke(LogType=Tail)``: the last 4 KB of the log, base64-encoded."""
        text = "\n".join(lambda_log_lines(self.request_id, self.executed_version, self)) + "\n"
        return base64.b64encode(text.encode("utf-8")[-4096:]).decode("ascii")


def stream_name(version: str, now: datetime | float | None = None) -> str:
    """A log stream name like Lambda's: ``YYYY/MM/DD/[version]<32 hex>``, one per worker.

    ``now`` is a datetime or epoch seconds (default: the current time); the date is UTC's.
    """
    if now is None or isinstance(now, int | float):
        moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    else:
        moment = now if now.tzinfo is None else now.astimezone(UTC)
    return f"{moment:%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"


def lambda_log_lines(request_id: str, version: str, result: InvocationResult) -> list[str]:
    """The log events Lambda writes for an invocation: init output, START, the handler's lines, END, REPORT."""
    lines = [*result.init_log_lines, f"START RequestId: {request_id} Version: {version}", *result.log_lines]
    lines.append(f"END RequestId: {request_id}")
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {result.duration_ms:.2f} ms\t"
        f"Billed Duration: {result.billed_duration_ms} ms\tMemory Size: {result.memory_size_mb} MB\t"
        f"Max Memory Used: {result.max_memory_used_mb} MB\t"
    )
    if result.init_duration_ms is not None:
        report += f"Init Duration: {result.init_duration_ms:.2f} ms\t"
    if result.status == "timeout":
        report += "Status: timeout"
    elif result.status in ("crash", "init_error"):
        report += f"Status: error\tError Type: {json.loads(result.payload).get('errorType', '')}"
    lines.append(report)
    if result.status == "timeout":
        stamp = datetime.fromtimestamp((result.started_at + result.duration_ms) / 1000, UTC)
        lines.append(f"{stamp:%Y-%m-%dT%H:%M:%S}.{stamp.microsecond // 1000:03d}Z {request_id} "
                     f"Task timed out after {result.duration_ms / 1000:.2f} seconds")
    return lines
