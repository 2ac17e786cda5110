"""The shared local cloud: one long-lived server that a notebook and a shell both use.

``cws cloud`` runs a :class:`SharedCloudServer` (front door, moto, workers) and writes its
endpoint to ``$COWORKS_HOME/cloud.json`` (default ``~/.coworks``) with its pid; ``LocalCloud()``
reads that file and attaches when the server answers its health check, so deployments made from
the shell answer in the notebook and the other way round. The file is removed when the server
stops; a stale one (the server was killed) is ignored, never deleted behind the user's back: the
opener reports it (``read_endpoint``), and the next ``cws cloud`` replaces it.

With ``persist=DIR`` the control plane is kept in ``DIR`` (0700; :mod:`.snapshot`) and restored
at start, so API ids, versions, aliases and code, hence the URLs handed out before, survive a
restart or a kill -9: a mutating AWS call's answer leaves only once the backend it changed is on
disk (:class:`_DurableApp`); the whole state is written again every ``save_every`` seconds when
something changed (0: only when the server stops), which carries the data plane's own writes
(invocations' logs, executions). Workers' unpacked code is kept there too.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import CloudError, SharedCloudError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ...runtime.http.framing import RequestHead
    from ...runtime.http.server import HttpAnswer, HttpRequest
    from .snapshot import Snapshot

FILE_NAME = "cloud.json"


def coworks_home() -> Path:
    """Where Coworks keeps per-user state: ``$COWORKS_HOME``, else ``~/.coworks``."""
    return Path(os.environ.get("COWORKS_HOME") or Path.home() / ".coworks")


def endpoint_file() -> Path:
    return coworks_home() / FILE_NAME


@dataclass(frozen=True)
class SharedCloud:
    """What ``cloud.json`` says about a running shared cloud."""

    url: str
    pid: int
    persist: str | None = None
    #: With ``cws cloud --token``: the access key id every AWS call must carry (the file is 0600).
    token: str | None = None

    def answers(self, timeout: float = 1.0) -> bool:
        """Whether the front door at ``url`` is this server (its health check names the same pid)."""
        found = probe(self.url, timeout)
        return found is not None and found.pid == self.pid


def probe(url: str, timeout: float = 1.0) -> SharedCloud | None:
    """The local cloud answering at ``url`` (shared or embedded in another process), or None."""
    import urllib.request

    from .frontdoor import HEALTH

    try:
        with urllib.request.urlopen(url.rstrip("/") + HEALTH, timeout=timeout) as answer:
            health = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    if isinstance(health, dict) and health.get("service") == "coworks-local-cloud":
        pid = int(health.get("pid", 0))
        announced = read_endpoint()  # the shared cloud's token, when it is the one answering there
        token = announced.token if announced is not None and (announced.url, announced.pid) == (
            url.rstrip("/"), pid) else None
        return SharedCloud(url.rstrip("/"), pid, token=token)
    return None


def read_endpoint() -> SharedCloud | None:
    """What ``cloud.json`` says, answering or not (None: no file, or one that is not ours)."""
    try:
        data = json.loads(endpoint_file().read_text())
        return SharedCloud(url=str(data["url"]), pid=int(data["pid"]), persist=data.get("persist"),
                           token=data.get("token"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find_shared(timeout: float = 1.0) -> SharedCloud | None:
    """The shared cloud that runs now, or None (no file, an unreadable one, or a server that is gone)."""
    found = read_endpoint()
    if found is not None and found.answers(timeout):
        return found
    return None


#: One read per service a ``cws plan`` touches: each first call through the front door builds
#: moto's backend and URL map for that service, seconds that would otherwise fall on the user's
#: first command (12 s measured for the first ``cws plan``, 4 s for the next).
_WARM_READS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("sts", "get_caller_identity", {}), ("iam", "list_roles", {}), ("lambda", "list_functions", {}),
    ("logs", "describe_log_groups", {}), ("apigatewayv2", "get_apis", {}), ("apigateway", "get_rest_apis", {}),
    ("events", "list_rules", {}), ("stepfunctions", "list_state_machines", {}),
)


def write_private(path: Path, text: str) -> None:
    """``text`` as the new content of ``path``, readable by this user only (0600), replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(staging, path)


