"""The local Lambda service: runs deployed functions in warm worker processes and writes their
logs to the control plane's CloudWatch Logs, as Lambda does.

moto stores functions but runs no code without Docker; this is the part that runs it. The
function's configuration and zip are read from the control plane at each invocation, so an
update or a moved alias takes effect on the next call, with fresh workers for a new version.
"""

from __future__ import annotations

import json
import threading
import time
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

    def json(self) -> Any:
        return json.loads(self.payload) if self.payload else None


class LocalLambda:
    """Invoke functions deployed on the local control plane (sync, or ``Event`` in a thread)."""

    def __init__(self, cache_dir: Path, max_workers_per_function: int = 4) -> None:
        from .workers import WorkerPool

        self._pool = WorkerPool(cache_dir, max_workers_per_function=max_workers_per_function)
        self._streams: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

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
            return Invocation(b"", None, config.version, [], request_id)
        return self._run(config, payload, request_id)

    def _run(self, config: FunctionConfig, payload: bytes, request_id: str) -> Invocation:
        from .workers import FunctionSpec, lambda_log_lines, stream_name

        spec = FunctionSpec(
            name=config.name,
            version=config.version,
            code_sha256=config.code_sha256,
            code=config.code,
            handler=config.handler,
            environment=config.environment,
            timeout=config.timeout,
            memory=config.memory,
            alias=config.qualifier if config.qualifier and not config.qualifier.isdigit() else None,
            region=config.region,
        )
        result = self._pool.invoke(spec, payload, request_id=request_id)
        lines = lambda_log_lines(request_id, config.version, result)
        with self._lock:
            key = (config.name, config.version)
            stream = self._streams.get(key)
            if stream is None:  # one stream per (function version, worker generation), like Lambda
                stream = self._streams[key] = stream_name(config.version, time.time())
        now = int(time.time() * 1000)
        write_log_events(config.region, f"/aws/lambda/{config.name}", stream,
                         [{"timestamp": now, "message": line} for line in lines])
        return Invocation(result.payload, result.function_error, config.version, lines, request_id)

    def close(self) -> None:
        self._pool.close()
