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
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote
from xml.sax.saxutils import escape

from ....runtime.http.server import HttpAnswer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ....runtime.http.framing import RequestHead

LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: The header a client without AWS signatures sends the token in.
TOKEN_HEADER = "X-Coworks-Token"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")
_SCOPE_SERVICE = re.compile(r"Credential=[^/,\s]+/\d{8}/[\w-]+/([\w-]+)/")
_QUERY_CREDENTIAL = re.compile(r"(?:^|&)X-Amz-Credential=([^%/&]+)(?:%2F|/)", re.IGNORECASE)
#: The HTTP APIs' traffic (a prefix: the gateway takes every path under it) and the health check (exactly).
_OPEN_PREFIX = "/_aws/execute-api/"
_HEALTH = "/_coworks/health"


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
        if self.token is not None and not self.open_path(head.path) and not preflight(head) \
                and not self.carries_token(head):
            return 403, ("The local cloud was started with a token (`cws cloud --token`): sign the request with the "
                         "token as AWS_ACCESS_KEY_ID (LocalCloud() and cws commands do it from cloud.json), or send "
                         f"it in {TOKEN_HEADER}.")
        return None

    @staticmethod
    def open_path(path: str) -> bool:
        """The HTTP APIs' URLs and the health check, open as an API's URL is on AWS. The health
        check is one path: ``/_coworks/health/../2015-03-31/functions`` is not it."""
        return path.startswith(_OPEN_PREFIX) or path == _HEALTH

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


def preflight(head: RequestHead) -> bool:
    """A browser's CORS preflight: ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``.
    It never carries credentials (Fetch standard, CORS-preflight request), so the token cannot
    be asked of it; it runs nothing, and its answer only tells an allowed origin what it may send."""
    return (head.method == "OPTIONS" and head.header("origin") is not None
            and head.header("access-control-request-method") is not None)


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


def denied(head: RequestHead, status: int, message: str) -> HttpAnswer:
    """A refusal every AWS SDK reads as an error with a code, in the protocol of the API called:
    JSON (``__type``, ``message`` and ``x-amzn-ErrorType``: Lambda, API Gateway, the JSON APIs)
    reads as ``AccessDeniedException``; the query APIs' ``ErrorResponse`` (IAM, STS, SNS: a form
    posted) as ``AccessDeniedException`` too, one of their common errors
    (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html); S3's ``Error``
    document as ``AccessDenied``, S3's code for it
    (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). A JSON body given to
    an XML parser would be an unparsable answer that botocore retries."""
    import uuid

    request_id = str(uuid.uuid4())
    content_type = (head.header("content-type") or "").lower()
    found = _SCOPE_SERVICE.search(head.header("authorization") or "") or _SCOPE_SERVICE.search(
        "Credential=" + unquote(head.query).partition("X-Amz-Credential=")[2])
    service = found.group(1) if found else ""
    text = escape(message)
    if head.header("x-amz-target") is None and content_type.startswith("application/x-www-form-urlencoded"):
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDeniedException</Code><Message>{text}"
                f"</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        return HttpAnswer(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body)
    if head.header("x-amz-target") is None and service == "s3":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>{text}</Message>'
                f"<RequestId>{request_id}</RequestId></Error>").encode()
        return HttpAnswer(status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], body)
    body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
    return HttpAnswer(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException"),
                               ("x-amzn-RequestId", request_id)], body)


#: What a page may read of an answer (the Fetch standard hides other headers from it): the request
#: id, the error's code, and Lambda's and S3's own headers.
EXPOSED = ("x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, x-amz-request-id, x-amz-id-2, "
           "x-amz-executed-version, x-amz-function-error, x-amz-log-result, x-amz-version-id, ETag, Date")


def preflight_answer(head: RequestHead) -> HttpAnswer:
    """The answer to an allowed origin's CORS preflight: what the page asked to send is allowed."""
    origin = head.header("origin") or ""
    headers = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
               ("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE"),
               ("Access-Control-Max-Age", "600")]
    asked = head.header("access-control-request-headers")
    if asked:
        headers.append(("Access-Control-Allow-Headers", asked))
    return HttpAnswer(204, headers)


def with_cors(head: RequestHead, answer: HttpAnswer) -> HttpAnswer:
    """An allowed origin's answer, readable by its page (the origin was checked on admission)."""
    origin = head.header("origin")
    if origin is None:
        return answer
    kept = [(k, v) for k, v in answer.headers if not k.lower().startswith("access-control-") and k.lower() != "vary"]
    answer.headers = [*kept, ("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
                      ("Access-Control-Expose-Headers", EXPOSED)]
    return answer
