"""What a service looks like in a notebook or a terminal: its route table.

In the runtime so that a service displays itself (``_repr_html_``) with no extension loaded;
imported only when it is displayed, never on a Lambda's request path."""

from __future__ import annotations

from typing import Any

from ..params import NO_DEFAULT
from .tables import Table


def type_name(annotation: Any) -> str:
    """``int``, ``list[str]``, ``Item``: how a parameter's type reads in a table or a form."""
    if annotation is None:
        return "any"
    if isinstance(annotation, type) and not getattr(annotation, "__args__", None):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def route_table(service: Any) -> Table:
    """One row per route: verb, path, parameters with types, auth, description."""
    rows = []
    for route in service.routes:
        params = []
        for param in route.signature.params:
            text = f"{param.name}: {type_name(param.annotation)}"
            if param.location != "path" and param.default is not NO_DEFAULT:
                text += f" = {param.default!r}"
            params.append(text)
        auth = "open" if (route.no_auth or not service.has_auth) else "token"
        summary = route.doc.splitlines()[0] if route.doc else ""
        rows.append((route.method, route.path, ", ".join(params), auth, summary))
    title = f"{service.name}: {service.description}" if service.description else service.name
    return Table(("verb", "path", "parameters", "auth", "description"), rows, title=title)
