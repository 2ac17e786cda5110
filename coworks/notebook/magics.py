"""``%load_ext coworks``: magics where they save typing, and rich display of services.

``%%service`` runs the cell, finds the TechMicroService class it defines, instantiates and
serves it on 127.0.0.1, and shows its routes. (``%cws`` is the command line's own: ``coworks.cli.magic``.)
"""

from __future__ import annotations

import shlex
from typing import Any

from ..runtime.describe.routes import route_table
from ..runtime.service import TechMicroService


def service_cell(line: str, cell: str, namespace: dict[str, Any]) -> Any:
    """Run ``cell`` in ``namespace``; serve the last service class it defines (or the one named)."""
    before = {k: v for k, v in namespace.items() if isinstance(v, type)}
    exec(compile(cell, "<%%service>", "exec"), namespace)  # noqa: S102 - the user's own cell
    defined = [v for k, v in namespace.items() if isinstance(v, type) and issubclass(v, TechMicroService)
               and v is not TechMicroService and before.get(k) is not v]
    args = shlex.split(line)
    name = args[0] if args else None
    if name:
        defined = [c for c in defined if c.__name__ == name]
    if not defined:
        raise ValueError("%%service found no TechMicroService subclass in the cell"
                         + (f" named {name}" if name else "") + "; define one with @entry methods.")
    cls = defined[-1]
    old = namespace.get("_coworks_servers", {}).pop(cls.__name__, None)
    if old is not None:
        old.stop()
    app = cls()
    server = app.serve(port=0)
    namespace.setdefault("_coworks_servers", {})[cls.__name__] = server
    variable = cls.__name__.lower()
    namespace[variable] = app
    namespace[f"{variable}_url"] = server.url
    print(f"{cls.__name__} serving on {server.url} (as `{variable}`, URL in `{variable}_url`)")
    return route_table(app)


def load(ipython: Any) -> None:
    from IPython.core.magic import register_cell_magic

    @register_cell_magic  # type: ignore[misc]
    def service(line: str, cell: str) -> Any:
        return service_cell(line, cell, ipython.user_ns)

    formatter = ipython.display_formatter.formatters["text/html"]
    formatter.for_type(TechMicroService, lambda app: route_table(app)._repr_html_())
    plain = ipython.display_formatter.formatters["text/plain"]
    plain.for_type(TechMicroService, lambda app, p, cycle: p.text(str(route_table(app))))
    # cloud.logs(...) answers a list of records: show it as its table, not as a list repr.
    plain.for_type_by_name("coworks.cloud.logs.reader", "LogRecords", lambda records, p, cycle: p.text(str(records)))
