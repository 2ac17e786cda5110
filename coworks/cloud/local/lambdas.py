"""The local Lambda service: runs deployed functions in warm worker processes and writes their
logs to the control plane's CloudWatch Logs, as Lambda does.

moto stores functions but runs no code without Docker; this is the part that runs it. The
function's configuration and zip are read from the control plane at each invocation, so an
update or a moved alias takes effect on the next call, with fresh workers for a new version.

Invocations never queue behind busy workers: a function runs as many at once as its reserved
concurrency (``PutFunctionConcurrency``) allows, or ``concurrency`` (the local account's
unreserved pool, per function) without one, each in a worker of its own; one more is throttled
as Lambda throttles it (``TooManyRequestsError``, 429). ``Event`` invocations wait for a slot
instead, as Lambda's internal queue retries them.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import TooManyRequestsError
from .controlplane import FunctionConfig, function_config, write_log_events

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .controlplane import DeployedCode

#: Executions a function without reserved concurrency may run at once on the local cloud.
CONCURRENCY = 64


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

    def __init__(self, cache_dir: Path, concurrency: int = CONCURRENCY,
                 environment: dict[str, str] | None = None) -> None:
        from .workers import WorkerPool, default_environment

        # Handlers that call AWS (boto3) must reach this local cloud, never a real account:
        # the owner fills this mapping (endpoint, dummy credentials) before the first invocation.
        self.environment: dict[str, str] = {**default_environment(), **(environment or {})}
        self.concurrency = concurrency
        # The pool never makes an invocation wait: the slots below are what limits them.
        self._pool = WorkerPool(cache_dir, max_workers_per_function=1000, environment=self.environment)
        self._slots = threading.Condition()
        self._running: dict[tuple[str, str], int] = {}

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
            from .workers import _payload_text

            _payload_text(payload, config.name)  # refused now, as Lambda refuses it before queuing
            thread = threading.Thread(target=self._queued, args=(config, payload, request_id), daemon=True)
            thread.start()
            return Invocation(b"", None, config.version, [], request_id, "")
        self._take(config, wait=False)
        try:
            return self._run(config, payload, request_id)
        finally:
            self._give(config)

    def invoke_within(self, function: str, payload: bytes, timeout: float, *,
                      region: str = "us-east-1") -> Invocation | None:
        """A synchronous invocation as an integration waits for it: its result, or None past
        ``timeout`` seconds (the invocation runs on to its own end, as Lambda's does); what
        ``invoke`` raises is raised here."""
        outcome: list[Invocation | BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(self.invoke(function, payload, region=region))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting request
                outcome.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name="coworks-integration", daemon=True).start()
        if not done.wait(timeout):
            return None
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def _queued(self, config: FunctionConfig, payload: bytes, request_id: str) -> None:
        self._take(config, wait=True)
        try:
            self._run(config, payload, request_id)
        finally:
            self._give(config)

    def _take(self, config: FunctionConfig, wait: bool) -> None:
        """A slot of the function's concurrency; throttled (or waiting, for ``Event``) when none is free."""
        key = (config.region, config.name)
        reserved = config.reserved_concurrency
        limit = reserved if reserved is not None else self.concurrency
        with self._slots:
            while self._running.get(key, 0) >= limit:
                if not wait:
                    if reserved is not None:
                        raise TooManyRequestsError(
                            f"Rate Exceeded: {config.name} runs its reserved concurrency of {reserved} already.",
                            resource=config.name, reason="ReservedFunctionConcurrentInvocationLimitExceeded")
                    raise TooManyRequestsError(
                        f"Rate Exceeded: {config.name} runs {limit} invocations already, the local cloud's "
                        "concurrency per function (reserve more with Lambda(reserved_concurrency=...)).",
                        resource=config.name, reason="ConcurrentInvocationLimitExceeded")
                self._slots.wait(1.0)
            self._running[key] = self._running.get(key, 0) + 1

    def _give(self, config: FunctionConfig) -> None:
        with self._slots:
            key = (config.region, config.name)
            self._running[key] -= 1
            self._slots.notify_all()

    def _run(self, config: FunctionConfig, payload: bytes, request_id: str) -> Invocation:
        from .workers import layer_folder

        layers = [layer_folder(self._pool.cache_dir, sha) for _, sha, _ in config.layers]
        with self._pool.holding(layers):  # a sweep meanwhile leaves them be
            return self._run_held(config, payload, request_id)

    def _run_held(self, config: FunctionConfig, payload: bytes, request_id: str) -> Invocation:
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

    @property
    def cache_dir(self) -> Path:
        """Where deployed code and layers are unpacked, a folder per code hash."""
        return self._pool.cache_dir

    def running(self, function: str, region: str = "us-east-1") -> int:
        """Invocations of the function running now (what its concurrency counts)."""
        with self._slots:
            return self._running.get((region, function), 0)

    def sweep(self, code: DeployedCode) -> None:
        """Stop the idle workers no version serves (a function destroyed, code replaced, a version no
        alias names any more) and remove unpacked code that no version or layer holds."""
        held = {(name, version, sha) for _, name, version, sha in code.versions}
        aliased = {(name, version) for _, name, version in code.aliased}

        def serves(name: str, version: str, sha: str) -> bool:
            return (name, version, sha) in held and (version == "$LATEST" or (name, version) in aliased)

        self._pool.sweep(serves, {sha for *_, sha in code.versions}, set(code.layers))

    def live_workers(self) -> dict[tuple[str, str], int]:
        """Worker processes alive per (function, version): what concurrency made of the pool."""
        return self._pool.live_workers()

    def close(self) -> None:
        self._pool.close()
