"""Routes: from ``@entry`` methods to (verb, path) and back from a request path to the method.

``get_item(self, item_id)`` is ``GET /item/{item_id}``: the name gives the verb and the path,
positional parameters without defaults append path segments, a trailing underscore lets two
methods share a path with different arity, and a name without a verb prefix is a POST.
"""

from __future__ import annotations

from .errors import MethodNotAllowed, NotFound, RouteDefinitionError
from .params import Signature, read_signature

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
QUERY_METHODS = frozenset(("GET", "DELETE", "HEAD", "OPTIONS"))
ENTRY_ATTR = "__coworks_entry__"


class EntryOptions:
    """What ``@entry(...)`` says about a method, before the class turns it into a Route."""

    __slots__ = ("path", "method", "no_auth", "cors", "responses")

    def __init__(self, path: str | None, method: str | None, no_auth: bool, cors: Any,
                 responses: dict[int, str] | None = None) -> None:
        self.path = path
        self.method = method
        self.no_auth = no_auth
        self.cors = cors
        self.responses = responses or {}


def entry(
    func: Callable[..., Any] | None = None,
    *,
    path: str | None = None,
    method: str | None = None,
    no_auth: bool = False,
    cors: Any = None,
    responses: dict[int, str] | None = None,
) -> Any:
    """Mark a method as an HTTP endpoint. Bare ``@entry`` or ``@entry(path=..., no_auth=...)``;
    ``responses={404: "No such item", 502: "The stock service is down"}`` documents the answers
    the entry gives beyond its success and the 422 (in its OpenAPI operation)."""
    if method is not None and method.lower() not in VERBS:
        raise RouteDefinitionError(f"Unknown HTTP method {method!r}; use one of {', '.join(VERBS)}.")
    for status, description in (responses or {}).items():
        if type(status) is not int or not 100 <= status <= 599 or not isinstance(description, str):
            raise RouteDefinitionError(f"@entry(responses=...) maps HTTP statuses to descriptions, as "
                                       f"{{404: 'No such item'}}: {status!r} is not one.")

    def mark(f: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(f) or not hasattr(f, "__code__"):
            raise RouteDefinitionError("@entry decorates a plain method defined with def.")
        setattr(f, ENTRY_ATTR, EntryOptions(path, method.upper() if method else None, no_auth, cors,
                                            dict(responses or {})))
        return f

    return mark(func) if func is not None else mark


class Route:
    """One endpoint: its verb, path template, the function behind it and its parameters."""

    __slots__ = ("method", "path", "name", "func", "signature", "no_auth", "cors", "owner", "segments")

    def __init__(
        self,
        method: str,
        path: str,
        func: Callable[..., Any],
        signature: Signature,
        no_auth: bool = False,
        cors: Any = None,
        owner: str = "",
    ) -> None:
        self.method = method
        self.path = path
        self.name: str = func.__name__
        self.func = func
        self.signature = signature
        self.no_auth = no_auth
        self.cors = cors
        self.owner = owner
        self.segments = split_path(path)

    @property
    def key(self) -> str:
        """The route key as API Gateway writes it: ``GET /item/{item_id}``."""
        return f"{self.method} {self.path}"

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()

    def mounted(self, prefix: str, owner: str) -> Route:
        """This route under a blueprint's prefix."""
        path = (prefix.rstrip("/") + self.path).rstrip("/") or "/"
        return Route(self.method, path, self.func, self.signature, self.no_auth, self.cors, owner)

    def __iter__(self) -> Any:  # (method, path, function), as the design sketch lists routes
        return iter((self.method, self.path, self.func))

    def __repr__(self) -> str:
        return f"<Route {self.method} {self.path} -> {self.owner}.{self.name}>"


def split_path(path: str) -> tuple[str, ...]:
    stripped = path.strip("/")
    return tuple(stripped.split("/")) if stripped else ()


def route_for(func: Callable[..., Any], owner: str) -> Route:
    """Build the route of one ``@entry`` function, checking its path against its signature."""
    options: EntryOptions = getattr(func, ENTRY_ATTR)
    name = func.__name__
    tokens = [t for t in name.rstrip("_").split("_") if t]
    if tokens and tokens[0] in VERBS:
        method = tokens[0].upper()
        tokens = tokens[1:]
    else:
        method = "POST"
        if options.method is None and tokens:
            _refuse_likely_typo(name, tokens, owner)
    method = options.method or method
    signature = read_signature(func, "query" if method in QUERY_METHODS else "body")
    path_names = [p.name for p in signature.path_params]
    where = f"{owner}.{name}"
    if options.path is None:
        path = "/" + "/".join(tokens + [f"{{{p}}}" for p in path_names])
    else:
        path = options.path if options.path == "/" else "/" + options.path.strip("/")
        placeholders = [s[1:-1] for s in split_path(path) if s.startswith("{")]
        if sorted(placeholders) != sorted(path_names):
            raise RouteDefinitionError(
                f"The path {options.path!r} of {where} names {placeholders or 'no parameters'} but "
                f"the method's positional parameters without defaults are {path_names or 'none'}; "
                "make them the same."
            )
    for segment in split_path(path):
        if segment.startswith("{") != segment.endswith("}") or (
            segment.startswith("{") and not segment[1:-1].isidentifier()
        ):
            raise RouteDefinitionError(f"The path segment {segment!r} of {where} is not valid.")
    return Route(method, path, func, signature, options.no_auth, options.cors, owner)


def _near_verbs(word: str) -> list[str]:
    """Verbs ``word`` is one slip away from: two letters swapped, one left out or doubled (not
    another letter: ``set`` is a word of its own, ``gte`` is not)."""
    found = []
    for verb in VERBS:
        swapped = len(word) == len(verb) and sum(a != b for a, b in zip(word, verb, strict=True)) == 2
        if swapped and sorted(word) == sorted(verb):
            found.append(verb)
        elif len(word) == len(verb) - 1 and len(word) >= 2 and any(
                verb[:i] + verb[i + 1:] == word for i in range(len(verb))):
            found.append(verb)
        elif len(word) == len(verb) + 1 and any(word[:i] + word[i + 1:] == verb and word[i] == word[i - 1]
                                                for i in range(1, len(word))):
            found.append(verb)
    return found


def _refuse_likely_typo(name: str, tokens: list[str], owner: str) -> None:
    """``getitem`` or ``gte_item`` would silently be ``POST /getitem``: refuse, naming what was meant."""
    first = tokens[0]
    meant = [f"{verb}_{'_'.join([first[len(verb):], *tokens[1:]])}" for verb in ("get", "post", "put", "patch",
             "delete") if first.startswith(verb) and len(first) > len(verb) + 1]
    meant += ["_".join([verb, *tokens[1:]]) if len(tokens) > 1 else verb for verb in _near_verbs(first)]
    if meant:
        options = " or ".join(meant)
        raise RouteDefinitionError(
            f"{owner}.{name} has no verb prefix, so it would answer POST /{'/'.join(tokens)}; did you mean "
            f"{options}? Rename it, or write @entry(method='POST') to keep the name.")


def entries_of(cls: type) -> list[Route]:
    """The routes of a class and its bases; a subclass's method replaces its base's."""
    seen: dict[str, Callable[..., Any]] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if hasattr(value, ENTRY_ATTR):
                seen[attr] = value
            elif attr in seen:
                del seen[attr]  # overridden without @entry: no longer an endpoint
    return [route_for(func, cls.__name__) for func in seen.values()]


def check_duplicates(routes: Iterable[Route]) -> None:
    """Two methods on one (verb, path shape) cannot both answer: say which two."""
    shapes: dict[tuple[str, tuple[str, ...]], Route] = {}
    for route in routes:
        shape = (route.method, tuple("{}" if s.startswith("{") else s for s in route.segments))
        other = shapes.get(shape)
        if other is not None:
            raise RouteDefinitionError(
                f"{other.owner}.{other.name} and {route.owner}.{route.name} both answer "
                f"{route.method} {route.path}; rename one or give it a path with @entry(path=...)."
            )
        shapes[shape] = route


class Router:
    """Finds the endpoint of a request: static paths by dict, templated ones by segments."""

    def __init__(self) -> None:
        self._static: dict[str, dict[str, Any]] = {}
        self._templates: dict[str, dict[str, Any]] = {}
        self._dynamic: dict[int, list[tuple[tuple[str | None, ...], dict[str, Any]]]] = {}

    def add(self, route: Route, endpoint: Any) -> None:
        methods = self._templates.setdefault(route.path, {})
        methods[route.method] = endpoint
        if not any(s.startswith("{") for s in route.segments):
            self._static["/" + "/".join(route.segments)] = methods
            return
        pattern = tuple(None if s.startswith("{") else s for s in route.segments)
        bucket = self._dynamic.setdefault(len(pattern), [])
        if not any(p == pattern and m is methods for p, m in bucket):
            bucket.append((pattern, methods))
            # More literal segments, earlier, win: /item/price beats /item/{id}, as on API Gateway.
            bucket.sort(key=lambda item: [s is None for s in item[0]])

    def by_template(self, method: str, template: str) -> Any:
        """Fast path when the event already names the matched route (API Gateway does)."""
        methods = self._templates.get(template)
        return methods.get(method) if methods else None

    def match(self, method: str, path: str) -> tuple[Any, tuple[str, ...] | None]:
        """The endpoint and the raw path segments for it; raises NotFound or MethodNotAllowed."""
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        allowed: list[str] = []
        methods = self._static.get(path)
        if methods is not None:
            endpoint = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
            if endpoint is not None:
                return endpoint, None
            allowed.extend(methods)
        segments = split_path(path)
        for pattern, methods in self._dynamic.get(len(segments), ()):
            for want, got in zip(pattern, segments, strict=True):
                if want is not None and want != got:
                    break
            else:
                endpoint = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
                if endpoint is not None:
                    return endpoint, segments
                allowed.extend(methods)
        if allowed:
            verbs = sorted(set(allowed) | ({"HEAD"} if "GET" in allowed else set()))
            raise MethodNotAllowed(
                f"{method} is not allowed on {path}; use {', '.join(verbs)}.",
                headers={"Allow": ", ".join(verbs)},
            )
        raise NotFound()

    def allowed_methods(self, path: str) -> list[str]:
        """Methods that some route answers on this path (for CORS preflight)."""
        try:
            self.match("\0", path)
        except MethodNotAllowed as exc:
            return exc.headers["Allow"].split(", ")
        except NotFound:
            return []
        return []


def path_values(route: Route, segments: tuple[str, ...]) -> dict[str, str]:
    """Name the raw segments after the route's template, percent-decoded like API Gateway."""
    values = {}
    for template, raw in zip(route.segments, segments, strict=True):
        if template.startswith("{"):
            if "%" in raw:
                from urllib.parse import unquote

                raw = unquote(raw)
            values[template[1:-1]] = raw
    return values
