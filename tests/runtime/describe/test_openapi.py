"""``app.openapi()``: an OpenAPI 3.1 document from routes, annotations and docstrings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

import pydantic
import pytest

from coworks import TechMicroService, UploadedFile, entry


class Size(enum.Enum):
    S = "s"
    L = "l"


@dataclasses.dataclass
class Line:
    sku: str
    qty: int = 1


@dataclasses.dataclass
class Order:
    lines: list[Line]
    note: str | None = None


class Buyer(pydantic.BaseModel):
    name: str


class Catalog(TechMicroService):
    """Catalog of items.

    Everything we sell.
    """

    def auth(self, token):
        return True

    @entry
    def get_item(self, item_id: int, *, size: Size = Size.S, tags: list[str] | None = None):
        """Read one item.

        Longer description.

        :param item_id: the item's number
        :param size: which size
        """
        return {}

    @entry
    def post_order(self, *, order: Order, buyer: Buyer | None = None, when: dt.date | None = None):
        """Place an order."""
        return {}

    @entry
    def put_item_photo(self, item_id: int, *, photo: UploadedFile):
        return {}

    @entry(no_auth=True)
    def get_health(self):
        return "ok"


def test_document_header() -> None:
    doc = Catalog().openapi()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] == "catalog"
    assert doc["info"]["description"].startswith("Catalog of items.")
    assert set(doc["paths"]) == {"/item/{item_id}", "/order", "/item/photo/{item_id}", "/health"}


def test_operation_from_docstring_and_parameters() -> None:
    op = Catalog().openapi()["paths"]["/item/{item_id}"]["get"]
    assert op["operationId"] == "get_item"
    assert op["summary"] == "Read one item."
    assert op["description"] == "Longer description."
    params = {p["name"]: p for p in op["parameters"]}
    assert params["item_id"] == {"name": "item_id", "in": "path", "required": True,
                                 "schema": {"type": "integer"}, "description": "the item's number"}
    assert params["size"]["in"] == "query" and params["size"]["required"] is False
    assert params["size"]["schema"] == {"enum": ["s", "l"], "default": "s"}
    assert params["tags"]["schema"] == {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]}
    assert "requestBody" not in op


def test_request_body_and_component_schemas_for_dataclasses() -> None:
    doc = Catalog().openapi()
    op = doc["paths"]["/order"]["post"]
    assert "parameters" not in op
    body = op["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert schema["required"] == ["order"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["order"] == {"$ref": "#/components/schemas/Order"}
    assert schema["properties"]["when"] == {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}
    schemas = doc["components"]["schemas"]
    assert schemas["Order"] == {
        "type": "object",
        "properties": {"lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
                       "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        "required": ["lines"], "additionalProperties": False,  # the document says which fields exist
    }
    assert schemas["Line"] == {"type": "object", "properties": {"sku": {"type": "string"},
                                                                 "qty": {"type": "integer"}}, "required": ["sku"],
                               "additionalProperties": False}
    assert schemas["Buyer"]["properties"]["name"]["type"] == "string"


def test_file_parameters_make_a_multipart_body() -> None:
    op = Catalog().openapi()["paths"]["/item/photo/{item_id}"]["put"]
    schema = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["photo"] == {"type": "string", "format": "binary"}


def test_security_follows_auth_and_no_auth() -> None:
    doc = Catalog().openapi()
    assert doc["components"]["securitySchemes"]["token"]["in"] == "header"
    assert doc["paths"]["/item/{item_id}"]["get"]["security"] == [{"token": []}]
    assert "security" not in doc["paths"]["/health"]["get"]
    assert set(doc["paths"]["/item/{item_id}"]["get"]["responses"]) == {"200", "401", "403", "422"}


def test_document_is_json_serialisable() -> None:
    import json

    json.dumps(Catalog().openapi())


def test_service_without_components_or_auth() -> None:
    class Tiny(TechMicroService):
        @entry
        def get(self):
            return "x"

    doc = Tiny().openapi()
    assert "components" not in doc
    responses = {"200": {"description": "Success"},
                 "422": {"description": "Invalid parameters: the body names each bad field"}}
    assert doc["paths"] == {"/": {"get": {"operationId": "get", "responses": responses}}}


def test_declared_answers_and_files_inside_optional_or_lists_are_documented() -> None:
    from coworks.runtime.errors import RouteDefinitionError

    class Mailer(TechMicroService):
        @entry(responses={202: "Accepted for delivery", 502: "The SMTP server is down"})
        def post_send(self, *, to: str, attachment: UploadedFile | None = None, more: list[UploadedFile] | None = None):
            return None

    operation = Mailer("mailer").openapi()["paths"]["/send"]["post"]
    assert set(operation["responses"]) == {"202", "422", "502"}  # 202 instead of 200
    assert operation["responses"]["502"] == {"description": "The SMTP server is down"}
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert form["attachment"] == {"type": "string", "format": "binary"}  # its file, not null or a file
    assert form["more"] == {"type": "array", "items": {"type": "string", "format": "binary"}}
    with pytest.raises(RouteDefinitionError, match="maps HTTP statuses to descriptions"):
        entry(responses={"404": "x"})  # type: ignore[dict-item]
