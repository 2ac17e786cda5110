"""A tour of the Coworks runtime, run by the README's main-job command (scripts/demo.sh).

Defines a service, calls it in-process, as AWS Lambda would (REST v1 and HTTP API v2 events,
a workflow's direct invocation), then over real HTTP on 127.0.0.1, and prints its OpenAPI.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.error import HTTPError

from coworks import NotFound, TechMicroService, entry
from coworks.testing import LambdaContext, direct_event, http_event, rest_event


class Inventory(TechMicroService):
    """Stock of items."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[int, dict[str, object]] = {1: {"id": 1, "name": "pen", "qty": 12}}

    @entry
    def get(self) -> str:
        """Health check."""
        return "ready"

    @entry
    def get_item(self, item_id: int) -> dict[str, object]:
        """One item by id."""
        if item_id not in self.items:
            raise NotFound(f"No item {item_id}.")
        return self.items[item_id]

    @entry
    def post_item(self, *, name: str, qty: int = 0) -> tuple[dict[str, object], int]:
        """Add an item."""
        new_id = max(self.items) + 1
        self.items[new_id] = {"id": new_id, "name": name, "qty": qty}
        return self.items[new_id], 201


def show(title: str, status: int, body: object) -> None:
    print(f"  {title:<44} -> {status} {json.dumps(body) if not isinstance(body, str) else body}")


def main() -> None:
    app = Inventory()
    print(f"Service {app.name!r}: {app.description}")
    for route in app.routes:
        print(f"  {route.method:<6} {route.path:<20} {route.name}")

    print("\nIn-process, through the same Lambda adapter as AWS (test client):")
    client = app.test_client()
    for title, response in [
        ("GET /item/1", client.get("/item/1")),
        ("POST /item {name: 'ink', qty: 3}", client.post("/item", json={"name": "ink", "qty": 3})),
        ("GET /item/abc (bad int)", client.get("/item/abc")),
        ("POST /item {} (missing name)", client.post("/item", json={})),
        ("DELETE /item/1 (no such verb)", client.delete("/item/1")),
    ]:
        show(title, response.status_code, response.json() if "json" in response.headers.get("content-type", "")
             else response.text)

    print("\nAs AWS Lambda, behind API Gateway:")
    context = LambdaContext(function_name="inventory-dev")
    v1 = app(rest_event("GET", "/item/1", resource="/item/{item_id}", path_params={"item_id": "1"}), context)
    show("REST API (payload 1.0) GET /item/1", v1["statusCode"], json.loads(v1["body"]))
    v2 = app(http_event("GET", "/item/2", stage="dev"), context)
    show("HTTP API (payload 2.0) GET /dev/item/2", v2["statusCode"], json.loads(v2["body"]))
    show("Workflow direct invocation GET /item/1", 200, app(direct_event("GET", "/item/1"), context))
    try:
        app(direct_event("GET", "/item/99"), context)
    except Exception as exc:  # what a Step Functions Catch matches on
        show("Workflow direct invocation GET /item/99", 404, f"raises {type(exc).__name__}: {exc}")

    print("\nOver real HTTP on 127.0.0.1 (app.serve):")
    with app.serve(port=0) as server:
        with urllib.request.urlopen(server.url + "/item/1") as answer:
            show(f"GET {server.url}/item/1", answer.status, json.loads(answer.read()))
        try:
            urllib.request.urlopen(server.url + "/nowhere")
        except HTTPError as exc:
            show(f"GET {server.url}/nowhere", exc.code, json.loads(exc.read()))

    spec = app.openapi()
    print(f"\nOpenAPI {spec['openapi']}: {len(spec['paths'])} paths -> "
          + ", ".join(f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops))


if __name__ == "__main__":
    main()
