"""The front door's deploy locks on an injected clock: one owner at a time, renewed by its owner,
free when its lease runs out or its process is gone, given back only by its owner; the endpoint's
answers. No server: the lock table and its WSGI application are called directly."""

from __future__ import annotations

import io
import json
import socket
from typing import Any

from coworks.cloud.local.http.locks import DeployLocks, Lease

HOST = socket.gethostname()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def lease(owner: str, *, pid: int = 0, host: str = HOST, seconds: float = 10.0) -> Lease:
    return Lease(owner=owner, operation="deploy", pid=pid, host=host, since=1000.0, lease=seconds)


def test_one_owner_at_a_time_until_its_lease_runs_out() -> None:
    clock = Clock()
    locks = DeployLocks(clock=clock)
    assert locks.acquire("service/inventory/dev", lease("a"))[0]
    taken, holder = locks.acquire("service/inventory/dev", lease("b"))
    assert not taken and holder.owner == "a"
    assert locks.acquire("service/inventory/prod", lease("b"))[0]  # another stage: another lock
    clock.now = 9.0
    assert locks.acquire("service/inventory/dev", Lease("a", "deploy", 0, HOST, 2000.0, 10.0))[0]  # renewed
    clock.now = 18.0
    assert not locks.acquire("service/inventory/dev", lease("b"))[0]  # 9 s after the renewal: still held
    assert locks.holder("service/inventory/dev") == lease("a")  # since the first acquire
    clock.now = 19.0
    assert locks.acquire("service/inventory/dev", lease("b"))[0]
    assert not locks.release("service/inventory/dev", "a")  # an expired owner gives nothing back
    assert locks.release("service/inventory/dev", "b") and locks.holder("service/inventory/dev") is None


def test_a_holder_of_this_machine_whose_process_is_gone_frees_the_lock_at_once() -> None:
    alive = {41: True, 42: False}
    locks = DeployLocks(clock=Clock(), alive=lambda pid: alive[pid])
    locks.acquire("service/a/dev", lease("x", pid=41))
    locks.acquire("service/b/dev", lease("x", pid=42))
    locks.acquire("service/c/dev", lease("x", pid=42, host="elsewhere"))  # not this machine's: the lease decides
    assert [locks.holder(f"service/{k}/dev") is not None for k in "abc"] == [True, False, True]


def call(locks: DeployLocks, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(data),
               "CONTENT_LENGTH": str(len(data))}
    answers: list[str] = []
    out = b"".join(locks(environ, lambda status, headers: answers.append(status)))
    return int(answers[0].split()[0]), json.loads(out) if out else {}


def test_the_endpoint_takes_renews_tells_and_gives_back() -> None:
    locks = DeployLocks(clock=Clock())
    key = "/_coworks/locks/service/inventory/dev"
    assert call(locks, "GET", key) == (404, {"message": "Not held."})
    status, held = call(locks, "PUT", key, {"owner": "a", "lease": 5, "pid": 0, "host": HOST})
    assert status == 200 and (held["owner"], held["operation"], held["lease"]) == ("a", "deploy", 5.0)
    status, other = call(locks, "PUT", key, {"owner": "b", "lease": 5, "operation": "destroy"})
    assert status == 409 and other == held  # who holds it, since when, for what
    assert call(locks, "GET", key) == (200, held)
    assert call(locks, "DELETE", key + "?owner=b")[0] == 409
    assert call(locks, "DELETE", key + "?owner=a") == (204, {})
    assert call(locks, "PUT", key, {"owner": "b", "lease": 5})[0] == 200


def test_the_endpoint_refuses_what_is_no_lock_request() -> None:
    locks = DeployLocks(clock=Clock())
    key = "/_coworks/locks/service/inventory/dev"
    lease_refused = {"message": "The lease must be over 0 and at most 3600 seconds, for a named owner."}
    assert call(locks, "PUT", key, {"owner": "a", "lease": 0}) == (400, lease_refused)
    assert call(locks, "PUT", key, {"owner": "a", "lease": 7200}) == (400, lease_refused)
    assert call(locks, "PUT", key, {"lease": 5}) == (400, {"message": "A lock request is JSON with an owner and a "
                                                                      "lease."})
    assert call(locks, "PUT", "/_coworks/locks/", {"owner": "a", "lease": 5})[0] == 400
    assert call(locks, "POST", key, {"owner": "a", "lease": 5}) == (
        405, {"message": "POST is not a lock operation: PUT, GET or DELETE."})
