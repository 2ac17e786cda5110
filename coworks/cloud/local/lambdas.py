"""The local Lambda service: runs deployed functions in warm worker processes and writes their
logs to the control plane's CloudWatch Logs, as Lambda does.

moto stores functions but runs no code without Docker; this is the part that runs it. The
function's configuration and zip are read from the control plane at each invocation, so an
update or a moved alias takes effect on the next call, with fresh workers for a new version.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .controlplane import FunctionConfig, function_config, write_log_events


@dataclass(frozen=True)
class Invocation:
    """The outcome of one invocation, shaped for Lambda's Invoke API."""

    payload: bytes
    function_error: str | None  # "Unhandled" when the handler raised or timed out
    executed_version: str
    logs: list[str]
    request_id: str
    log_tail: str  # base64 of the last 4 KB of the log, for Invoke(LogType=Tail)

    def json(self) -> Any:
        return json.loads(self.payload) if self.payload else None


class LocalLambda:
    """Invoke functions deployed on the local control plane (sync, or ``Event`` in a thread)."""

    def __init__(self, cache_dir: Path, max_workers_per_function: int = 4,
                 environment: dict[str, str] | None = None) -> None:
        from .workers import WorkerPool, default_environment

        # Handlers that call AWS (boto3) must reach this local cloud, never a real account:
        # the owner fills this mapping (endpoint, dummy credentials) before the first invocation.
        self.environment: dict[str, str] = {**default_environment(), **(environment or {})}
        self._pool = WorkerPool(cache_dir, max_workers_per_function=max_workers_per_function,
                                environment=self.environment)

    def invoke(
        self,
        function: str,
        payload: bytes,
        *,
        qualifier: str | None = None,
        region: str = "us-east-1",
        invocation_type: str = "RequestResponse",
    ) -> Invocation:
        config = function_config(function, qualifier, region)  # raises ControlPlaneLookupError
        request_id = str(uuid.uuid4())
        if invocation_type == "Event":
            thread = threading.Thread(target=self._run, args=(config, payload, request_id), daemon=True)
            thread.start()
            return Invocation(b"", None, config.version, [], request_id, "")
        return self._run(config, payload, request_id)

    def _run(self, config: FunctionConfig, payload: bytes, request_id: str) -> Invocation:
        from .workers import FunctionSpec, lambda_log_lines

        spec = FunctionSpec(
            name=config.name,
            handler=config.handler,
            code=config.code,
            version=config.version,
            code_sha256=config.code_sha256,
            environment=config.environment,
            timeout=float(config.timeout),
            memory=config.memory,
            alias=config.qualifier if config.qualifier and not config.qualifier.isdigit() else None,
            region=config.region,
            runtime=config.runtime,
            # Lambda extracts each layer into /opt: here a read-only folder per layer version.
            layers=tuple(str(self._pool.unpack_layer(sha, code, arn)) for arn, sha, code in config.layers),
        )
        result = self._pool.invoke(spec, payload, qualifier=config.qualifier, request_id=request_id)
        lines = lambda_log_lines(request_id, config.version, result)
        # One stream per worker, as Lambda; events stamped from the invocation's start.
        write_log_events(config.region, result.log_group, result.log_stream,
                         [{"timestamp": result.started_at, "message": line} for line in lines])
        return Invocation(result.payload, result.function_error, result.executed_version, lines, request_id,
                          result.log_tail())

    def live_workers(self) -> dict[tuple[str, str], int]:
        """Worker processes alive per (function, version): what concurrency made of the pool."""
        return self._pool.live_workers()

    def close(self) -> None:
        self._pool.close()