def _warm_up(url: str = "", token: str | None = None) -> None:
    """Import the backends a deploy touches (moto's API Gateway pulls in jsonschema's grammars)
    and, given the server's ``url``, make one read of each service through it, so the first
    command someone types is answered as fast as the next. Done before the server is announced
    (8 s measured), not beside it: a SIGTERM in the middle would stop the server under a boto3
    call waiting for an answer that never comes, and a daemon thread frozen at exit in boto3
    keeps the interpreter's last collection from ending (measured: 1 stop in 10 never exited)."""
    from moto.backends import get_backend

    for name in ("apigatewayv2", "lambda"):
        get_backend(name)  # type: ignore[call-overload]
    if not url:
        return
    import boto3

    session = boto3.Session(aws_access_key_id=token or "testing", aws_secret_access_key="testing",
                            region_name="us-east-1")
    for service, method, params in _WARM_READS:
        try:
            getattr(session.client(service, endpoint_url=url), method)(**params)
        except Exception:  # noqa: BLE001 - a warm-up read that fails only leaves that service cold
            continue


#: Data-plane calls: what they write into moto (log events) is durable at the next compaction.
_DATA_PLANE = re.compile(r"^(?:/_aws/execute-api/|/_coworks/|/2015-03-31/functions/[^/]+/invocations$)")
#: What AWS answers when it could not complete a request (the change could not be made durable):
#: InternalFailure, 500 (https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html).
_FAILURE = (b'{"__type": "InternalFailure", "message": "The request processing has failed because of an unknown '
            b'error, exception or failure."}')


class _DurableApp:
    """The front door's HTTP application, with each answered change on disk before its answer is
    written: wraps the :class:`~.http.server.FrontDoorApp` the HTTP server calls."""

    def __init__(self, app: Any, snapshot: Snapshot) -> None:
        self.app = app
        self.snapshot = snapshot
        #: Calls that may have changed the control plane: written at once, or (the data plane's
        #: invocations, which write logs) at the next compaction, which runs only when this moved.
        self.changes = 0

    @property
    def access(self) -> Any:
        return self.app.access

    @access.setter
    def access(self, value: Any) -> None:
        self.app.access = value

    def admit(self, head: RequestHead) -> Any:
        return self.app.admit(head)

    def too_large(self, head: RequestHead, limit: int) -> Any:
        return self.app.too_large(head, limit)

    def __call__(self, request: HttpRequest) -> HttpAnswer:
        answer: HttpAnswer = self.app(request)
        head = request.head
        if _DATA_PLANE.match(head.path):
            self.changes += not head.path.startswith("/_coworks/")
            return answer
        from .snapshot import touched

        services = touched(head.method, head.path, head.header("authorization"), head.header("x-amz-target"),
                           request.body)
        if not services or answer.status >= 400:  # a refused call changed nothing
            return answer
        self.changes += 1
        try:
            self.snapshot.commit(services)
        except (CloudError, OSError) as exc:  # the change is made, but not durable: not answered as done
            import sys

            from ...runtime.http.server import HttpAnswer

            print(f"Warning: {exc}", file=sys.stderr)
            return HttpAnswer(500, [("Content-Type", "application/x-amz-json-1.1"),
                                    ("x-amzn-ErrorType", "InternalFailure")], _FAILURE)
        return answer


def state_key_file() -> Path:
    """The key that seals ``--persist`` state files: outside the state, readable by this user only."""
    from .snapshot import KEY_NAME

    return coworks_home() / KEY_NAME


