"""Report PDFs, fetched as Odoo's web client does: a session from ``/web/session/authenticate``
(JSON-RPC, ``{"db", "login", "password"}``, answered with a ``session_id`` cookie), then
``GET /report/pdf/<report_name>/<ids>`` with that cookie.

Odoo's HTTP dispatcher answers a failed ``http`` route with a status (odoo/http.py,
``HttpDispatcher.handle_error``): 403 for AccessError/AccessDenied, 400 for a UserError such as a
missing record, 404 for an unknown route or report, and a redirect to ``/web/login`` when the
session is not valid. Those become 403, 422, 404 and 502 here.
Some Odoo versions accept API keys for RPC only: the web login then needs the user's password.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request

from coworks_ext import BadGateway, GatewayTimeout

from coworks import Forbidden, NotFound, PayloadTooLarge, UnprocessableEntity

from .client import Connection, _describe, _opener, post_json
from .faults import from_jsonrpc


def session(conn: Connection) -> str:
    """A web session id for the configured user."""
    headers: dict[str, str] = {}
    answer = post_json(conn, "/web/session/authenticate",
                       {"jsonrpc": "2.0", "method": "call", "id": 1,
                        "params": {"db": conn.database, "login": conn.user, "password": conn.api_key}},
                       answer_headers=headers)
    if isinstance(answer, dict) and answer.get("error"):
        fault = from_jsonrpc(answer["error"] if isinstance(answer["error"], dict) else {})
        raise BadGateway(f"Odoo refused the web login of user {conn.user!r} ({fault.message[:200]}): reports need "
                         "a session; check the USER and API_KEY settings (some Odoo versions want the password).")
    for cookie in headers.get("set-cookie", "").splitlines():
        name, _, rest = cookie.partition("=")
        if name.strip() == "session_id":
            return rest.split(";", 1)[0].strip()
    raise BadGateway(f"Odoo at {conn.url} gave no session cookie for the web login of user {conn.user!r}.")


def download(conn: Connection, report_name: str, ids: list[int], max_bytes: int) -> bytes:
    """The PDF of ``report_name`` for ``ids``."""
    sid = session(conn)
    path = f"/report/pdf/{report_name}/{','.join(map(str, ids))}"
    request = urllib.request.Request(conn.url + path, headers={"Cookie": f"session_id={sid}"})
    what = f"report {report_name} for {ids}"
    try:
        with _opener(conn).open(request, timeout=conn.timeout) as response:
            ctype = response.headers.get("Content-Type", "")
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in (301, 302, 303, 307, 308):
            raise BadGateway(f"Odoo did not accept the session of user {conn.user!r} for the {what}.") from None
        if exc.code == 403:
            raise Forbidden(f"Odoo does not let user {conn.user!r} print the {what}.") from None
        if exc.code == 404:
            raise NotFound(f"Odoo has no report {report_name!r}.") from None
        if exc.code == 400:
            raise UnprocessableEntity([{"field": "ids", "location": "path",
                                        "message": f"Odoo refused to print the {what} (missing records?)"}]) from None
        raise BadGateway(f"Odoo failed to print the {what}: HTTP {exc.code}.") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise GatewayTimeout(f"Odoo did not print the {what} within {conn.timeout:g} s.") from None
        raise BadGateway(f"Odoo at {conn.url} cannot be reached: {_describe(exc.reason)}.") from None
    except TimeoutError:
        raise GatewayTimeout(f"Odoo did not print the {what} within {conn.timeout:g} s.") from None
    except (http.client.HTTPException, ConnectionError) as exc:  # the connection dropped mid-answer
        raise BadGateway(f"Odoo at {conn.url} dropped the connection while printing the {what}: "
                         f"{type(exc).__name__}.") from None
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"The {what} is over {max_bytes} bytes, more than the service returns (MAX_REPORT).")
    if not ctype.startswith("application/pdf") or not body.startswith(b"%PDF"):
        raise BadGateway(f"Odoo answered the {what} with {ctype or 'no content type'}, not a PDF.")
    return body
