"""``LocalCloud``: an ``AwsCloud`` pointed at an embedded moto server on 127.0.0.1.

moto is the control plane (IAM, Lambda, API Gateway, Logs, EventBridge hold what a deploy
makes); the server listens on a free port of the loopback interface only, with dummy
credentials, and stops with the object (``close()``, ``with``) or at interpreter exit.
"""

from __future__ import annotations

import atexit
import logging
import socket

from .aws import AwsCloud

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalCloud(AwsCloud):
    """A cloud in this process: no account, no Docker. ``LocalCloud().deploy(app).apply()``."""

    def __init__(self, port: int = 0, **kwargs: Any) -> None:
        import boto3
        from moto.server import ThreadedMotoServer

        # moto's server logs every request through werkzeug's logger: keep a notebook's output clean.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.port = port or free_port()
        self._server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        atexit.register(self.close)
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        super().__init__(region=REGION, endpoint_url=f"http://127.0.0.1:{self.port}", session=session, **kwargs)
        self.clients.no_get_authorizers = True  # type: ignore[attr-defined] # moto lacks GetAuthorizers

    def close(self) -> None:
        """Stop the embedded server (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            atexit.unregister(self.close)
            server.stop()

    def __enter__(self) -> LocalCloud:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<LocalCloud {self.endpoint_url}{'' if self._server else ' (stopped)'}>"
