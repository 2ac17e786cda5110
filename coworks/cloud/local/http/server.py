"""The front door on the runtime's HTTP/1.1 server (:mod:`coworks.runtime.http.server`): one
event loop for every connection, a bounded pool of threads for the WSGI application (the
front door in front of moto), and the same framing rules as ``app.serve()``.

Why not werkzeug's development server, which moto ships with: it runs a thread per connection for
as long as the client keeps it (a slow client holds one forever), it hands a chunked body over
as empty, it runs a request whose body never fully arrived, and it reads a body before anyone
could refuse its size. Here a request's head is checked first (:mod:`.access`: who may use the
front door; :mod:`.limits`: AWS's sizes), and only a whole request reaches the application.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ....runtime.http.server import HttpAnswer, HttpRequest, HttpServer, Timeouts
from .access import Access, denied, preflight, preflight_answer, with_cors
from .limits import EXECUTE_API, body_limit, too_large
from .wsgi import call_wsgi, environ_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ....runtime.http.framing import RequestHead

HOST = "127.0.0.1"
#: Handlers that may run at once: each Lambda invocation holds one while its worker runs.
THREADS = 256
_REGION = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[\w-]+)/")


def sync_endpoint(url: str) -> str:
    """The endpoint for operations with a host prefix (StartSyncExecution, TestState: ``sync-``):
    ``http://coworks@127.0.0.1:PORT``, where botocore's prefix lands in the userinfo
    (``sync-coworks@127.0.0.1``) and the host stays the front door's. Give it to boto3 as
    ``endpoint_url`` of a Step Functions client, or as ``AWS_ENDPOINT_URL_SFN``."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://coworks@{rest.split('@')[-1]}"


def region_of(request: HttpRequest) -> str:
    found = _REGION.search(request.head.header("authorization") or "")
    return found.group("region") if found else "us-east-1"


class FrontDoorApp:
    """The HTTP server's application: access and size checked on the head, then Lambda's own
    rules moto leaves out (:mod:`..functions`), then the WSGI front door."""

    def __init__(self, wsgi: Any, access: Access) -> None:
        self.wsgi = wsgi
        self.access = access

    def admit(self, head: RequestHead) -> int | HttpAnswer:
        refused = self.access.refusal(head)
        if refused is not None:
            return denied(head, *refused)  # in the protocol of the API called, readable by people
        return body_limit(head).size

    def too_large(self, head: RequestHead, limit: int) -> HttpAnswer:
        return too_large(body_limit(head))

    def __call__(self, request: HttpRequest) -> HttpAnswer:
        head = request.head
        if not head.path.startswith(EXECUTE_API):  # an HTTP API's CORS is its own configuration
            if preflight(head):
                return preflight_answer(head)
            return with_cors(head, self._aws(request))
        return self._aws(request)

    def _aws(self, request: HttpRequest) -> HttpAnswer:
        from ..functions import after_lambda_call, function_lock, lambda_refusal

        head = request.head
        with function_lock(head.method, head.path):  # PublishVersion's check and publish, as one
            refused = lambda_refusal(head.method, head.path, request.body, region_of(request))
            if refused is not None:
                return refused
            status, headers, body = call_wsgi(self.wsgi, environ_for(request))
        answer = HttpAnswer(int(status.split(" ", 1)[0]), headers, body)
        if answer.status == 404 and _html(answer):
            return unknown_operation(head)
        if head.method not in ("GET", "HEAD") and answer.status < 300:
            after_lambda_call(self.wsgi, head.method, head.path, region_of(request))
        return answer


def _html(answer: HttpAnswer) -> bool:
    return any(k.lower() == "content-type" and v.startswith("text/html") for k, v in answer.headers)


def unknown_operation(head: RequestHead) -> HttpAnswer:
    """A path no AWS operation of moto's has (moto answers werkzeug's HTML page): a JSON error an
    SDK reads, with the code AWS's REST front ends give an unknown operation, 404
    ``UnknownOperationException`` (botocore: a ClientError, not retried)."""
    from .limits import aws_error

    return aws_error(404, "UnknownOperationException",
                     f"The local cloud has no AWS operation at {head.method} {head.path[:200]}: check the "
                     "endpoint and the client's service.")


class FrontDoorServer:
    """The front door listening on 127.0.0.1 (a free port unless one is given)."""

    def __init__(self, app: Any, port: int = 0, *, access: Access | None = None,
                 timeouts: Timeouts | None = None) -> None:
        self.app = app
        self._http = HttpServer(FrontDoorApp(app, access or Access()), port, timeouts=timeouts, threads=THREADS,
                                name="coworks-front-door")
        self.port: int = self._http.port
        self.access = replace(access or Access(), port=self.port)  # its own pages are its origin
        self._http.app.access = self.access  # type: ignore[attr-defined]
        self.url = f"http://{HOST}:{self.port}"
        #: The same endpoint for SDKs that add host prefixes (StartSyncExecution's ``sync-``): the
        #: prefix lands in the userinfo, the host stays 127.0.0.1 (see ``stepfunctions``).
        self.sync_url = sync_endpoint(self.url)

    @property
    def http(self) -> HttpServer:
        """The HTTP server itself: its connections, the requests running now and served so far."""
        return self._http

    def start(self) -> FrontDoorServer:
        self._http.start()
        return self

    def stop(self, grace: float = 5.0) -> None:
        """Stop the schedulers, then serving: running requests finish (``grace`` seconds at most)."""
        self.app.events.stop()
        self.app.notifications.stop()
        self._http.stop(grace)
