"""``LocalCloud``: an ``AwsCloud`` pointed at a local cloud on 127.0.0.1 (shared or embedded).

moto is the control plane (IAM, Lambda, API Gateway, Logs, EventBridge hold what a deploy
makes); Coworks' front door, on the same free port of the loopback interface, serves the data
plane moto cannot (Lambda ``Invoke`` in warm workers, the HTTP APIs' traffic, Lambda's logs).
Dummy credentials; an embedded cloud stops with the object (``close()``, ``with``) or at exit.
"""

from __future__ import annotations

import atexit
import logging
import socket

from ..aws import AwsCloud

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalCloud(AwsCloud):
    """A cloud on 127.0.0.1: no account, no Docker. ``LocalCloud().deploy(app).apply()``.

    When ``cws cloud`` runs (its endpoint file names a server that answers), ``LocalCloud()``
    attaches to it, so a notebook and a shell see the same deployments; otherwise it starts an
    embedded cloud in this process. ``shared=False`` (or a ``port``) always embeds, ``shared=True``
    insists on attaching, ``url=`` attaches to the local cloud serving there. Closing an attached
    cloud leaves the shared server running.

    moto keeps its state in module globals: embedded clouds of one process share one control
    plane (a second ``LocalCloud(shared=False)`` sees the first one's deployments).
    """

    def __init__(self, port: int = 0, *, shared: bool | None = None, url: str | None = None, **kwargs: Any) -> None:
        """``url`` attaches to the local cloud serving there (another process's, shared or not)."""
        import boto3

        from .shared import SharedCloudError, endpoint_file, find_shared, probe

        self._server: Any = None
        self._lambdas: Any = None
        self._workdir: Any = None
        if url is not None:
            self.shared = probe(url)
            if self.shared is None:
                raise SharedCloudError(f"No Coworks local cloud answers at {url}: start one with `cws cloud`.",
                                       resource=url)
        elif shared is True or (shared is None and not port):
            self.shared = find_shared()
        else:
            self.shared = None
        if shared is True and self.shared is None:
            raise SharedCloudError(f"No shared local cloud answers (looked in {endpoint_file()}): start one with "
                                   "`cws cloud`, or use LocalCloud(shared=False).", resource=str(endpoint_file()))
        if self.shared is not None:
            endpoint = self.shared.url
            self.port = int(endpoint.rsplit(":", 1)[1])
        else:
            endpoint = self._embed(port)
        # With `cws cloud --token`, the token is the access key id every call is signed with.
        token = self.shared.token if self.shared is not None else None
        session = boto3.Session(aws_access_key_id=token or "testing", aws_secret_access_key="testing",
                                region_name=REGION)
        super().__init__(region=REGION, endpoint_url=endpoint, session=session, **kwargs)
        from ..deploy.locks import EndpointLocks

        # One deploy at a time per service and stage, for every process deploying to this cloud.
        self.deployer.locks = EndpointLocks(endpoint, token, sleep=lambda s: self.sleep(s), clock=lambda: self.clock())
        self.clients.no_get_authorizers = True  # type: ignore[attr-defined] # moto lacks GetAuthorizers
        # Every Step Functions call on the endpoint where StartSyncExecution's and TestState's host
        # prefix (sync-) lands in the userinfo: the other operations reach the same front door there.
        self.clients.endpoints["stepfunctions"] = self.sync_endpoint_url

    def _embed(self, port: int) -> str:
        import tempfile

        from .frontdoor import start_front_door

        # moto's server logs every request through werkzeug's logger: keep a notebook's output clean.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._workdir = tempfile.TemporaryDirectory(prefix="coworks-local-")
        self._server, self._lambdas = start_front_door(self._workdir.name, port=port)
        self.port = self._server.port
        atexit.register(self.close)
        return str(self._server.url)

    @property
    def embedded(self) -> bool:
        """True when this object runs the cloud itself (and stops it on ``close()``)."""
        return self.shared is None

    def live_workers(self) -> dict[tuple[str, str], int]:
        """Warm worker processes per (function, version) of an embedded cloud (an attached one's
        workers live in the server's process: empty here)."""
        return self._lambdas.live_workers() if self._lambdas is not None else {}

    @property
    def sync_endpoint_url(self) -> str:
        """The endpoint for StartSyncExecution and TestState through boto3, which prefix the host with
        ``sync-``: ``boto3.client("stepfunctions", endpoint_url=cloud.sync_endpoint_url)``."""
        from .frontdoor import sync_endpoint

        return sync_endpoint(str(self.endpoint_url))

    def api_url(self, api_id: str, stage: str) -> str:
        """Where the local gateway serves a deployed API stage (HTTP or REST)."""
        return f"{self.endpoint_url}/_aws/execute-api/{api_id}/{stage}"

    def close(self) -> None:
        """Stop the embedded front door and its workers (idempotent); an attached cloud keeps running."""
        self._closed = True
        server, self._server = self._server, None
        if server is not None:
            atexit.unregister(self.close)
            server.stop()
            self._lambdas.close()
            self._workdir.cleanup()

    def __enter__(self) -> LocalCloud:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        how = f" (shared, pid {self.shared.pid})" if self.shared is not None else ""
        return f"<LocalCloud {self.endpoint_url}{how}{' (stopped)' if getattr(self, '_closed', False) else ''}>"
