"""One place where boto3 is called: clients made once per cloud, errors turned into sentences.

``call`` names the resource each call is about, so any failure reaches the user as
"CreateFunction on inventory-dev failed: ...; <the fix>. [AccessDeniedException]".
"""

from __future__ import annotations

from .errors import from_aws

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

SERVICES = ("iam", "lambda", "logs", "apigatewayv2", "apigateway", "events", "sts")
MUTATING_PREFIXES = ("Get", "List", "Describe")
# The next-page token of a listing, under the name each API gives it (answer and request alike):
# API Gateway's REST APIs, usage plans and keys page by ``position``.
_TOKENS = ("NextToken", "nextToken", "Marker", "position")


def is_mutating(operation: str) -> bool:
    """Whether an API operation changes something (every AWS read starts Get/List/Describe)."""
    return not operation.startswith(MUTATING_PREFIXES)


class Clients:
    """The boto3 clients of one cloud (session + endpoint), created on first use."""

    def __init__(self, session: Any, endpoint_url: str | None = None) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        #: A service's own endpoint where it differs from ``endpoint_url`` (set before its first call):
        #: a local cloud's Step Functions, whose host-prefixed operations need ``sync_endpoint_url``.
        self.endpoints: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._watchers: list[Any] = []
        # moto lacks GetAuthorizers: once it failed, read authorizers one by one (state.py).
        self.no_get_authorizers = False

    def watch(self, handler: Any) -> None:
        """Call ``handler(model=..., params=..., **)`` before every AWS call (botocore ``before-call``):
        what the benchmark counts and the tests inject faults with."""
        self._watchers.append(handler)
        for client in self._clients.values():
            client.meta.events.register("before-call.*.*", handler)

    def unwatch(self, handler: Any) -> None:
        self._watchers.remove(handler)
        for client in self._clients.values():
            client.meta.events.unregister("before-call.*.*", handler)

    def client(self, service: str) -> Any:
        found = self._clients.get(service)
        if found is None:
            from botocore.config import Config

            config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60)
            found = self.session.client(service, endpoint_url=self.endpoints.get(service, self.endpoint_url),
                                        config=config)
            for handler in self._watchers:
                found.meta.events.register("before-call.*.*", handler)
            self._clients[service] = found
        return found

    def call(self, service: str, method: str, resource: str | None, /, **params: Any) -> Any:
        """Call ``method`` of ``service``; any failure becomes a ``CloudError`` about ``resource``."""
        client = self.client(service)
        try:
            return getattr(client, method)(**params)
        except Exception as exc:  # every botocore and injected failure: one sentence, code attached
            raise from_aws(exc, _operation(client, method), resource) from exc

    def pages(self, service: str, method: str, resource: str | None, /, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a listing, each through ``call``: the one way Coworks follows AWS's
        ``NextToken``, ``nextToken`` and IAM's ``Marker``. A token answered twice ends the listing
        (some endpoints hand the last one back) rather than loop forever."""
        while True:
            page = self.call(service, method, resource, **params)
            yield page
            key = next((k for k in _TOKENS if page.get(k)), None)
            if key is None or params.get(key) == page[key]:
                return
            params = {**params, key: page[key]}

    def find(self, service: str, method: str, resource: str | None, /, **params: Any) -> Any:
        """Like ``call``, but None when AWS says the resource does not exist."""
        client = self.client(service)
        try:
            return getattr(client, method)(**params)
        except Exception as exc:
            code = _code(exc)
            if code in ("NoSuchEntity", "ResourceNotFoundException", "NotFoundException"):
                return None
            raise from_aws(exc, _operation(client, method), resource) from exc


def _operation(client: Any, method: str) -> str:
    try:
        return str(client.meta.method_to_api_mapping.get(method, method))
    except AttributeError:
        return method


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str((response.get("Error") or {}).get("Code") or "")
    return ""
