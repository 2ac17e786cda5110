"""Who may use the front door, decided from a request's head before its body is read.

Anything that reaches 127.0.0.1 can deploy and run code on the local cloud, as with moto's own
server: that is the point of a local cloud. What is refused is what does not come from this
machine's own tools:

- a ``Host`` that is not a loopback name (``127.0.0.1``, ``localhost``, ``*.localhost``,
  ``[::1]``, or a name configured): a web page that rebinds its own DNS name to 127.0.0.1
  still sends its name, and is refused;
- a browser's cross-origin request (an ``Origin`` other than the front door's own or a
  configured one; without ``Origin``, a ``Sec-Fetch-Site`` of another site, except a link
  followed to a page): a page can neither deploy code nor call an API behind the user's back;
- with a token (``cws cloud --token``), an AWS call not signed with the token as its access
  key id (or carrying ``X-Coworks-Token``): the clients Coworks creates use it by themselves.
  The HTTP APIs' own URLs and the health check stay open, as an API's URL is on AWS.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ....runtime.http.framing import RequestHead

LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: The header a client without AWS signatures sends the token in.
TOKEN_HEADER = "X-Coworks-Token"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")
_QUERY_CREDENTIAL = re.compile(r"(?:^|&)X-Amz-Credential=([^%/&]+)(?:%2F|/)", re.IGNORECASE)
_OPEN_PATHS = ("/_aws/execute-api/", "/_coworks/health")


@dataclass(frozen=True)
class Access:
    """The front door's rules: extra host names, browser origins allowed, and the token (None: none)."""

    hosts: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    token: str | None = None
    port: int = 0

    def refusal(self, head: RequestHead) -> tuple[int, str] | None:
        """(status, sentence) for a request refused, None for one let in."""
        host = host_name(head.host)
        if host and not self.host_allowed(host):
            return 403, (f"The local cloud answers requests for 127.0.0.1, localhost or [::1] only, not {host!r} "
                         "(a page that rebinds its name to this machine is refused): use "
                         f"http://127.0.0.1:{self.port}, or allow the name with `cws cloud --allow-host {host}`.")
        origin = head.header("origin")
        if origin is not None and origin != "null" and not self.origin_allowed(origin):
            return 403, (f"The local cloud refuses browser requests from {origin}: allow that origin with "
                         f"`cws cloud --allow-origin {origin}` if your page should use it.")
        if origin is None or origin == "null":
            site = (head.header("sec-fetch-site") or "").lower()
            navigating = (head.header("sec-fetch-mode") or "").lower() == "navigate" and head.method in ("GET", "HEAD")
            if (site in ("cross-site", "same-site") and not navigating) or origin == "null":
                return 403, ("The local cloud refuses browser requests from other sites: allow the page's origin "
                             "with `cws cloud --allow-origin ORIGIN` if it should use it.")
        if self.token is not None and not head.path.startswith(_OPEN_PATHS) and not self.carries_token(head):
            return 403, ("The local cloud was started with a token (`cws cloud --token`): sign the request with the "
                         "token as AWS_ACCESS_KEY_ID (LocalCloud() and cws commands do it from cloud.json), or send "
                         f"it in {TOKEN_HEADER}.")
        return None

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in LOOPBACK or host.endswith(".localhost") or host in (h.lower() for h in self.hosts)

    def origin_allowed(self, origin: str) -> bool:
        if origin.rstrip("/") in (o.rstrip("/") for o in self.origins):
            return True
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(origin)
            port = parts.port
        except ValueError:
            return False
        # the front door's own pages (a service's docs served through the local gateway) call it back
        return parts.scheme == "http" and self.host_allowed(parts.hostname or "") and port == self.port

    def carries_token(self, head: RequestHead) -> bool:
        assert self.token is not None
        given = head.header(TOKEN_HEADER)
        if given is None:
            found = _CREDENTIAL.search(head.header("authorization") or "")
            if found is None:
                found = _QUERY_CREDENTIAL.search(head.query)
            given = found.group(1) if found else None
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())


def host_name(host: str) -> str:
    """The name in a ``Host`` value, without its port (``[::1]:8000`` is ``::1``)."""
    host = host.strip()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def new_token() -> str:
    """A token for ``cws cloud --token``: usable as an access key id by every AWS SDK."""
    import secrets

    return "CWS" + secrets.token_hex(16).upper()
