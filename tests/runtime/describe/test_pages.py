"""The pages a service may serve about itself: /docs (Swagger UI from the package, no CDN),
/openapi.json and /admin, each one line to enable."""

from __future__ import annotations

import re

from coworks import TechMicroService, entry
from coworks.docs import Admin, Docs, OpenApi


class Shop(TechMicroService):
    """Stock of items."""

    def auth(self, token):
        return token == "letmein"

    @entry
    def get_item(self, item_id: int):
        return {"id": item_id}


def app(*blueprints: object, prefix: str = "") -> Shop:
    shop = Shop()
    for blueprint in blueprints:
        shop.register_blueprint(blueprint, prefix)  # type: ignore[arg-type]
    return shop


def test_docs_serves_swagger_ui_from_the_package_without_a_token() -> None:
    client = app(Docs()).test_client()
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert re.findall(r'(?:src|href)="([^"]+)"', page.text) == ["docs/swagger-ui.css", "docs/swagger-ui-bundle.js"]
    assert "://" not in page.text  # nothing from a CDN
    script = client.get("/docs/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    assert client.get("/docs/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert client.get("/docs/LICENSE").status_code == 404 and client.get("/docs/..%2Fpages.py").status_code == 404
    assert client.get("/item/3").status_code == 401  # the service's own routes keep their token


def test_the_openapi_document_is_served_and_leaves_the_pages_out() -> None:
    for blueprint in (OpenApi(), Docs()):
        document = app(blueprint).test_client().get("/openapi.json").json()
        assert set(document["paths"]) == {"/item/{item_id}"} and document["servers"] == [{"url": "."}]
    mounted = app(OpenApi(), prefix="/meta").test_client().get("/meta/openapi.json").json()
    assert mounted["servers"] == [{"url": "../"}]  # still the service's root, wherever it is mounted


def test_admin_shows_the_description_and_the_route_table() -> None:
    page = app(Admin(), Docs()).test_client().get("/admin")
    assert page.status_code == 200 and "Stock of items." in page.text
    assert "/item/{item_id}" in page.text and 'href="docs"' in page.text


def test_nothing_is_served_unless_enabled() -> None:
    client = Shop().test_client()
    assert [client.get(p).status_code for p in ("/docs", "/openapi.json", "/admin")] == [404, 404, 404]
