"""Pages a service may serve about itself, each one line to enable (``from coworks.docs import ...``):

- ``app.register_blueprint(OpenApi())``: ``GET /openapi.json``, the service's OpenAPI document;
- ``app.register_blueprint(Docs())``: ``GET /docs``, Swagger UI over that document (and the
  document itself), its script and style served by the service from files in this package,
  never from a CDN, so the page works offline and on a private network;
- ``app.register_blueprint(Admin())``: ``GET /admin``, the service's description and route table.

They answer without a token (``no_auth``), as FastAPI's docs do; the OpenAPI document leaves
them out. Swagger UI's files (``static/swagger-ui``, ~1.9 MB) ship in a deployed zip only when
the service mounts ``Docs`` (``docs_assets``, which the packager asks): the runtime itself ships
only its ``.py`` files, so every other Lambda stays as small as before.
"""

from __future__ import annotations

import html
from pathlib import Path

from ..responses import Response
from ..routing import entry
from ..service import Blueprint

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STATIC = Path(__file__).with_name("static") / "swagger-ui"
#: The files of Swagger UI the docs page loads (the rest of the folder is its licence).
ASSETS = {"swagger-ui-bundle.js": "application/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}
HIDDEN = "__coworks_hidden__"


def _hidden(func: Any) -> Any:
    setattr(func, HIDDEN, True)  # not part of the service's own API: left out of its OpenAPI document
    return func


class OpenApi(Blueprint):
    """``GET /openapi.json``: the OpenAPI 3.1 document of the service it is mounted on."""

    @entry(path="/openapi.json", no_auth=True)
    @_hidden
    def get_openapi_json(self) -> Any:
        assert self.service is not None  # mounted: register_blueprint sets it
        document = self.service.openapi()
        # Relative to where the document is served, so "Try it out" calls this stage of this API
        # (OpenAPI 3.1 allows relative server URLs), wherever it is mounted.
        route = self.service.route_of(self.get_openapi_json)
        depth = route.path.count("/") - 1
        document["servers"] = [{"url": "../" * depth if depth else "."}]
        return document


class Docs(OpenApi):
    """``GET /docs``: Swagger UI over ``/openapi.json`` (which it serves too), offline."""

    title_suffix = "API docs"

    @entry(path="/docs", no_auth=True)
    @_hidden
    def get_docs(self) -> Response:
        assert self.service is not None
        title = html.escape(f"{self.service.name}: {self.title_suffix}")
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
            '<link rel="stylesheet" href="docs/swagger-ui.css"></head><body><div id="swagger-ui"></div>'
            '<script src="docs/swagger-ui-bundle.js"></script><script>'
            'window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true});'
            "</script></body></html>"
        )
        return Response(page, 200, {"Content-Type": "text/html; charset=utf-8"})

    @entry(path="/docs/{asset}", no_auth=True)
    @_hidden
    def get_docs_asset(self, asset: str) -> Response:
        kind = ASSETS.get(asset)
        path = STATIC / asset
        if kind is None or not path.is_file():
            missing = "" if kind is None else " (the zip was built without them: deploy with Docs mounted)"
            return Response({"message": f"No docs asset {asset!r}{missing}."}, 404)
        return Response(path.read_text(encoding="utf-8"), 200,
                        {"Content-Type": kind, "Cache-Control": "public, max-age=86400"})


class Admin(Blueprint):
    """``GET /admin``: what the service is (its description) and the routes it answers."""

    @entry(path="/admin", no_auth=True)
    @_hidden
    def get_admin(self) -> Response:
        from .routes import route_table

        service = self.service
        assert service is not None
        docs = any(isinstance(bp, Docs) for _, bp in service._blueprints)
        link = '<p><a href="docs">API docs</a> · <a href="openapi.json">openapi.json</a></p>' if docs else ""
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(service.name)}</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#1a1a1a;background:#fff}"
            "@media (prefers-color-scheme: dark){body{color:#eee;background:#1e1e1e}a{color:#90caf9}}</style>"
            f"</head><body><h1>{html.escape(service.name)}</h1><p>{html.escape(service.description)}</p>"
            f"{link}{route_table(service)._repr_html_()}</body></html>"
        )
        return Response(page, 200, {"Content-Type": "text/html; charset=utf-8"})


def docs_assets(service: Any) -> dict[str, bytes]:
    """The Swagger UI files a deployed zip needs: all of them when ``service`` mounts ``Docs``, else none.

    Paths are those of this package, so the runtime finds them in the zip where it finds them here.
    """
    if not any(isinstance(bp, Docs) for _, bp in getattr(service, "_blueprints", ())):
        return {}
    base = Path(__file__).resolve().parents[3]  # the folder that holds the coworks package
    return {path.relative_to(base).as_posix(): path.read_bytes() for path in sorted(STATIC.iterdir())
            if path.is_file()}
