"""A deadline for a whole conversation with a backend, not just for each socket read.

A socket timeout bounds one read; a server that trickles one byte per second resets it forever.
``Watchdog(seconds, abort)`` calls ``abort()`` (which shuts the socket, waking the blocked read)
once the deadline passes, and tells afterwards whether it did, so the caller answers 504.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType


class Watchdog:
    def __init__(self, seconds: float, abort: Callable[[], None]) -> None:
        self.seconds = seconds
        self._abort = abort
        self._lock = threading.Lock()
        self._done = False
        self.expired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
        try:
            self._abort()
        except OSError:
            pass

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()


def shut(sock: object) -> None:
    """Shut a socket down so that a read blocked on it in another thread returns at once."""
    import socket

    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
