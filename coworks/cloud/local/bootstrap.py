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
import errno
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
    """Lambda's error payload, and its ``[ERROR]`` log line alongside (one event: newlines are ``\\r``)."""
    if isinstance(exc, _InitError):  # a fault of the runtime: Lambda gives no stack of its own frames
        frames: list[str] = list(exc.trace)
    else:
        frames = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    payload = {
        "errorMessage": str(exc) if message is None else message,
        "errorType": error_type or type(exc).__name__,
        "requestId": _LambdaLogHandler.request_id,
        "stackTrace": frames,
    }
    lines = [f"[ERROR] {payload['errorType']}: {payload['errorMessage']}", "Traceback (most recent call last):"]
    lines += [line for frame in frames for line in frame.splitlines()]
    sys.stdout.write("\r".join(lines) + "\n")
    return payload


def _load_handler(spec: str) -> Callable[..., Any]:
    """Import ``path/to/module.attribute`` as Lambda's Python runtime does, with its fault types
    and messages (awslambdaric's ``_get_handler``)."""
    module_name, _, attribute = spec.rpartition(".")
    if not module_name or not attribute:
        raise _InitError("Runtime.MalformedHandlerName",
                         f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise _InitError("Runtime.BuiltInModuleConflict",
                         f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise _InitError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}") from exc
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise _InitError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}",
                         trace) from exc
    handler = getattr(module, attribute, None)
    if handler is None:
        raise _InitError("Runtime.HandlerNotFound", f"Handler '{attribute}' missing on module '{module_name}'")
    return handler


class _InitError(Exception):
    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.trace = trace or []


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


def _search_path(task_root: str, layers: list[str], libraries: list[str]) -> list[str]:
    """Lambda's ``sys.path`` for Python 3.11 and later: the zip, then each layer (``/opt``: its
    ``python/lib/python3.x/site-packages`` and ``python``; a later layer overrides an earlier one,
    as when they are extracted in order), then the runtime's own libraries, then the standard
    library. Nothing of the machine that deploys: the worker runs with ``-I -S``."""
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    path = [task_root]
    for opt in reversed(layers):
        path += [os.path.join(opt, "python", "lib", version, "site-packages"), os.path.join(opt, "python")]
    return path + libraries + [p for p in sys.path if p and p not in path and p not in libraries]


_WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_CHANGES = {"os.mkdir": (0,), "os.remove": (0,), "os.rmdir": (0,), "os.rename": (0, 1), "os.symlink": (1,),
            "os.link": (1,), "os.truncate": (0,), "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,)}


def _read_only_file_system(writable: list[str], read_only: list[str]) -> None:
    """Lambda's file system: only ``/tmp`` can be written, never the code; anything else is
    ``OSError: [Errno 30] Read-only file system``, as there (an audit hook, since a local worker
    may run as root, for whom permissions are no barrier)."""
    def inside(path: str, roots: list[str]) -> bool:
        return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)

    def refuse(target: Any) -> None:
        if isinstance(target, int) or target is None:  # a file already open (fd): what was granted stays
            return
        path = os.path.abspath(os.fsdecode(target))
        if inside(path, read_only) or not inside(path, writable):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(target))

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            if len(args) >= 3 and isinstance(args[2], int) and args[2] & _WRITES:
                refuse(args[0])
        elif event in _CHANGES:
            for index in _CHANGES[event]:
                if index < len(args):
                    refuse(args[index])

    sys.addaudithook(hook)


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        sys.path.pop(0)  # run by path, Python put coworks/cloud first: its modules must not shadow the user's
    read_fd, write_fd = (int(fd) for fd in os.environ.pop("_COWORKS_WORKER_FDS").split(","))
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sandbox = json.loads(os.environ.pop("_COWORKS_SANDBOX", "{}"))
    layers, libraries = list(sandbox.get("layers", [])), list(sandbox.get("libraries", []))
    sys.path[:] = _search_path(task_root, layers, libraries)
    sys.dont_write_bytecode = True  # the code folder is read-only: nothing to cache there
    if sandbox.get("writable") is not None:
        _read_only_file_system(list(sandbox["writable"]), [task_root, *layers, *libraries])
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
