"""The same two-endpoint service written four ways, for the side-by-side benchmarks.

``GET /items/{item_id}`` with an int parameter and ``POST /items`` with a JSON body, as a bare
Lambda handler, a Coworks TechMicroService, a Chalice app and a Powertools resolver. Each
builder imports its framework itself, so that cold-start timing includes the import.
"""

from __future__ import annotations

TYPE_CHECKING = False  # keep typing out of the cold-start measurement
if TYPE_CHECKING:
    from typing import Any

GET_PATH = "/items/{item_id}"


def events() -> dict[str, dict[str, Any]]:
    """REST API (payload 1.0) events, as API Gateway sends them to every framework."""
    from coworks.testing import rest_event

    headers = {"Accept": "application/json", "Content-Type": "application/json", "Host": "example.com",
               "User-Agent": "bench", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"}
    return {
        "get": rest_event("GET", "/items/42", resource=GET_PATH, path_params={"item_id": "42"}, headers=headers),
        "post": rest_event("POST", "/items", resource="/items", headers=headers,
                           body='{"name": "pen", "qty": 3}'),
    }


def build_bare() -> Any:
    import json

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event["httpMethod"] == "GET":
            body = {"id": int(event["pathParameters"]["item_id"])}
        else:
            data = json.loads(event["body"])
            body = {"name": data["name"], "qty": int(data.get("qty", 0))}
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                "body": json.dumps(body), "isBase64Encoded": False}

    return handler


def build_coworks() -> Any:
    from coworks import TechMicroService, entry

    class Items(TechMicroService):
        """Items in stock."""

        @entry
        def get_items(self, item_id: int) -> dict[str, int]:
            return {"id": item_id}

        @entry
        def post_items(self, *, name: str, qty: int = 0) -> dict[str, Any]:
            return {"name": name, "qty": qty}

    return Items(log_requests=False)


def build_chalice() -> Any:
    from chalice import Chalice  # type: ignore[import-untyped]

    app = Chalice(app_name="items")

    @app.route("/items/{item_id}")
    def get_item(item_id: str) -> dict[str, int]:
        return {"id": int(item_id)}

    @app.route("/items", methods=["POST"])
    def post_items() -> dict[str, Any]:
        body = app.current_request.json_body
        return {"name": body["name"], "qty": int(body.get("qty", 0))}

    return app


def build_powertools() -> Any:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    app = APIGatewayRestResolver()

    @app.get("/items/<item_id>")
    def get_item(item_id: str) -> dict[str, int]:
        return {"id": int(item_id)}

    @app.post("/items")
    def post_items() -> dict[str, Any]:
        body = app.current_event.json_body
        return {"name": body["name"], "qty": int(body.get("qty", 0))}

    return app.resolve


BUILDERS = {
    "bare handler": build_bare,
    "coworks": build_coworks,
    "chalice": build_chalice,
    "powertools": build_powertools,
}
