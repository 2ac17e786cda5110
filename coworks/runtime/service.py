"""TechMicroService: a class whose ``@entry`` methods are HTTP endpoints.

The instance is the Lambda handler (``app(event, context)``); ``dispatch(request)`` is the
pure core that the event adapters, the test client and the local server all call.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

from .errors import HTTPError, RouteDefinitionError, ServiceError
from .events.adapters import handle
from .params import bind
from .responses import Response, error_response, make_response, unsafe_header
from .routing import QUERY_METHODS, Route, Router, check_duplicates, entries_of, path_values
from .schedules import Schedule, schedules_of
from .uploads import MAX_FORM_PARTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .cors import CORSConfig
    from .requests import Request
    from .server import ServerHandle
    from .testclient import TestClient

_current_request: ContextVar[Request] = ContextVar("coworks_request")


def kebab(name: str) -> str:
    """``MyShopService`` -> ``my-shop-service``: the default service name, valid in AWS names."""
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index and (not name[index - 1].isupper() or (
            index + 1 < len(name) and name[index + 1].islower())):
            out.append("-")
        out.append(char.lower())
    return "".join(out).replace("_", "-")


class _Mountable:
    """What services and blueprints share: entries gathered (and checked) at class creation."""

    _routes: tuple[Route, ...] = ()
    _schedules: tuple[Schedule, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        routes = entries_of(cls)
        check_duplicates(routes)
        cls._routes = tuple(routes)
        cls._schedules = tuple(schedules_of(cls))


class Blueprint(_Mountable):
    """A group of ``@entry`` methods mounted on a service under a prefix.

    ``app.register_blueprint(Admin(), prefix="/admin")``; inside, ``self.service`` is the
    service it was mounted on and ``self.request`` the current request.
    """

    service: TechMicroService | None = None

    @property
    def request(self) -> Request:
        return _current_request.get()


class TechMicroService(_Mountable):
    """A microservice: subclass it, decorate methods with ``@entry``, instantiate it.

    The class docstring is the service's description (in OpenAPI and in notebooks).
    """

    #: Class-level CORS default (True, an origin, a list of origins or a CORSConfig).
    cors: Any = None
    #: Parts a multipart/form-data body may have; more is a 413 before any part is read.
    max_form_parts: int = MAX_FORM_PARTS

    def __init__(
        self,
        name: str | None = None,
        *,
        cors: Any = None,
        log_requests: bool | None = None,
    ) -> None:
        self.name = name or kebab(type(self).__name__)
        self.cors_config: CORSConfig | None = _cors(cors if cors is not None else type(self).cors)
        if log_requests is None:  # Lambda's own environment says we run there
            log_requests = "AWS_LAMBDA_FUNCTION_NAME" in os.environ
        self.log_requests = log_requests
        self._router = Router()
        self._all_routes: list[Route] = []
        self._blueprints: list[tuple[str, Blueprint]] = []
        self._route_cors: dict[str, CORSConfig] = {}
        self.has_auth = callable(getattr(self, "auth", None))
        if type(self.max_form_parts) is not int or self.max_form_parts < 1:
            raise ServiceError(f"{type(self).__name__}.max_form_parts is {self.max_form_parts!r}: make it a whole "
                               "number of parts, at least 1 (1000 by default).")
        for route in self._routes:
            self._add(route, self)

    # -- the route table -------------------------------------------------------------------

    def _add(self, route: Route, target: Any) -> None:
        self._all_routes.append(route)
        endpoint = (route, route.func.__get__(target), _cors(route.cors) or self.cors_config)
        self._router.add(route, endpoint)
        if endpoint[2] is not None:
            self._route_cors[route.path] = endpoint[2]

    def register_blueprint(self, blueprint: Blueprint, prefix: str = "") -> None:
        """Mount a blueprint's entries under ``prefix``; clashing routes are refused by name."""
        if not isinstance(blueprint, Blueprint):
            raise ServiceError(f"register_blueprint takes a Blueprint instance, not {blueprint!r}.")
        if prefix and not prefix.startswith("/"):
            raise RouteDefinitionError(f"A blueprint prefix starts with '/': write '/{prefix}'.")
        mounted = [r.mounted(prefix, type(blueprint).__name__) for r in blueprint._routes]
        check_duplicates([*self._all_routes, *mounted])
        blueprint.service = self
        self._blueprints.append((prefix, blueprint))
        for route in mounted:
            self._add(route, blueprint)

    @property
    def routes(self) -> tuple[Route, ...]:
        """Every route, blueprints included: each is (method, path, function) and more."""
        return tuple(self._all_routes)

    @property
    def schedules(self) -> tuple[Schedule, ...]:
        return self._schedules

    def route_of(self, target: str | Callable[..., Any]) -> Route:
        """The route of an entry, given its name or the (bound) method."""
        name = target if isinstance(target, str) else getattr(target, "__name__", "")
        func = getattr(target, "__func__", target)
        for route in self._all_routes:
            if route.func is func or (isinstance(target, str) and route.name == name):
                return route
        raise ServiceError(f"{name or target!r} is not an @entry of {type(self).__name__}.")

    @property
    def description(self) -> str:
        return (type(self).__doc__ or "").strip()

    @property
    def request(self) -> Request:
        """The request being handled (per thread, so the local server can serve in parallel)."""
        return _current_request.get()

    # -- dispatch --------------------------------------------------------------------------

    def find(self, request: Request, template: str | None = None) -> tuple[Any, dict[str, str] | None]:
        """The endpoint for a request, using the gateway's matched route when it gives one."""
        if template is not None:
            endpoint = self._router.by_template(request.method, template)
            if endpoint is not None:
                return endpoint, request.path_params
        endpoint, segments = self._router.match(request.method, request.path)
        return endpoint, (path_values(endpoint[0], segments) if segments else None)

    def dispatch(self, request: Request, template: str | None = None) -> Response:
        """Answer one request. Never raises: errors become 4xx/5xx responses."""
        cors = self.cors_config  # the matched route's own CORS replaces it below
        try:
            try:
                endpoint, values = self.find(request, template)
            except HTTPError as exc:
                if request.method == "OPTIONS":
                    answer = self._preflight(request)
                    if answer is not None:
                        return answer
                raise exc from None
            route, call, cors = endpoint
            request.route = route
            request.max_form_parts = self.max_form_parts
            signature = route.signature
            if signature.fields or signature.accepts_extra:
                if route.method in QUERY_METHODS:
                    args, kwargs = bind(signature, values, request.query, True, False)
                else:
                    fields, from_text = request.body_fields()
                    if not fields and request.query:  # no body: the query string carries them
                        fields, from_text = request.query, True
                    args, kwargs = bind(signature, values, fields, from_text, True)
            elif signature.path_params:
                args, kwargs = bind(signature, values, {}, True, False)
            else:
                args, kwargs = [], {}
            token = _current_request.set(request)
            try:
                result = call(*args, **kwargs)
            finally:
                _current_request.reset(token)
            response = make_response(result)
            if request.method == "HEAD":  # the GET's headers, its length included, and no body
                response.headers["Content-Length"] = str(len(response.body_bytes()))
                response.body = ""
        except HTTPError as exc:
            response = error_response(exc)
            if request.route is not None:  # raised on purpose (or by binding), not a routing miss
                self._warn(request, exc)
        except Exception:
            response = self._internal_error(request)
        if cors is not None:
            try:
                from .cors import decorate  # CORS loads with the first service or route that sets it

                decorate(cors, request, response)
            except HTTPError as exc:  # headers the entry never read may be malformed
                response = error_response(exc)
        unsafe = unsafe_header(response)
        if unsafe is not None:  # response splitting: the header never reaches API Gateway or the wire
            response = self._unsafe_header(request, unsafe)
        return response

    def _preflight(self, request: Request) -> Response | None:
        if not request.headers.get("origin") or not request.headers.get("access-control-request-method"):
            return None
        config = self._route_cors.get(self._template_of(request.path) or "") or self.cors_config
        methods = self._router.allowed_methods(request.path)
        if config is None or not methods:
            return None
        from .cors import preflight

        return preflight(config, request, methods)

    def _template_of(self, path: str) -> str | None:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
            try:
                endpoint, _ = self._router.match(method, path)
            except HTTPError:
                continue
            return str(endpoint[0].path)
        return None

    def _warn(self, request: Request, exc: HTTPError) -> None:
        """An HTTPError is an answer, not a crash: a warning with its status, never a traceback.

        In Lambda a JSON line (filter it with ``{ $.level = "WARNING" }``); elsewhere the
        ``coworks`` logger, only when logging is set up (a notebook is not spammed by 404s).
        """
        if self.log_requests:
            import sys

            from .responses import dumps

            # status_code, not status: `{ $.status = 404 }` keeps matching the one access line per request
            sys.stdout.write(dumps({"level": "WARNING", "type": "http_error", "service": self.name,
                                    "request_id": request.request_id, "method": request.method,
                                    "path": request.path, "status_code": exc.status_code,
                                    "message": f"{request.method} {request.path} answered {exc.status_code}: "
                                               f"{exc.message}"}) + "\n")
            return
        import logging

        logger = logging.getLogger("coworks")
        if logger.hasHandlers():
            logger.warning("%s %s answered %s: %s", request.method, request.path, exc.status_code, exc.message)

    def _unsafe_header(self, request: Request, name: str) -> Response:
        """A 500 naming the header whose value holds a line break (it would split the answer)."""
        from .events.accesslog import log_error

        message = (f"The response header {name} holds a CR, LF or NUL, which would split the HTTP answer: "
                   "remove the line break from its value.")
        log_error(self.name, request, message, as_json=self.log_requests)
        return Response({"message": f"Internal server error: {message}", "request_id": request.request_id}, 500)

    def _internal_error(self, request: Request) -> Response:
        """A 500 that names the request id; the traceback goes to the log, never to the client."""
        import traceback

        from .events.accesslog import log_error

        log_error(self.name, request, traceback.format_exc(), as_json=self.log_requests)
        return Response({"message": "Internal server error", "request_id": request.request_id}, 500)

    # -- the other ways in -----------------------------------------------------------------

    def __call__(self, event: Any, context: Any = None) -> Any:
        """The Lambda handler: API Gateway v1/v2, function URLs, authorizers, schedules, workflows."""
        return handle(self, event, context)

    def test_client(self, payload: str = "2.0") -> TestClient:
        """A requests-like client that calls this service through its Lambda event adapter."""
        from .testclient import TestClient

        return TestClient(self, payload=payload)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of this service."""
        from .describe.openapi import build_openapi

        return build_openapi(self)

    def serve(self, port: int = 0, background: bool = True, *, log: Callable[[str], None] | None = None,
              sock: Any = None) -> ServerHandle:
        """Serve over real HTTP on 127.0.0.1; ``port=0`` picks a free port; ``log`` hears one line
        per request; ``sock`` is a socket already bound on 127.0.0.1."""
        from .server import serve

        return serve(self, port=port, background=background, log=log, sock=sock)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {len(self._all_routes)} routes>"

    def _repr_html_(self) -> str:
        """In a notebook, a service shows its route table."""
        from .describe.routes import route_table

        return route_table(self)._repr_html_()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        from .describe.routes import route_table

        printer.text(str(route_table(self)))


def _cors(value: Any) -> CORSConfig | None:
    """A CORS setting read, loading the CORS module only for a service or route that has one."""
    if value is None or value is False:
        return None
    from .cors import cors_config

    return cors_config(value)


def current_request() -> Request:
    """The request being handled, for helpers outside the service class."""
    return _current_request.get()