class SharedCloudServer:
    """The local cloud as a long-lived server: ``start()``, then ``tick()`` now and then, then ``stop()``."""

    def __init__(self, port: int = 0, persist: str | os.PathLike[str] | None = None,
                 save_every: float = 30.0, *, token: str | None = None, hosts: tuple[str, ...] = (),
                 origins: tuple[str, ...] = ()) -> None:
        """``token``: every AWS call must be signed with it as its access key id (the clients Coworks
        creates read it from ``cloud.json``); ``hosts`` and ``origins``: Host names and browser origins
        let in besides the loopback names and the front door's own pages."""
        self.port = port
        self.token = token
        self.hosts = hosts
        self.origins = origins
        self.persist = Path(persist).resolve() if persist is not None else None
        self.save_every = save_every
        self.url = ""
        self.restored = False
        self._server: Any = None
        self._lambdas: Any = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._saved_changes = 0
        self._last_save = 0.0
        self._snapshot: Snapshot | None = None

    def start(self) -> SharedCloudServer:
        """Restore the persisted state, start the front door and announce it in ``cloud.json``."""
        import logging

        from .frontdoor import start_front_door

        running = find_shared()
        if running is not None:
            raise SharedCloudError(f"A shared local cloud already runs at {running.url} (pid {running.pid}): "
                                   "use it, or stop it first.", resource=str(endpoint_file()))
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        if self.persist is not None:
            from .snapshot import Snapshot, private_directory

            self._snapshot = Snapshot(private_directory(self.persist), state_key_file())
            self.restored = self._snapshot.load()
            cache = private_directory(self.persist / "workers")  # unpacked code: the user's alone too
        else:
            self._workdir = tempfile.TemporaryDirectory(prefix="coworks-cloud-")
            cache = Path(self._workdir.name)
        from .http.access import Access

        access = Access(hosts=self.hosts, origins=self.origins, token=self.token)
        try:
            self._server, self._lambdas = start_front_door(cache, port=self.port, access=access)
        except OSError as exc:
            raise SharedCloudError(f"Cannot listen on 127.0.0.1:{self.port} ({exc.strerror}): pick another --port.",
                                   resource=str(self.port)) from None
        if self._snapshot is not None:
            self._server.http.app = _DurableApp(self._server.http.app, self._snapshot)
        _warm_up(self._server.url, self.token)
        self.url = self._server.url
        self._saved_changes = self._changes()
        self._last_save = time.monotonic()
        record = SharedCloud(self.url, os.getpid(), str(self.persist) if self.persist else None, self.token)
        write_private(endpoint_file(), json.dumps(asdict(record)))
        return self

    def tick(self) -> None:
        """Save the snapshot when the control plane changed and ``save_every`` seconds have passed
        (never with ``save_every`` 0: then only ``stop()`` does).

        A failed periodic save is reported and the server keeps serving: the next one may work,
        and losing the service would lose more than a snapshot.
        """
        if self.persist is not None and 0 < self.save_every <= time.monotonic() - self._last_save:
            try:
                self.save()
            except CloudError as exc:
                import sys

                print(f"Warning: {exc}", file=sys.stderr)

    def save(self) -> bool:
        """Snapshot the control plane if it changed since the last save; True when written."""
        if self._snapshot is None or self._server is None:
            return False
        changes = self._changes()
        self._last_save = time.monotonic()
        if changes == self._saved_changes:
            return False
        self._snapshot.save()
        self._saved_changes = changes
        return True

    def _changes(self) -> int:
        durable = self._server.http.app
        return int(durable.changes if isinstance(durable, _DurableApp) else self._server.app.changes)

    def stop(self) -> None:
        """Stop serving, save the state, kill the workers, remove ``cloud.json`` (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        try:
            if self._snapshot is not None:
                self._snapshot.save()
        finally:
            self._lambdas.close()
            if self._workdir is not None:
                self._workdir.cleanup()
            path = endpoint_file()
            try:
                if json.loads(path.read_text()).get("pid") == os.getpid():
                    path.unlink()
            except (OSError, ValueError):
                pass
