"""The local cloud's one endpoint on 127.0.0.1.

boto3, the AWS CLI and the notebook all talk to this address. The data-plane operations that
moto cannot serve without Docker are answered here (Lambda ``Invoke``, the HTTP APIs' traffic
under ``/_aws/execute-api/<api-id>/<stage>/...``); every other AWS call goes to the embedded moto
application in the same process, untouched.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

from ..errors import InvalidRequestContentError, RequestTooLargeError, TooManyRequestsError, WorkerError
from .controlplane import ControlPlaneLookupError, complete_configuration
from .events import LocalEvents
from .gateway import GatewayRequest, LocalGateway
from .http.access import Access
from .http.limits import INVOKE_PAYLOAD
from .http.locks import DeployLocks
from .http.server import FrontDoorServer, sync_endpoint
from .http.wsgi import call_wsgi as _call
from .http.wsgi import read_body, replace_body
from .lambdas import LocalLambda
from .notifications import LocalNotifications
from .restapi.gateway import RestGateway
from .stepfunctions import LocalStepFunctions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ...runtime.http.server import Timeouts

__all__ = ["FrontDoor", "FrontDoorServer", "signature_problem", "start_front_door", "sync_endpoint"]

HOST = "127.0.0.1"
EXECUTE_API = "/_aws/execute-api/"
#: Answers ``{"service": "coworks-local-cloud", "pid": ...}``: how ``LocalCloud()`` tells a live shared
#: cloud from a stale endpoint file or another program on the port.
HEALTH = "/_coworks/health"
_READS = frozenset(("GET", "HEAD", "OPTIONS"))
_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
_CONFIGURATION = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/configuration$")
_REGION = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[\w-]+)/")

StartResponse = Callable[..., Any]


class FrontDoor:
    """WSGI application: the local data plane in front of moto's control plane."""

    def __init__(self, moto_app: Any, lambdas: LocalLambda, gateway: LocalGateway) -> None:
        self.moto_app = moto_app
        self.lambdas = lambdas
        self.gateway = gateway
        #: REST APIs' traffic (moto's apigateway ids; HTTP APIs' are apigatewayv2's), usage plans metered.
        self.rest = RestGateway(lambdas)
        #: Step Functions executions, run by the Coworks executor against the local Lambdas.
        self.states = LocalStepFunctions(lambdas)
        #: EventBridge deliveries moto does not make: scheduled rules and put events to Lambda/Step Functions.
        self.events = LocalEvents(lambdas, self.states)
        #: S3 object events to the rules, and the pipes from SQS queues to state machines.
        self.notifications = LocalNotifications(self.events, self.states)
        #: Requests that may have changed the control plane (invocations write logs): a persisting
        #: server saves its snapshot only when this moved.
        self.changes = 0
        #: One deploy at a time per service and stage, across every process that deploys here.
        self.locks = DeployLocks()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        raw_uri = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        raw_path = raw_uri.split("?", 1)[0]
        method = environ.get("REQUEST_METHOD", "GET")
        if raw_path.startswith(EXECUTE_API):
            self.changes += 1
            return self._execute_api(environ, start_response, raw_path)
        if raw_path == HEALTH:
            return self._health(start_response)
        if self.locks.handles(raw_path):
            return self.locks(environ, start_response)
        if self.notifications.handles(environ):
            self.changes += method not in _READS
            found = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
            return self.notifications(environ, start_response, self.moto_app, found.group("region") if found else
                                      "us-east-1")
        if method not in _READS:
            self.changes += 1
            if method == "POST":
                if self.states.handles(environ):
                    return self.states(environ, start_response)
                if self.events.handles(environ):
                    found = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
                    region = found.group("region") if found else "us-east-1"
                    return self.events(environ, start_response, self.moto_app, region)
                match = _INVOKE.match(environ.get("PATH_INFO", ""))
                if match:
                    return self._invoke(environ, start_response, unquote(match.group("name")))
            match = _CONFIGURATION.match(environ.get("PATH_INFO", "")) if method == "PUT" else None
            if match:  # moto's UpdateFunctionConfiguration drops two settings Lambda applies
                body = read_body(environ, keep=True)
                answer = self._moto(environ, start_response)
                found = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
                complete_configuration(unquote(match.group("name")), found.group("region") if found else "us-east-1",
                                       body)
                return answer
        return self._moto(environ, start_response)

    # -- what moto answers, shaped as AWS answers every client (boto3, the AWS CLI, curl) ----------

    def _moto(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Forward to moto, after refusing a malformed signature as AWS does; filter patterns of
        FilterLogEvents are evaluated here (moto ignores them), HTTP APIs name their local invoke
        URL, and a failure inside moto is AWS's InternalFailure, never a traceback."""
        problem = signature_problem(environ.get("HTTP_AUTHORIZATION"), environ)
        if problem is not None:
            return _error(start_response, 400, "IncompleteSignatureException", problem)
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if target and not environ.get("HTTP_AUTHORIZATION"):  # an unsigned call of a JSON API
            return _error(start_response, 403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        path = environ.get("PATH_INFO", "")
        if target == "Logs_20140328.FilterLogEvents":
            request = json.loads(read_body(environ) or b"{}")
            pattern = request.pop("filterPattern", None)
            if pattern:
                from ..logs.patterns import FilterPatternError, compile_pattern

                try:
                    matcher = compile_pattern(pattern)
                except FilterPatternError as exc:
                    return _error(start_response, 400, "InvalidParameterException", str(exc))
                return self._filter_log_events(environ, start_response, request, matcher)
            replace_body(environ, json.dumps(request).encode())
        try:
            status, headers, body = _call(self.moto_app, environ)
        except Exception:  # moto's own fault or a request it cannot read: AWS answers InternalFailure
            return _error(start_response, 500, "InternalFailure", "The request processing has failed because of an "
                                                                  "unknown error, exception or failure.")
        if status.startswith("2") and _APIS.match(path):
            answer = json.loads(body or b"{}")
            host = environ.get("HTTP_HOST") or f"{HOST}:{environ.get('SERVER_PORT', '')}"
            for api in answer.get("items", [answer]):
                if isinstance(api, dict) and "apiId" in api:
                    api["apiEndpoint"] = f"http://{host}{EXECUTE_API}{api['apiId']}"
            body = json.dumps(answer).encode()
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    def _filter_log_events(self, environ: dict[str, Any], start_response: StartResponse, request: dict[str, Any],
                           matcher: Any) -> Iterable[bytes]:
        """FilterLogEvents with a pattern, as CloudWatch answers it: the matching events in order,
        ``limit`` of them a page, the next page by ``nextToken`` (moto's pages are read to the end)."""
        limit = request.pop("limit", None)
        token = str(request.pop("nextToken", "") or "")
        start = int(token.removeprefix("coworks-")) if token.startswith("coworks-") and token[8:].isdigit() else 0
        found: list[dict[str, Any]] = []
        params, page = dict(request), {}
        try:
            while True:
                replace_body(environ, json.dumps(params).encode())
                status, headers, body = _call(self.moto_app, environ)
                if not status.startswith("2"):
                    start_response(status, headers)
                    return [body]
                page = json.loads(body or b"{}")
                found += [e for e in page.get("events", []) if matcher.matches(str(e.get("message", "")))]
                following = page.get("nextToken")
                if not following or following == params.get("nextToken"):
                    break
                params["nextToken"] = following
        except Exception:
            return _error(start_response, 500, "InternalFailure", "The request processing has failed because of an "
                                                                  "unknown error, exception or failure.")
        end = start + int(limit) if isinstance(limit, int) and limit > 0 else len(found)
        answer: dict[str, Any] = {"events": found[start:end], "searchedLogStreams": page.get("searchedLogStreams", [])}
        if end < len(found):
            answer["nextToken"] = f"coworks-{end}"
        out = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(out))),
                                  ("x-amzn-RequestId", str(uuid.uuid4()))])
        return [out]

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        import os

        body = json.dumps({"service": "coworks-local-cloud", "pid": os.getpid()}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    # -- Lambda Invoke -------------------------------------------------------------------

    def _invoke(self, environ: dict[str, Any], start_response: StartResponse, name: str) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        qualifier = query.get("Qualifier", [None])[0]
        invocation_type = environ.get("HTTP_X_AMZ_INVOCATION_TYPE", "RequestResponse")
        found = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
        region = found.group("region") if found else "us-east-1"
        payload = read_body(environ)
        if invocation_type == "DryRun":
            start_response("204 No Content", [])
            return [b""]
        try:
            result = self.lambdas.invoke(name, payload or b"{}", qualifier=qualifier, region=region,
                                         invocation_type=invocation_type)
        except ControlPlaneLookupError as exc:
            body = json.dumps({"Type": "User", "Message": str(exc)}).encode()
            start_response("404 Not Found", [("Content-Type", "application/json"),
                                             ("x-amzn-ErrorType", "ResourceNotFoundException"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        except (InvalidRequestContentError, RequestTooLargeError, TooManyRequestsError) as exc:
            return _lambda_error(start_response, exc)
        if invocation_type == "Event":
            start_response("202 Accepted", [("Content-Length", "0"), ("x-amzn-RequestId", result.request_id)])
            return [b""]
        headers = [("Content-Type", "application/json"), ("X-Amz-Executed-Version", result.executed_version),
                   ("x-amzn-RequestId", result.request_id), ("Content-Length", str(len(result.payload)))]
        if result.function_error:
            headers.append(("X-Amz-Function-Error", result.function_error))
        if environ.get("HTTP_X_AMZ_LOG_TYPE") == "Tail":
            headers.append(("X-Amz-Log-Result", result.log_tail))
        start_response("200 OK", headers)
        return [result.payload]

    # -- HTTP APIs -----------------------------------------------------------------------

    def _execute_api(self, environ: dict[str, Any], start_response: StartResponse, raw_path: str) -> Iterable[bytes]:
        rest = raw_path[len(EXECUTE_API):]
        api_id, _, rest = rest.partition("/")
        stage, _, path = rest.partition("/")
        headers = [(key[5:].replace("_", "-").title(), value) for key, value in environ.items()
                   if key.startswith("HTTP_")]
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", environ["CONTENT_TYPE"]))
        request = GatewayRequest(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path="/" + path,
            query=environ.get("QUERY_STRING", ""),
            headers=headers,
            body=read_body(environ),
            source_ip=environ.get("REMOTE_ADDR", HOST),
        )
        response = self.rest.handle(api_id, stage, request) or self.gateway.handle(api_id, stage or "$default", request)
        # The gateway frames the body itself; only a HEAD keeps the length its GET would have.
        given = {k.lower(): v for k, v in response.headers.items()}.get("content-length")
        out = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        out += [("Set-Cookie", c) for c in response.cookies]
        length = given if request.method == "HEAD" and given is not None else str(len(response.body))
        out.append(("Content-Length", length))
        start_response(f"{response.status} {_reason(response.status)}", out)
        return [response.body]


_APIS = re.compile(r"^/v2/apis(?:/[^/]+)?$")  # CreateApi, GetApis, GetApi, UpdateApi: their apiEndpoint
_SIGNATURE_PARTS = ("Credential", "Signature", "SignedHeaders")


def signature_problem(header: str | None, environ: dict[str, Any]) -> str | None:
    """What AWS says of an Authorization header that cannot be a Signature Version 4 (None when it
    is one, or absent): its IncompleteSignatureException message, the credential left out."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    fields = dict(part.strip().partition("=")[::2] for part in rest.split(",")) if scheme == "AWS4-HMAC-SHA256" else {}
    missing = [f"Authorization header requires '{p}' parameter." for p in _SIGNATURE_PARTS if not fields.get(p)]
    if not (environ.get("HTTP_X_AMZ_DATE") or environ.get("HTTP_DATE")):
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        return " ".join(missing) + f" Authorization={scheme} ••••"
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[-1] != "aws4_request":
        return ("Credential should be scoped with a valid terminator: 'aws4_request', as "
                "<access key>/<yyyymmdd>/<region>/<service>/aws4_request.")
    return None


def _lambda_error(start_response: StartResponse, exc: WorkerError) -> Iterable[bytes]:
    """Lambda's answer to a payload it cannot take or a function it throttles, in its REST-JSON
    shape (``Type``, ``message``, ``x-amzn-ErrorType``): 4xx codes botocore does not retry, but
    for the throttle, which AWS's clients retry too."""
    if isinstance(exc, TooManyRequestsError):
        status, extra = "429 Too Many Requests", {"Reason": exc.reason, "message": "Rate Exceeded."}
    elif isinstance(exc, RequestTooLargeError):
        status, extra = "413 Request Entity Too Large", {
            "message": f"Request must be smaller than {INVOKE_PAYLOAD} bytes for the InvokeFunction operation"}
    else:
        detail = str(exc).split(": ", 1)[-1].split("; send")[0]
        status, extra = "400 Bad Request", {
            "message": f"Could not parse request body into json: Could not parse payload into json: {detail}"}
    body = json.dumps({"Type": "User", **extra}).encode()
    start_response(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", exc.code or "ServiceException"),
                            ("x-amzn-RequestId", str(uuid.uuid4())), ("Content-Length", str(len(body)))])
    return [body]


def _error(start_response: StartResponse, status: int, code: str, message: str) -> Iterable[bytes]:
    """An error in the JSON protocols' shape (``__type``, ``message``), with its code in the header."""
    body = json.dumps({"__type": code, "message": message}).encode()
    start_response(f"{status} {_reason(status)}", [("Content-Type", "application/x-amz-json-1.1"),
                                                   ("x-amzn-ErrorType", code), ("Content-Length", str(len(body)))])
    return [body]


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def start_front_door(
    cache_dir: Any, port: int = 0, environment: dict[str, str] | None = None, *, access: Access | None = None,
    timeouts: Timeouts | None = None, concurrency: int | None = None,
) -> tuple[FrontDoorServer, LocalLambda]:
    """moto's application, the local Lambda service and the gateway, behind one started server.

    Functions see this endpoint and dummy credentials unless ``environment`` says otherwise, so
    a handler's boto3 calls reach this cloud, never a real account; with a token (``access``)
    their access key id is the token, so their calls back are let in.
    """
    from pathlib import Path

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from .lambdas import CONCURRENCY

    lambdas = LocalLambda(Path(cache_dir), concurrency=concurrency or CONCURRENCY, environment=environment)
    app = FrontDoor(DomainDispatcherApplication(create_backend_app), lambdas, LocalGateway(lambdas))
    server = FrontDoorServer(app, port, access=access, timeouts=timeouts)
    token = server.access.token
    # A handler's StartSyncExecution and TestState (host prefix sync-) go to the endpoint that survives it.
    for key, value in {"AWS_ENDPOINT_URL": server.url, "AWS_ENDPOINT_URL_SFN": server.sync_url,
                       "AWS_ACCESS_KEY_ID": token or "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        lambdas.environment.setdefault(key, value)
    server.start()
    app.events.start()  # the scheduled rules tick about once a second; FrontDoorServer.stop() stops it
    app.notifications.start()  # the pipes poll their queues as often
    return server, lambdas
