"""Bodies and models as FastAPI and Chalice users expect: one model takes the whole body flat,
several are nested by name, a model is never a path segment, a typo'd field is refused naming the
fields there are, and the OpenAPI document says the same."""

from __future__ import annotations

import dataclasses
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coworks import RouteDefinitionError, TechMicroService, entry


@dataclasses.dataclass
class Item:
    name: str
    qty: int = 0


class Pet(pydantic.BaseModel):
    name: str
    age: int


class Shop(TechMicroService):
    @entry
    def post_item(self, item: Item):  # positional, no default: still the body, not /item/{item}
        return dataclasses.asdict(item)

    @entry
    def put_pet(self, pet_id: int, *, pet: Pet):
        return {"id": pet_id, **pet.model_dump()}

    @entry
    def post_pair(self, *, item: Item, pet: Pet):
        return {"item": item.name, "pet": pet.name}


def errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_a_single_model_takes_the_whole_body_flat() -> None:
    client = Shop().test_client()
    assert [r.key for r in Shop().routes] == ["POST /item", "PUT /pet/{pet_id}", "POST /pair"]
    assert client.post("/item", json={"name": "pen", "qty": 2}).json() == {"name": "pen", "qty": 2}
    assert client.put("/pet/7", json={"name": "Rex", "age": 3}).json() == {"id": 7, "name": "Rex", "age": 3}
    assert client.post("/item", data={"name": "ink"}).json() == {"name": "ink", "qty": 0}  # a form too


def test_several_models_are_nested_by_name() -> None:
    answer = Shop().test_client().post("/pair", json={"item": {"name": "a"}, "pet": {"name": "b", "age": 1}})
    assert answer.json() == {"item": "a", "pet": "b"}


def test_a_typo_is_refused_naming_the_fields_there_are() -> None:
    client = Shop().test_client()
    assert errors(client.post("/item", json={"name": "pen", "qtty": 2})) == {
        "qtty": "is not a field of Item (its fields: name, qty)"}
    assert errors(client.put("/pet/1", json={"name": "Rex", "age": 2, "agee": 3})) == {
        "agee": "is not a field of Pet (its fields: age, name)"}
    assert "its fields: name, qty" in errors(client.post("/item"))[""]


def test_the_openapi_document_says_which_fields_exist() -> None:
    doc = Shop().openapi()
    body = doc["paths"]["/item"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
    schemas = doc["components"]["schemas"]
    assert schemas["Item"]["additionalProperties"] is False and set(schemas["Item"]["properties"]) == {"name", "qty"}
    assert schemas["Pet"]["additionalProperties"] is False and set(schemas["Pet"]["properties"]) == {"name", "age"}


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.integers() | st.text(max_size=5), max_size=5))
def test_any_body_is_an_answer_never_a_crash(body: dict[str, Any]) -> None:
    status = Shop().test_client().post("/item", json=body).status_code
    assert status in (200, 422)


def named(name: str) -> Any:
    def method(self: Any) -> None:
        return None

    method.__name__ = method.__qualname__ = name
    return method


@pytest.mark.parametrize(("name", "meant"), [("getitem", "get_item"), ("gte_item", "get_item"),
                                             ("deleteorder_line", "delete_order_line"), ("pst", "post")])
def test_a_name_that_misses_its_verb_is_refused_with_what_it_meant(name: str, meant: str) -> None:
    with pytest.raises(RouteDefinitionError, match=f"did you mean {meant}\\?"):
        type("Typo", (TechMicroService,), {name: entry(named(name))})


def test_names_without_a_verb_that_are_words_stay_posts() -> None:
    keep = {name: entry(named(name)) for name in ("send", "search", "render", "set_price", "call")}
    keep["getaway"] = entry(method="POST")(named("getaway"))  # said explicitly: kept
    routes = type("Words", (TechMicroService,), keep)()
    assert {r.method for r in routes.routes} == {"POST"}
