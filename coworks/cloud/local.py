"""``LocalCloud``: an ``AwsCloud`` pointed at an embedded cloud on 127.0.0.1.

moto is the control plane (IAM, Lambda, API Gateway, Logs, EventBridge hold what a deploy
makes); Coworks' front door, on the same free port of the loopback interface, serves the data
plane moto cannot (Lambda ``Invoke`` in warm workers, the HTTP APIs' traffic, Lambda's logs).
Dummy credentials; everything stops with the object (``close()``, ``with``) or at exit.
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

    #: moto's CloudWatch Logs matches every event whatever the filter pattern: evaluate it here.
    evaluates_patterns_locally = True

    def __init__(self, port: int = 0, **kwargs: Any) -> None:
        import tempfile

        import boto3

        from .frontdoor import start_front_door

        # moto's server logs every request through werkzeug's logger: keep a notebook's output clean.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._workdir = tempfile.TemporaryDirectory(prefix="coworks-local-")
        self._server: Any
        self._server, self._lambdas = start_front_door(self._workdir.name, port=port, environment=None)
        self.port = self._server.port
        endpoint = f"http://127.0.0.1:{self.port}"
        # Functions that call AWS from their handler reach this cloud, never a real account.
        self._lambdas.environment.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                                          "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION})
        atexit.register(self.close)
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        super().__init__(region=REGION, endpoint_url=endpoint, session=session, **kwargs)
        self.clients.no_get_authorizers = True  # type: ignore[attr-defined] # moto lacks GetAuthorizers

    def api_url(self, api_id: str, stage: str) -> str:
        """Where the local gateway serves a deployed HTTP API stage."""
        return f"{self.endpoint_url}/_aws/execute-api/{api_id}/{stage}"

    def close(self) -> None:
        """Stop the front door and the workers (idempotent)."""
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
        return f"<LocalCloud {self.endpoint_url}{'' if self._server is not None else ' (stopped)'}>"
