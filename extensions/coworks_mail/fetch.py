"""Fetching an attachment from a URL the caller gave: bounded in size and time, and never a way
into the function's own network.

Inside Lambda, 127.0.0.1:9001 is the runtime API (the next event, anyone's) and private
addresses are the VPC; a caller must not reach them through us. So the host is resolved first,
every address must be public (``ipaddress.is_global``) unless the host is listed in the
``<PREFIX>URL_HOSTS`` setting, and the connection goes to the address that was checked (no second
DNS answer). Redirects are followed (three at most), each checked the same way. The whole fetch
has one deadline, enforced by a watchdog, so a server that trickles bytes cannot hold it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from coworks_ext import BadGateway, GatewayTimeout
from coworks_ext.watchdog import Watchdog, shut

from coworks import PayloadTooLarge, UnprocessableEntity

MAX_REDIRECTS = 3


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str | None
    filename: str | None


def _refuse(field: str, message: str) -> UnprocessableEntity:
    return UnprocessableEntity([{"field": field, "location": "body", "message": message}])


def fetch(url: str, *, field: str, max_bytes: int, timeout: float, allowed_hosts: tuple[str, ...] = (),
          context: ssl.SSLContext | None = None) -> Fetched:
    """GET ``url``: its body (at most ``max_bytes``) and what it says about its type and name."""
    holder: dict[str, socket.socket | None] = {"sock": None}
    watchdog = Watchdog(timeout, lambda: shut(holder["sock"]))
    with watchdog:
        try:
            fetched = _fetch(url, field, max_bytes, timeout, allowed_hosts, context, holder)
        except TimeoutError:
            raise GatewayTimeout(f"{field}: {_show(url)} did not answer within {timeout:g} s.") from None
        except (OSError, http.client.HTTPException) as exc:
            if watchdog.expired:
                raise GatewayTimeout(f"{field}: {_show(url)} did not send its content within {timeout:g} s.") from None
            raise BadGateway(f"{field}: {_show(url)} could not be fetched ({type(exc).__name__}: {exc}).") from None
    if watchdog.expired:  # the read was cut short by the deadline, not by the end of the content
        raise GatewayTimeout(f"{field}: {_show(url)} did not send its content within {timeout:g} s.")
    return fetched


def _show(url: str) -> str:
    return url if len(url) <= 200 else url[:197] + "..."


def _fetch(url: str, field: str, max_bytes: int, timeout: float, allowed: tuple[str, ...],
           context: ssl.SSLContext | None, holder: dict[str, socket.socket | None]) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise _refuse(field, "must be an http or https URL")
        if parts.username or parts.password:
            raise _refuse(field, "must not carry credentials")
        host = parts.hostname
        if not host:
            raise _refuse(field, "has no host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise _refuse(field, "has an invalid port") from None
        address = _vetted_address(host, port, field, allowed)
        sock = socket.create_connection((address, port), timeout=timeout)
        holder["sock"] = sock
        if parts.scheme == "https":
            sock = (context or ssl.create_default_context()).wrap_socket(sock, server_hostname=host)
            holder["sock"] = sock
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.sock = sock  # already connected to the checked address
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.putrequest("GET", target, skip_accept_encoding=True)
        connection.putheader("User-Agent", "coworks-mail")
        connection.putheader("Accept", "*/*")
        connection.putheader("Connection", "close")
        connection.endheaders()
        response = connection.getresponse()
        try:
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if response.status >= 500:
                raise BadGateway(f"{field}: {_show(url)} answered HTTP {response.status}.")
            if response.status != 200:
                raise _refuse(field, f"answered HTTP {response.status} {response.reason}".rstrip())
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise PayloadTooLarge(f"{field}: {_show(url)} is {length} bytes, over the limit of {max_bytes} bytes.")
            content = response.read(max_bytes + 1)
            if len(content) > max_bytes:
                raise PayloadTooLarge(f"{field}: {_show(url)} is over the limit of {max_bytes} bytes.")
            if length and length.isdigit() and len(content) < int(length):
                raise http.client.IncompleteRead(content, int(length) - len(content))
            ctype = response.getheader("Content-Type")
            name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or None
            return Fetched(content, ctype.split(";", 1)[0].strip() if ctype else None, name)
        finally:
            response.close()
            connection.close()
    raise _refuse(field, f"redirects more than {MAX_REDIRECTS} times")


def _vetted_address(host: str, port: int, field: str, allowed: tuple[str, ...]) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise _refuse(field, f"names a host that does not resolve ({host[:80]})") from None
    addresses = [str(info[4][0]) for info in infos]
    if host.lower() in {h.lower() for h in allowed}:
        return addresses[0]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise _refuse(field, f"points at a non-public address ({address}); list its host in the "
                                 "URL_HOSTS setting to allow it")
    return addresses[0]
