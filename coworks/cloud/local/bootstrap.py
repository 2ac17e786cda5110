"""The Lambda runtime of a local worker process: standard library only, executed by path.

:class:`coworks.cloud.local.workers.WorkerPool` starts ``python -u bootstrap.py`` with the
unpacked package as working directory and Lambda's environment variables. Like Lambda's own
Python runtime it imports the handler once (the cold start), then answers invocations one at a
time for as long as it lives (warm starts).

Why a separate protocol channel: the handler prints and logs to file descriptors 1 and 2, which
the pool points at a capture file, so nothing the user writes can corrupt the requests and
results. Those travel on two inherited pipes (``_COWORKS_WORKER_FDS=read,write``), each message a
4-byte big-endian length followed by UTF-8 JSON:

- worker -> pool once at start: ``{"type": "ready", "error": null | {...}, "logs": [...]}``
- pool -> worker: ``{"request_id", "payload" (JSON text), "deadline_ms" (epoch), "arn"}``
- worker -> pool: ``{"type": "result", "ok", "payload" (JSON text), "logs", "duration_ms",
  "max_memory_mb"}``
"""

from __future__ import annotations

import decimal
import importlib
import json
import logging
import os
import resource
import struct
import sys
import time
import traceback

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class LambdaContext:
    """What Lambda's Python runtime passes as ``context``; memory is a string there too."""

    def __init__(self, request_id: str, arn: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def log(self, message: str) -> None:
        sys.stdout.write(message)


class _LambdaLogHandler(logging.Handler):
    """Lambda's text log format; a multi-line record stays one event, its newlines become ``\\r``."""

    request_id = ""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record).replace("\n", "\r")
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            millis = int(record.msecs)
            sys.stdout.write(f"[{record.levelname}]\t{stamp}.{millis:03d}Z\t{self.request_id}\t{text}\n")
        except Exception:  # a logging failure must never fail the invocation
            self.handleError(record)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _receive(fd: int) -> dict[str, Any] | None:
    header = _read_exactly(fd, 4)
    if header is None:
        return None
    body = _read_exactly(fd, struct.unpack(">I", header)[0])
    return None if body is None else json.loads(body)


def _send(fd: int, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode("utf-8")
    data = struct.pack(">I", len(body)) + body
    while data:
        data = data[os.write(fd, data):]


def _reset_capture() -> None:
    """Empty the capture file behind fds 1 and 2 (one open file, so one offset for both)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.ftruncate(1, 0)
        os.lseek(1, 0, os.SEEK_SET)
    except OSError:  # not a regular file (run by hand in a terminal): nothing to capture
        pass


def _captured() -> list[str]:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        size = os.fstat(1).st_size
        data = os.pread(1, size, 0) if size else b""
    except OSError:
        return []
    lines = data.decode("utf-8", "replace").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def _error(exc: BaseException, error_type: str | None = None, message: str | None = None) -> dict[str, Any]:
    """Lambda's error payload, and its ``[ERROR]`` log line alongside."""
    frames = traceback.extract_tb(exc.__traceback__)
    payload = {
        "errorMessage": str(exc) if message is None else message,
        "errorType": error_type or type(exc).__name__,
        "requestId": _LambdaLogHandler.request_id,
        "stackTrace": traceback.format_list(frames),
    }
    text = "".join(traceback.format_exception(exc)).rstrip("\n").replace("\n", "\r")
    sys.stdout.write(f"[ERROR] {payload['errorType']}: {payload['errorMessage']}\r{text}\n")
    return payload


def _load_handler(spec: str) -> Callable[..., Any]:
    """Import ``path/to/module.attribute`` as Lambda does, with Lambda's error types."""
    module_name, _, attribute = spec.rpartition(".")
    if not module_name or not attribute:
        raise _InitError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': expected module.attribute")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _InitError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}") from exc
    handler = getattr(module, attribute, None)
    if handler is None:
        raise _InitError("Runtime.HandlerNotFound", f"Handler '{attribute}' missing on module '{module_name}'")
    return handler


class _InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def _encode_decimal(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _invoke(handler: Callable[..., Any], request: dict[str, Any]) -> dict[str, Any]:
    _reset_capture()
    _LambdaLogHandler.request_id = request["request_id"]
    context = LambdaContext(request["request_id"], request["arn"], request["deadline_ms"])
    started = time.perf_counter()
    ok = True
    try:
        event = json.loads(request["payload"] or "{}")
        result = handler(event, context)
        try:
            payload = json.dumps(result, default=_encode_decimal)
        except (TypeError, ValueError) as exc:
            ok, payload = False, json.dumps(_error(exc, "Runtime.MarshalError", f"Unable to marshal response: {exc}"))
    except Exception as exc:
        ok, payload = False, json.dumps(_error(exc))
    duration_ms = (time.perf_counter() - started) * 1000
    usage = _peak_memory_kb()
    return {
        "type": "result",
        "ok": ok,
        "payload": payload,
        "logs": _captured(),
        "duration_ms": duration_ms,
        "max_memory_mb": max(1, round(usage / 1024)),
    }


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        sys.path.pop(0)  # run by path, Python put coworks/cloud first: its modules must not shadow the user's
    read_fd, write_fd = (int(fd) for fd in os.environ.pop("_COWORKS_WORKER_FDS").split(","))
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path.insert(0, task_root)
    root = logging.getLogger()
    root.handlers[:] = [_LambdaLogHandler()]
    _reset_capture()
    try:
        handler = _load_handler(os.environ.get("_HANDLER", ""))
    except _InitError as exc:
        _send(write_fd, {"type": "ready", "error": _error(exc, exc.error_type), "logs": _captured()})
        return
    except Exception as exc:  # the module raised while importing: Lambda reports the exception itself
        _send(write_fd, {"type": "ready", "error": _error(exc), "logs": _captured()})
        return
    _send(write_fd, {"type": "ready", "error": None, "logs": _captured()})
    while True:
        request = _receive(read_fd)
        if request is None:  # the pool closed the pipe: shut down quietly
            return
        _send(write_fd, _invoke(handler, request))


def _peak_memory_kb() -> int:
    """This process's peak resident memory. ``ru_maxrss`` survives ``exec`` on Linux, so a worker
    forked from a large parent would report the parent's peak; ``VmHWM`` starts afresh at exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # kilobytes on Linux


if __name__ == "__main__":
    main()
