"""The local cloud's deploy locks: one per service (or workflow) and stage, held for a whole apply.

Two ``cws deploy`` shells, a notebook and a shell, or two threads all deploy through this one
front door, so the lock lives here (``/_coworks/locks/<kind>/<name>/<stage>``), not in any of
them:

- ``PUT`` with ``{"owner", "lease", "pid", "host", "operation"}`` takes the lock or renews it
  (same owner): 200 and the lease; 409 and who holds it when another owner does.
- ``DELETE ?owner=...`` gives it back (204); the owner of an expired lease may no longer.
- ``GET`` says who holds it (404: nobody).

A lease expires ``lease`` seconds after its last renewal (the holder renews it while it works),
so a deploy killed with ``kill -9`` never locks its service forever; a holder on this machine
whose process is gone frees it at once. Locks are the server's memory only: a restarted local
cloud has none, as no deploy survives it either.

AWS has no such lock (CloudFormation serialises updates of one stack; Lambda offers RevisionId
and CodeSha256 checks, which the deploy uses as well:
https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

from .wsgi import read_body

#: Where the locks are served.
LOCKS = "/_coworks/locks/"
#: The longest lease a holder may ask for (seconds): a holder renews, it never needs hours.
MAX_LEASE = 3600.0

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Lease:
    """Who holds a lock: an owner id, its process and machine, what it does and since when (epoch s)."""

    owner: str
    operation: str
    pid: int
    host: str
    since: float
    lease: float


class DeployLocks:
    """The lock table and its WSGI endpoint; ``clock`` (monotonic seconds) is injectable."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, alive: Callable[[int], bool] | None = None) -> None:
        self.clock = clock
        self.alive = alive or _alive
        self._held: dict[str, tuple[Lease, float]] = {}  # key -> (lease, expires on the clock)
        self._guard = threading.Lock()

    def handles(self, path: str) -> bool:
        return path.startswith(LOCKS)

    def acquire(self, key: str, lease: Lease) -> tuple[bool, Lease]:
        """Take or renew the lock: (True, the lease kept) or (False, the holder's lease)."""
        with self._guard:
            current = self._current(key)
            if current is not None and current.owner != lease.owner:
                return False, current
            kept = lease if current is None else Lease(**{**asdict(lease), "since": current.since})
            self._held[key] = (kept, self.clock() + lease.lease)
            return True, kept

    def release(self, key: str, owner: str) -> bool:
        """Give the lock back; False when ``owner`` does not hold it (any more)."""
        with self._guard:
            current = self._current(key)
            if current is None or current.owner != owner:
                return False
            del self._held[key]
            return True

    def holder(self, key: str) -> Lease | None:
        with self._guard:
            return self._current(key)

    def _current(self, key: str) -> Lease | None:
        found = self._held.get(key)
        if found is None:
            return None
        lease, expires = found
        gone = lease.host == socket.gethostname() and not self.alive(lease.pid)
        if self.clock() >= expires or gone:
            del self._held[key]
            return None
        return lease

    # -- the endpoint --------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = unquote(environ.get("PATH_INFO", "")[len(LOCKS):]).strip("/")
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if not key:
            return _answer(start_response, 400, {"message": "Name the lock: /_coworks/locks/<kind>/<name>/<stage>."})
        if method == "GET":
            held = self.holder(key)
            return _answer(start_response, 200 if held else 404, asdict(held) if held else {"message": "Not held."})
        if method == "DELETE":
            owner = parse_qs(environ.get("QUERY_STRING", "")).get("owner", [""])[0]
            released = self.release(key, owner)
            return _answer(start_response, 204 if released else 409, {} if released else {
                "message": f"The lock {key} is not held by {owner or 'an unnamed owner'}."})
        if method != "PUT":
            return _answer(start_response, 405, {"message": f"{method} is not a lock operation: PUT, GET or DELETE."})
        try:
            request = json.loads(read_body(environ) or b"{}")
            lease = Lease(owner=str(request["owner"]), operation=str(request.get("operation", "deploy")),
                          pid=int(request.get("pid", 0)), host=str(request.get("host", "")), since=time.time(),
                          lease=float(request["lease"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return _answer(start_response, 400, {"message": "A lock request is JSON with an owner and a lease."})
        if not lease.owner or not 0 < lease.lease <= MAX_LEASE:
            return _answer(start_response, 400, {"message": f"The lease must be over 0 and at most {MAX_LEASE:.0f} "
                                                            "seconds, for a named owner."})
        taken, held = self.acquire(key, lease)
        return _answer(start_response, 200 if taken else 409, asdict(held))


def _alive(pid: int) -> bool:
    """Whether a process of this machine still runs (a pid of 0 or less is never judged gone)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it exists
        return True
    return True


def _answer(start_response: StartResponse, status: int, body: dict[str, Any]) -> Iterable[bytes]:
    from http import HTTPStatus

    data = json.dumps(body).encode() if status != 204 else b""
    start_response(f"{status} {HTTPStatus(status).phrase}", [("Content-Type", "application/json"),
                                                            ("Content-Length", str(len(data)))])
    return [data]
