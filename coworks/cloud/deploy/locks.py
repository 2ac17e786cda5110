"""Deploy locks: one apply or destroy at a time per service (or workflow) and stage.

On the local cloud the lock lives in the front door (:mod:`coworks.cloud.local.http.locks`), so
two ``cws deploy`` shells, a notebook and a shell, or two threads take the same one. It is held
for the whole apply (the state is read again under it) and renewed while held; its lease
(``COWORKS_DEPLOY_LEASE`` seconds, 30 by default) frees it when the holder dies. The loser is
refused at once with one sentence (``ConcurrentDeployError``), or waits ``wait`` seconds for it.

On AWS there is no lock, as with Chalice and SAM (CloudFormation serialises on a stack, which a
Coworks deploy is not): the deploy re-reads the state when it applies a plan shown earlier, looks
for an API tagged for the service before creating one, and publishes a version only if
``$LATEST`` still holds its code (``CodeSha256``, checked by Lambda:
https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html). What is left is a
window of a few calls, where the loser is told as well.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from ..errors import ConcurrentDeployError, ConfigurationError
from .names import Owner

#: The environment variable that sets the lease of the locks a process takes (seconds).
LEASE_ENV = "COWORKS_DEPLOY_LEASE"
LEASE = 30.0
TOKEN_HEADER = "X-Coworks-Token"  # as coworks.cloud.local.http.access names it


class Locks(Protocol):
    """What a cloud's deployer holds around an apply or a destroy."""

    def hold(self, owner: Owner, operation: str, *, wait: float = 0.0) -> AbstractContextManager[None]: ...


class NoLocks:
    """AWS: no lock (see the module's docstring for what guards a deploy there)."""

    def hold(self, owner: Owner, operation: str, *, wait: float = 0.0) -> AbstractContextManager[None]:
        return nullcontext()


class EndpointLocks:
    """The locks of a local cloud's front door at ``endpoint`` (with its token, if it has one)."""

    def __init__(self, endpoint: str, token: str | None = None, lease: float | None = None, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.lease = lease if lease is not None else _lease_from_environment()
        self.sleep, self.clock = sleep, clock

    @contextmanager
    def hold(self, owner: Owner, operation: str, *, wait: float = 0.0) -> Iterator[None]:
        """Take the lock of ``owner`` for ``operation`` (deploy, destroy) or raise
        ``ConcurrentDeployError`` naming its holder; wait for it ``wait`` seconds at most."""
        key = f"{owner.kind}/{owner.name}/{owner.stage}"
        request = {"owner": uuid.uuid4().hex, "operation": operation, "pid": os.getpid(),
                   "host": socket.gethostname(), "lease": self.lease}
        deadline = self.clock() + wait
        while True:
            status, answer = self._call("PUT", key, request)
            if status == 200:
                break
            if status != 409:
                raise ConfigurationError(f"The local cloud at {self.endpoint} refused the deploy lock of "
                                         f"{owner.described}: {answer.get('message', status)}", resource=key)
            if self.clock() >= deadline:
                raise refusal(owner, operation, answer)
            self.sleep(min(1.0, self.lease / 3))
        lost: list[dict[str, Any]] = []
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(key, request, stop, lost), daemon=True,
                                   name=f"coworks-lock-{key}")
        renewer.start()
        failed = True
        try:
            yield
            failed = False
        finally:
            stop.set()
            renewer.join()
            self._call("DELETE", f"{key}?owner={request['owner']}", None)
        if lost and not failed:
            raise ConcurrentDeployError(
                f"This {operation} of {owner.described} lost its lock (it paused longer than its {self.lease:g} s "
                f"lease) to {describe(lost[0])}: check what that one did, then {operation} again.",
                resource=owner.resource_name, holder=describe(lost[0]))

    def _renew(self, key: str, request: dict[str, Any], stop: threading.Event, lost: list[dict[str, Any]]) -> None:
        while not stop.wait(self.lease / 3):
            try:
                status, answer = self._call("PUT", key, request)
            except ConfigurationError:
                continue  # the next renewal may get through; the lease covers a missed one
            if status == 409:
                lost.append(answer)
                return

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers[TOKEN_HEADER] = self.token
        url = f"{self.endpoint}/_coworks/locks/{quote(path, safe='/?=')}"
        try:
            with urlopen(Request(url, data=data, method=method, headers=headers), timeout=30) as answer:
                status, text = answer.status, answer.read()
        except HTTPError as exc:
            status, text = exc.code, exc.read()
        except (URLError, OSError) as exc:
            raise ConfigurationError(f"The local cloud at {self.endpoint} does not answer ({exc}): start it again "
                                     "(`cws cloud`) and deploy again.", resource=self.endpoint) from None
        try:
            parsed = json.loads(text or b"{}")
        except ValueError:
            parsed = {}
        return status, parsed if isinstance(parsed, dict) else {}


def describe(lease: dict[str, Any]) -> str:
    """``process 4242 on host`` for a lock's holder."""
    pid, host = lease.get("pid"), lease.get("host")
    return f"process {pid} on {host}" if pid and host else "another process"


def refusal(owner: Owner, operation: str, held: dict[str, Any]) -> ConcurrentDeployError:
    """The sentence for a deploy or destroy refused because another holds the lock."""
    other = str(held.get("operation") or "deploy")
    since = held.get("since")
    when = f"since {time.strftime('%H:%M:%S', time.localtime(float(since)))}, " if since else ""
    return ConcurrentDeployError(
        f"{'Another' if other == operation else 'A'} {other} of {owner.described} is running ({when}"
        f"{describe(held)}): {operation} again when it has ended.", resource=owner.resource_name,
        holder=describe(held))


def _lease_from_environment() -> float:
    text = os.environ.get(LEASE_ENV, "")
    try:
        value = float(text) if text else LEASE
    except ValueError:
        raise ConfigurationError(f"{LEASE_ENV}={text!r} is not a number of seconds: set it to 30, say.",
                                 resource=LEASE_ENV) from None
    if not 0 < value <= 3600:
        raise ConfigurationError(f"{LEASE_ENV}={text!r} is out of range: give over 0 and at most 3600 seconds.",
                                 resource=LEASE_ENV)
    return value
