"""One Lambda worker process as the pool sees it: the pipes of its length-prefixed JSON
protocol, its output capture, and how it is killed (with its whole session)."""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import subprocess
import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, BinaryIO


class _TimedOut(Exception):
    pass


class _Died(Exception):
    pass


class _OutOfMemory(Exception):
    pass


_WATCH = 0.05  # seconds between two looks at a running worker's memory


class _Worker:
    """One worker process and its protocol pipes, used by one invocation at a time."""

    def __init__(
        self, process: subprocess.Popen[bytes], request_fd: int, result_fd: int, capture: BinaryIO, log_stream: str,
        key: tuple[str, str, str],
    ) -> None:
        self.process = process
        self.request_fd = request_fd
        self.result_fd = result_fd
        self.capture = capture
        self.log_stream = log_stream
        self.key = key
        self._killed = False
        self._kill_lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return not self._killed and self.process.poll() is None

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        data = memoryview(struct.pack(">I", len(body)) + body)
        try:
            while data:
                data = data[os.write(self.request_fd, data):]
        except OSError as exc:
            raise _Died() from exc

    def receive(self, deadline: float, memory_mb: int | None = None) -> dict[str, Any]:
        """The next message; ``_TimedOut`` at ``deadline``, ``_OutOfMemory`` when the worker's resident
        memory passes ``memory_mb`` meanwhile."""
        size = struct.unpack(">I", self._read(4, deadline, memory_mb))[0]
        answer: dict[str, Any] = json.loads(self._read(size, deadline, memory_mb))
        return answer

    def _read(self, size: int, deadline: float, memory_mb: int | None = None) -> bytes:
        buffer = bytearray()
        while len(buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _TimedOut()
            wait = remaining if memory_mb is None else min(remaining, _WATCH)
            try:
                ready, _, _ = select.select([self.result_fd], [], [], wait)
            except (OSError, ValueError) as exc:  # closed by close() from another thread
                raise _Died() from exc
            if not ready:
                if memory_mb is not None and self.resident_mb() > memory_mb:
                    raise _OutOfMemory()
                if wait < remaining:
                    continue
                raise _TimedOut()
            try:
                chunk = os.read(self.result_fd, size - len(buffer))
            except OSError as exc:
                raise _Died() from exc
            if not chunk:
                raise _Died()
            buffer += chunk
        return bytes(buffer)

    def captured(self) -> list[str]:
        """What the worker wrote since its current invocation began (read without moving its offset)."""
        try:
            fd = self.capture.fileno()
            data = os.pread(fd, os.fstat(fd).st_size, 0)
        except (OSError, ValueError):
            return []
        lines = data.decode("utf-8", "replace").split("\n")
        return lines[:-1] if lines and lines[-1] == "" else lines

    def resident_mb(self) -> float:
        """What the worker holds in memory now (VmRSS), in MB; 0 when it cannot be read."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0.0

    def peak_memory_mb(self) -> int:
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return max(1, round(int(line.split()[1]) / 1024))
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def kill(self) -> None:
        with self._kill_lock:  # close() and a finishing invocation may both get here
            if self._killed:
                return
            self._killed = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the worker leads its session: its children die too
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for fd in (self.request_fd, self.result_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.capture.close()


def _kill_all(workers: set[_Worker]) -> None:
    while workers:
        try:
            worker = workers.pop()  # atomic: other threads may be adding or discarding
        except KeyError:
            break
        worker.kill()
