"""Warm local Lambda workers: the data plane that moto cannot provide without Docker.

The local cloud invokes a deployed function by running the very zip that was deployed, unpacked
once per code hash under ``cache_dir/<hash>/``, in a worker process started from
``bootstrap.py`` (Lambda's runtime loop, standard library only). A worker imports the
handler once (cold start), then stays warm and serves one invocation at a time. Workers are
kept per function version: concurrent invocations get their own workers up to
``max_workers_per_function``, further ones wait (the local Lambda service throttles before that,
see :mod:`.lambdas`); a new version or new code gets fresh workers, and ``sweep()`` stops those
no version serves any more and removes their unpacked code.

What comes back is what Lambda reports: the payload or Lambda's error payload with the
function-error flag, the lines the handler printed or logged, durations, billed duration, memory,
and the init duration of a cold start. The configured timeout is enforced by killing the worker
and answering ``Task timed out after N.NN seconds``, as Lambda does; so is the configured memory
(``Runtime.OutOfMemory`` when the worker's resident memory goes past it).

A worker sees what Lambda gives a function and nothing of this machine's environment: it runs
``python -I -S`` of the runtime's version (see :mod:`coworks.cloud.packaging.runtimes`) with ``sys.path`` made of the
unpacked zip, the function's layers, the runtime's SDK and the standard library; its code folder
is read-only and ``/tmp`` is the one place it can write.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import weakref
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ..errors import InvalidRequestContentError, RequestTooLargeError, WorkerError
from ..packaging.runtimes import interpreter, managed_libraries
from .http.limits import UNZIPPED_CODE
from .invocations import (
    MAX_PAYLOAD,
    FunctionSpec,
    InvocationResult,
    lambda_log_lines,
    stream_name,
)
from .workerprocess import _Died, _kill_all, _OutOfMemory, _TimedOut, _Worker

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "BOOTSTRAP",
    "MAX_PAYLOAD",
    "FunctionSpec",
    "InvalidRequestContentError",
    "InvocationResult",
    "RequestTooLargeError",
    "WorkerError",
    "WorkerPool",
    "lambda_log_lines",
    "stream_name",
]

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
_SIGNAL_WORDS = {6: "aborted", 9: "killed", 11: "segmentation fault", 15: "terminated"}  # as Lambda words them
_INIT_LIMIT = 10.0  # seconds Lambda allows the init phase of an on-demand function
class WorkerPool:
    """Warm worker processes per function version; thread-safe; ``close()`` (or exit) kills them all."""

    def __init__(
        self,
        cache_dir: str | os.PathLike[str],
        max_workers_per_function: int = 4,
        *,
        environment: Mapping[str, str] | None = None,
        python: str | None = None,
    ) -> None:
        """``environment`` is the base every worker sees (default: PATH, LANG, TZ as Lambda sets them);
        put the local cloud's endpoint and credentials there so handlers' boto3 calls reach it.
        The mapping is read at each worker's start, not copied: its owner may fill it later."""
        if max_workers_per_function < 1:
            raise WorkerError("max_workers_per_function must be at least 1.")
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.max_workers_per_function = max_workers_per_function
        self._python = python  # None: an interpreter of each function's runtime
        self._base_env: Mapping[str, str] = environment if environment is not None else default_environment()
        self._cond = threading.Condition()
        self._idle: dict[tuple[str, str, str], list[_Worker]] = {}
        self._count: dict[tuple[str, str, str], int] = {}
        self._live: set[_Worker] = set()
        self._unpack_lock = threading.Lock()
        self._hashes: dict[tuple[str, int, int], str] = {}
        #: Folders an invocation is about to run in (unpacked, its worker not started yet): never swept.
        self._held: dict[str, int] = {}
        #: Sweeps so far and the last one's verdict: a worker busy during a sweep is judged when it is free.
        self._sweeps = 0
        self._serves: Callable[[str, str, str], bool] = lambda name, version, sha: True
        self._closed = False
        self._finalizer = weakref.finalize(self, _kill_all, self._live)

    # public
    def invoke(
        self, function: FunctionSpec, payload: bytes = b"", *, qualifier: str | None = None,
        request_id: str | None = None,
    ) -> InvocationResult:
        """Run one invocation on a warm worker (or a new one, cold) and report it as Lambda does."""
        text = _payload_text(payload, function.name)
        request_id = request_id or str(uuid.uuid4())
        key = (function.name, function.version, self._fingerprint(function))
        with self.holding([self.code_folder(function), *map(Path, function.layers)]):
            return self._invoke(function, key, text, qualifier, request_id)

    @contextmanager
    def holding(self, folders: Iterable[Path]) -> Iterator[None]:
        """Keep ``sweep()`` away from these folders meanwhile: an invocation unpacks its code and
        layers, then starts a worker there."""
        names = [str(folder) for folder in folders]
        with self._cond:
            for name in names:
                self._held[name] = self._held.get(name, 0) + 1
        try:
            yield
        finally:
            with self._cond:
                for name in names:
                    self._held[name] -= 1
                    if not self._held[name]:
                        del self._held[name]

    def code_folder(self, function: FunctionSpec) -> Path:
        """Where the function's code is (or will be) unpacked."""
        return self.cache_dir / _directory_name(self.code_sha256(function))

    def _invoke(self, function: FunctionSpec, key: tuple[str, str, str], text: str, qualifier: str | None,
                request_id: str) -> InvocationResult:
        sweeps = self._sweeps
        worker = self._acquire(key)
        cold = worker is None
        init: dict[str, Any] = {}
        if worker is None:
            init_at = int(time.time() * 1000)
            try:
                worker, init = self._spawn(function, key)
            except BaseException:
                self._release(key, None)
                raise
            if init["error"] is not None:
                self._release(key, worker, discard=True)
                return self._init_failure(function, request_id, worker, init, init_at)
        started_at = int(time.time() * 1000)  # the invoke phase: the timeout counts from here, init aside
        request = {
            "request_id": request_id,
            "payload": text,
            "deadline_ms": started_at + int(function.timeout * 1000),
            "arn": function.arn(qualifier or function.alias),
        }
        try:
            result = self._run(function, worker, request, started_at, cold, init)
        finally:
            self._release(key, worker, discard=not worker.alive or not self._still_serves(key, sweeps))
        return result

    def code_sha256(self, function: FunctionSpec) -> str:
        """The function's CodeSha256 as Lambda computes it (base64 of the zip's SHA-256)."""
        if function.code_sha256:
            return function.code_sha256
        if isinstance(function.code, bytes):
            return base64.b64encode(hashlib.sha256(function.code).digest()).decode("ascii")
        stat = os.stat(function.code)
        cache_key = (os.fspath(function.code), stat.st_mtime_ns, stat.st_size)
        if cache_key not in self._hashes:
            digest = hashlib.sha256(Path(function.code).read_bytes()).digest()
            self._hashes[cache_key] = base64.b64encode(digest).decode("ascii")
        return self._hashes[cache_key]

    def _fingerprint(self, function: FunctionSpec) -> str:
        """Code and configuration: Lambda starts new environments when either changes, so does the pool."""
        config = [function.handler, function.memory, function.runtime, function.region, function.account_id,
                  list(function.layers)]
        config.append(sorted((str(k), str(v)) for k, v in function.environment.items()))
        digest = hashlib.sha256(json.dumps(config).encode("utf-8")).hexdigest()[:16]
        return f"{self.code_sha256(function)}:{digest}"

    def live_workers(self) -> dict[tuple[str, str], int]:
        """How many worker processes run per (function, version): for status displays and tests."""
        with self._cond:
            counts: dict[tuple[str, str], int] = {}
            for worker in self._live:
                name, version, _ = worker.key
                counts[(name, version)] = counts.get((name, version), 0) + 1
            return counts

    def sweep(self, serves: Callable[[str, str, str], bool], code: set[str], layers: set[str]) -> None:
        """Kill the idle workers of (function, version, code hash) that ``serves`` rejects, and remove
        the unpacked folders of code hashes and layer hashes no longer held, unless a live worker
        still runs there or an invocation is about to (:meth:`holding`)."""
        with self._cond:
            self._sweeps += 1
            self._serves = serves
            for key in list(self._idle):
                name, version, fingerprint = key
                if serves(name, version, fingerprint.rsplit(":", 1)[0]):
                    continue
                for worker in self._idle.pop(key):
                    worker.kill()
                    self._live.discard(worker)
                    self._count[key] -= 1
        kept = {self.cache_dir / _directory_name(sha) for sha in code}
        kept |= {self.cache_dir / "layers" / _directory_name(sha) for sha in layers}
        with self._unpack_lock, self._cond:  # no folder is unpacked or held meanwhile
            in_use = {folder for worker in self._live for folder in getattr(worker, "folders", ())}
            in_use |= set(self._held)
            for base in (self.cache_dir, self.cache_dir / "layers"):
                for folder in list(base.iterdir()) if base.is_dir() else []:
                    if (folder.name.startswith(".") or folder.name == "layers" or not folder.is_dir()
                            or folder in kept or str(folder) in in_use):
                        continue
                    _writable(folder)
                    shutil.rmtree(folder, ignore_errors=True)

    def _still_serves(self, key: tuple[str, str, str], sweeps: int) -> bool:
        """Whether a worker busy since ``sweeps`` sweeps may go back to the idle ones: not when a sweep
        meanwhile found its function gone or its version replaced."""
        with self._cond:
            if self._sweeps == sweeps:
                return True
            name, version, fingerprint = key
            return self._serves(name, version, fingerprint.rsplit(":", 1)[0])

    def close(self) -> None:
        """Kill every worker; invocations still running report the worker's death."""
        with self._cond:
            self._closed = True
            self._idle.clear()
            self._cond.notify_all()
        self._finalizer()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the pool's bookkeeping
    def _acquire(self, key: tuple[str, str, str]) -> _Worker | None:
        """A warm idle worker, or None after reserving a slot for a new one; waits at the limit."""
        with self._cond:
            while True:
                if self._closed:
                    raise WorkerError("The worker pool is closed: create a new LocalCloud to invoke functions.")
                idle = self._idle.get(key)
                if idle:
                    return idle.pop()  # the most recently used: the warmest
                if self._count.get(key, 0) < self.max_workers_per_function:
                    self._count[key] = self._count.get(key, 0) + 1
                    self._retire_stale(key)
                    return None
                self._cond.wait()

    def _retire_stale(self, key: tuple[str, str, str]) -> None:
        """Idle workers of the same function version but older code or configuration will never serve again."""
        for other in [k for k in self._idle if k[:2] == key[:2] and k != key]:
            for worker in self._idle.pop(other):
                worker.kill()
                self._live.discard(worker)
                self._count[other] -= 1

    def _release(self, key: tuple[str, str, str], worker: _Worker | None, discard: bool = False) -> None:
        with self._cond:
            if worker is None or discard or self._closed or not worker.alive:
                self._count[key] -= 1
                if worker is not None:
                    worker.kill()
                    self._live.discard(worker)
            else:
                self._idle.setdefault(key, []).append(worker)
            self._cond.notify_all()

    # processes
    def _spawn(self, function: FunctionSpec, key: tuple[str, str, str]) -> tuple[_Worker, dict[str, Any]]:
        code_dir = self._unpack(function, self.code_sha256(function))
        log_stream = stream_name(function.version)
        env = {**self._base_env, **{str(k): str(v) for k, v in function.environment.items()}}
        env.update({
            "_HANDLER": function.handler,
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": function.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(BOOTSTRAP.parent),
        })
        python = self._python or interpreter(function.runtime)
        libraries = managed_libraries(function.runtime, python)
        writable = list(dict.fromkeys(["/tmp", tempfile.gettempdir(), "/dev/null"]))
        env["_COWORKS_SANDBOX"] = json.dumps({"layers": [str(Path(p).resolve()) for p in function.layers],
                                              "libraries": [str(libraries)] if libraries else [],
                                              "writable": writable})
        request_read, request_write = os.pipe()
        result_read, result_write = os.pipe()
        env["_COWORKS_WORKER_FDS"] = f"{request_read},{result_write}"
        capture = tempfile.TemporaryFile(prefix="coworks-worker-")
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                [python, "-I", "-S", "-u", str(BOOTSTRAP)], cwd=code_dir, env=env, stdin=subprocess.DEVNULL,
                stdout=capture, stderr=capture, pass_fds=(request_read, result_write), start_new_session=True,
            )
        except OSError as exc:
            for fd in (request_read, request_write, result_read, result_write):
                os.close(fd)
            capture.close()
            raise WorkerError(f"Cannot start a worker for {function.name}: {exc}.", resource=function.name) from exc
        os.close(request_read)  # the worker's ends: keeping them open here would hide its death
        os.close(result_write)
        worker = _Worker(process, request_write, result_read, capture, log_stream, key)
        worker.folders = {str(code_dir), *(str(Path(p)) for p in function.layers)}  # type: ignore[attr-defined]
        with self._cond:
            self._live.add(worker)
        deadline = started + max(function.timeout, _INIT_LIMIT)
        try:
            ready = worker.receive(deadline)
        except _TimedOut:
            logs = worker.captured()
            worker.kill()
            elapsed = time.monotonic() - started
            message = f"Error: Task timed out after {elapsed:.2f} seconds"
            ready = {"error": {"errorMessage": message, "errorType": "Sandbox.Timedout"}, "logs": logs}
        except _Died:
            ready = {"error": _exit_error("", worker), "logs": worker.captured()}
        ready["init_ms"] = (time.monotonic() - started) * 1000
        return worker, ready

    def unpack_layer(self, sha: str, data: bytes, arn: str) -> Path:
        """A layer version's zip extracted once per hash under ``cache_dir/layers/``, read-only: the
        folder a worker sees as Lambda's ``/opt`` for it."""
        (self.cache_dir / "layers").mkdir(exist_ok=True)
        return self._extract(Path("layers") / _directory_name(sha), lambda: data, f"layer {arn}")

    def _unpack(self, function: FunctionSpec, sha: str) -> Path:
        """``cache_dir/<hash>/``, extracted once per code hash (atomically, so concurrent pools agree)."""
        code = function.code
        return self._extract(Path(_directory_name(sha)),
                             lambda: code if isinstance(code, bytes) else Path(code).read_bytes(),
                             f"function {function.name}")

    def _extract(self, name: Path, read: Callable[[], bytes], what: str) -> Path:
        target = self.cache_dir / name
        if target.is_dir():
            return target
        with self._unpack_lock:
            if target.is_dir():
                return target
            data = read()
            staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=self.cache_dir))
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    size = sum(max(0, info.file_size) for info in archive.infolist())
                    if size > UNZIPPED_CODE:  # a zip bomb: refused before a byte is written
                        raise WorkerError(f"The code of {what} unpacks to {size} bytes: Unzipped size must be "
                                          f"smaller than {UNZIPPED_CODE} bytes.", resource=what)
                    archive.extractall(staging)
                _read_only(staging)
                staging.rename(target)
            except zipfile.BadZipFile as exc:
                raise WorkerError(f"The code of {what} is not a zip file: publish it again.", resource=what) from exc
            except OSError:
                if not target.is_dir():
                    raise
            finally:
                if staging.exists():
                    _writable(staging)
                    shutil.rmtree(staging, ignore_errors=True)
        return target

    def _run(
        self, function: FunctionSpec, worker: _Worker, request: dict[str, Any], started_at: int, cold: bool,
        init: dict[str, Any],
    ) -> InvocationResult:
        began = time.monotonic()
        fields: dict[str, Any] = {
            "request_id": request["request_id"], "memory_size_mb": function.memory, "cold_start": cold,
            "init_duration_ms": init.get("init_ms"), "init_log_lines": list(init.get("logs", [])),
            "executed_version": function.version, "log_group": function.log_group, "log_stream": worker.log_stream,
            "started_at": started_at, "worker_pid": worker.process.pid,
        }
        try:
            worker.send(request)
            answer = worker.receive(began + function.timeout, memory_mb=function.memory)
            if answer.get("max_memory_mb", 0) > function.memory:  # a peak between two looks: Lambda kills it too
                raise _OutOfMemory()
        except _OutOfMemory:
            elapsed = time.monotonic() - began
            logs = worker.captured()
            worker.kill()
            message = f"RequestId: {request['request_id']} Error: Runtime exited with error: signal: killed"
            payload = {"errorMessage": message, "errorType": "Runtime.OutOfMemory"}
            return _result(fields, payload, logs, elapsed * 1000, function.memory, "crash")
        except _TimedOut:
            elapsed = time.monotonic() - began
            memory = worker.peak_memory_mb()
            logs = worker.captured()
            worker.kill()
            message = f"RequestId: {request['request_id']} Error: Task timed out after {elapsed:.2f} seconds"
            payload = {"errorMessage": message, "errorType": "Sandbox.Timedout"}
            return _result(fields, payload, logs, elapsed * 1000, memory, "timeout")
        except _Died:
            elapsed = time.monotonic() - began
            logs = worker.captured()
            payload = _exit_error(request["request_id"], worker)
            return _result(fields, payload, logs, elapsed * 1000, 0, "crash")
        status = "success" if answer["ok"] else "error"
        duration, memory = answer["duration_ms"], answer["max_memory_mb"]
        body = answer["payload"]
        size = len(body.encode("utf-8"))
        if size > MAX_PAYLOAD:
            message = (
                f"Response payload size ({size} bytes) exceeded maximum allowed payload size ({MAX_PAYLOAD} bytes)."
            )
            body, status = {"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}, "error"
        return _result(fields, body, answer["logs"], duration, memory, status)

    def _init_failure(
        self, function: FunctionSpec, request_id: str, worker: _Worker, init: dict[str, Any], started_at: int
    ) -> InvocationResult:
        fields = {
            "request_id": request_id, "memory_size_mb": function.memory, "cold_start": True,
            "init_duration_ms": init["init_ms"], "init_log_lines": list(init.get("logs", [])),
            "executed_version": function.version, "log_group": function.log_group, "log_stream": worker.log_stream,
            "started_at": started_at, "worker_pid": worker.process.pid,
        }
        return _result(fields, init["error"], [], 0.0, 0, "init_error")


def _result(
    fields: dict[str, Any], payload: str | dict[str, Any], logs: list[str], duration_ms: float, memory: int,
    status: str,
) -> InvocationResult:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return InvocationResult(
        payload=body.encode("utf-8"),
        function_error=None if status == "success" else "Unhandled",
        log_lines=list(logs),
        duration_ms=duration_ms,
        billed_duration_ms=max(1, math.ceil(duration_ms)),
        max_memory_used_mb=memory,
        status=status,
        **fields,
    )


def _exit_error(request_id: str, worker: _Worker) -> dict[str, Any]:
    try:
        code = worker.process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        code = None
    if code is not None and code < 0:
        how = f"signal: {_SIGNAL_WORDS.get(-code, signal.Signals(-code).name)}"
    else:
        how = f"exit status {code}"
    prefix = f"RequestId: {request_id} " if request_id else ""
    return {"errorMessage": f"{prefix}Error: Runtime exited with error: {how}", "errorType": "Runtime.ExitError"}


def _payload_text(payload: bytes | str, function: str) -> str:
    if len(payload) > MAX_PAYLOAD:
        raise RequestTooLargeError(
            f"The payload for {function} is {len(payload)} bytes, over Lambda's {MAX_PAYLOAD}: send less, "
            "or pass a reference (an S3 key) instead.",
            resource=function,
        )
    try:
        text = payload.decode("utf-8", "strict") if isinstance(payload, bytes) else payload
        if text.strip():
            json.loads(text)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise InvalidRequestContentError(
            f"Could not parse request body into json for {function}: {exc}; send a JSON payload.",
            resource=function,
        ) from exc
    return text


def layer_folder(cache_dir: Path, sha: str) -> Path:
    """Where a layer version's zip is unpacked (:meth:`WorkerPool.unpack_layer`)."""
    return cache_dir / "layers" / _directory_name(sha)


def _directory_name(sha: str) -> str:
    """A file-system-safe name for a code hash given as Lambda's base64 or as hex."""
    if len(sha) == 64 and all(c in "0123456789abcdef" for c in sha.lower()):
        return sha.lower()
    try:
        raw = base64.b64decode(sha, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    return raw.hex() if len(raw) == 32 else hashlib.sha256(sha.encode("utf-8")).hexdigest()


def _read_only(folder: Path) -> None:
    """The code folder as Lambda mounts it: readable and traversable, never writable."""
    for path in [*folder.rglob("*"), folder]:
        if not path.is_symlink():
            path.chmod(0o555 if path.is_dir() else 0o444)


def _writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def default_environment() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
    }
