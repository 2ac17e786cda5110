"""Entry parameters: where they come from (path, query, body) and how annotations convert them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any, Optional, Union

import pydantic
import pytest

from coworks import TechMicroService, UploadedFile, entry


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Address:
    city: str
    zip: int = 0


@dataclasses.dataclass
class Customer:
    name: str
    address: Address
    tags: list[str] = dataclasses.field(default_factory=list)


class Pet(pydantic.BaseModel):
    name: str
    age: int


def described(values: dict[str, Any], sent: Any) -> dict[str, Any]:
    """Each parameter the request sent, with the type it arrived as."""
    return {k: {"type": type(v).__name__, "value": v} for k, v in values.items() if k in sent and v is not None}


class Params(TechMicroService):
    @entry
    def get_path(self, a: str, b: int):
        return {"a": a, "b": b}

    @entry
    def get_query(self, q: str = "none", *, n: int = 1, flag: bool = False):
        return {"q": q, "n": n, "flag": flag}

    @entry
    def get_required(self, *, needed: int):
        return {"needed": needed}

    @entry
    def post_body(self, *, name: str, qty: int = 0):
        return {"name": name, "qty": qty}

    @entry
    def post_extra(self, *, name: str = "", **extra: Any):
        return {"name": name, "extra": extra}

    @entry
    def get_extra(self, **extra: Any):
        return extra

    @entry
    def post_only_extra(self, **extra: Any):
        return extra

    @entry
    def post_upload(self, *, title: str, doc: UploadedFile, raw: bytes = b""):
        return {"title": title, "filename": doc.filename, "type": doc.content_type,
                "content": doc.content.hex(), "raw": raw.decode()}

    @entry
    def post_types(
        self,
        *,
        s: str = "",
        i: int = 0,
        f: float = 0.0,
        b: bool = False,
        li: list[int] | None = None,
        st: set[str] | None = None,
        d: dict | None = None,
        di: dict[str, int] | None = None,
        o: Optional[int] = None,  # noqa: UP045 - the typing spelling is part of what is tested
        u: Union[int, str, None] = None,  # noqa: UP007
        u2: int | bool | None = None,
        color: Color | None = None,
        level: Level | None = None,
        when: dt.datetime | None = None,
        day: dt.date | None = None,
        customer: Customer | None = None,
        pet: Pet | None = None,
    ):
        return described(locals(), self.request.json() or {})

    @entry
    def get_types(
        self,
        *,
        i: int = 0,
        f: float = 0.0,
        b: bool | None = None,
        li: list[int] | None = None,
        st: set[str] | None = None,
        o: Optional[int] = None,  # noqa: UP045
        color: Color | None = None,
        level: Level | None = None,
        when: dt.datetime | None = None,
        day: dt.date | None = None,
        d: dict | None = None,
    ):
        return described(locals(), self.request.query)


@pytest.fixture(scope="module", params=["2.0", "1.0"])
def client(request):
    return Params().test_client(payload=request.param)


def bad_fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"]
    return {e["field"]: e["message"] for e in body["errors"]}


# -- sources -----------------------------------------------------------------------------------


def test_positional_parameters_come_from_the_path(client) -> None:
    assert client.get("/path/x/5").json() == {"a": "x", "b": 5}


def test_path_parameters_are_percent_decoded(client) -> None:
    assert client.get("/path/a%20b/5").json() == {"a": "a b", "b": 5}


def test_path_parameter_conversion_failure_is_422(client) -> None:
    errors = bad_fields(client.get("/path/x/five"))
    assert list(errors) == ["b"]
    assert "integer" in errors["b"]


def test_defaults_and_keyword_only_come_from_the_query_on_get(client) -> None:
    assert client.get("/query").json() == {"q": "none", "n": 1, "flag": False}
    got = client.get("/query", params={"q": "hi", "n": "3", "flag": "yes"}).json()
    assert got == {"q": "hi", "n": 3, "flag": True}


def test_raw_query_string_in_the_path(client) -> None:
    assert client.get("/query?q=a&n=2").json() == {"q": "a", "n": 2, "flag": False}


def test_keyword_only_without_default_is_required(client) -> None:
    errors = bad_fields(client.get("/required"))
    assert errors == {"needed": "is required"}
    assert client.get("/required", params={"needed": 4}).json() == {"needed": 4}


def test_get_ignores_unknown_query_parameters(client) -> None:
    assert client.get("/required", params={"needed": 4, "utm": "x"}).json() == {"needed": 4}


def test_body_from_json(client) -> None:
    assert client.post("/body", json={"name": "pen", "qty": 2}).json() == {"name": "pen", "qty": 2}


def test_body_from_form_urlencoded(client) -> None:
    assert client.post("/body", data={"name": "pen", "qty": "2"}).json() == {"name": "pen", "qty": 2}


def test_body_from_multipart_with_files(client) -> None:
    response = client.post(
        "/upload",
        data={"title": "report", "raw": "abc"},
        files={"doc": ("r.pdf", b"%PDF-\xff\xfe binary", "application/pdf")},
    )
    assert response.json() == {"title": "report", "filename": "r.pdf", "type": "application/pdf",
                               "content": b"%PDF-\xff\xfe binary".hex(), "raw": "abc"}


def test_bytes_parameter_takes_a_file_part(client) -> None:
    response = client.post("/upload", data={"title": "t"}, files={"doc": b"one", "raw": ("raw.bin", b"two")})
    assert response.json()["raw"] == "two"


def test_file_field_sent_as_json_is_422(client) -> None:
    errors = bad_fields(client.post("/upload", json={"title": "t", "doc": "not a file"}))
    assert "doc" in errors and "file" in errors["doc"]


def test_post_without_body_reads_the_query(client) -> None:
    assert client.post("/body", params={"name": "q"}).json() == {"name": "q", "qty": 0}


def test_missing_required_body_field_is_422(client) -> None:
    assert bad_fields(client.post("/body", json={"qty": 1})) == {"name": "is required"}


def test_unknown_body_fields_are_422_naming_each(client) -> None:
    errors = bad_fields(client.post("/body", json={"name": "a", "colour": "red", "size": 3}))
    assert set(errors) == {"colour", "size"}
    assert "not a parameter" in errors["colour"]


def test_unknown_form_fields_are_422(client) -> None:
    assert set(bad_fields(client.post("/body", data={"name": "a", "bogus": "1"}))) == {"bogus"}


def test_kwargs_accepts_extra_body_fields(client) -> None:
    got = client.post("/extra", json={"name": "a", "x": 1, "y": [1, 2]}).json()
    assert got == {"name": "a", "extra": {"x": 1, "y": [1, 2]}}


def test_kwargs_accepts_extra_form_fields(client) -> None:
    got = client.post("/extra", data={"x": "1", "y": ["a", "b"]}).json()
    assert got == {"name": "", "extra": {"x": "1", "y": ["a", "b"]}}


def test_kwargs_alone_receives_the_body(client) -> None:
    assert client.post("/only/extra", json={"a": 1, "b": "two"}).json() == {"a": 1, "b": "two"}


def test_kwargs_alone_receives_the_query(client) -> None:
    assert client.get("/extra", params={"a": "1"}).json() == {"a": "1"}


def test_extra_field_named_like_a_path_parameter_is_422() -> None:
    class Svc(TechMicroService):
        @entry
        def post_item(self, item_id: int, **extra: Any):
            return {"id": item_id, "extra": extra}

        @entry
        def get_item(self, item_id: int, **extra: Any):
            return {"id": item_id, "extra": extra}

    client = Svc().test_client()
    assert client.post("/item/1", json={"a": 1}).json() == {"id": 1, "extra": {"a": 1}}
    assert "item_id" in bad_fields(client.post("/item/1", json={"item_id": 2}))
    assert "self" in bad_fields(client.post("/item/1", json={"self": 2}))
    assert client.get("/item/1", params={"item_id": "2"}).status_code == 422


# -- annotations -------------------------------------------------------------------------------


def typed(client, **body: Any) -> dict[str, Any]:
    response = client.post("/types", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def typed_query(client, **params: Any) -> dict[str, Any]:
    response = client.get("/types", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_str_int_float(client) -> None:
    got = typed(client, s="x", i=3, f=1.5)
    assert got == {"s": {"type": "str", "value": "x"}, "i": {"type": "int", "value": 3},
                   "f": {"type": "float", "value": 1.5}}
    assert typed(client, i=2.0)["i"] == {"type": "int", "value": 2}
    assert typed(client, f=2)["f"] == {"type": "float", "value": 2.0}
    assert typed_query(client, i="-7", f="2.5") == {"i": {"type": "int", "value": -7},
                                                    "f": {"type": "float", "value": 2.5}}


@pytest.mark.parametrize("text,value", [("true", True), ("1", True), ("yes", True), ("TRUE", True),
                                        ("false", False), ("0", False), ("no", False)])
def test_bool_from_text(client, text: str, value: bool) -> None:
    assert typed_query(client, b=text)["b"] == {"type": "bool", "value": value}


def test_bool_from_json(client) -> None:
    assert typed(client, b=True)["b"]["value"] is True
    assert typed(client, b="yes")["b"]["value"] is True
    errors = bad_fields(client.post("/types", json={"b": "maybe"}))
    assert "b" in errors and "true" in errors["b"]


def test_list_and_set(client) -> None:
    got = typed(client, li=[1, "2"], st=["a", "b", "a"])
    assert got["li"] == {"type": "list", "value": [1, 2]}
    assert got["st"]["type"] == "set" and sorted(got["st"]["value"]) == ["a", "b"]
    query = typed_query(client, li=["1", "2", "3"], st=["x", "x"])
    assert query["li"] == {"type": "list", "value": [1, 2, 3]}
    assert query["st"] == {"type": "set", "value": ["x"]}


def test_list_item_errors_name_the_index(client) -> None:
    errors = bad_fields(client.post("/types", json={"li": [1, "two", 3, "four"]}))
    assert set(errors) == {"li.1", "li.3"}
    assert "li" in bad_fields(client.post("/types", json={"li": "not a list"}))


def test_dict(client) -> None:
    assert typed(client, d={"k": [1]})["d"] == {"type": "dict", "value": {"k": [1]}}
    assert typed(client, di={"a": "1"})["di"] == {"type": "dict", "value": {"a": 1}}
    assert typed_query(client, d='{"k": 1}')["d"] == {"type": "dict", "value": {"k": 1}}
    assert set(bad_fields(client.post("/types", json={"di": {"a": 1, "b": "x"}}))) == {"di.b"}
    assert "d" in bad_fields(client.post("/types", json={"d": [1]}))


def test_optional_and_unions(client) -> None:
    assert typed(client, o=None) == {}
    assert typed(client, o="4")["o"] == {"type": "int", "value": 4}
    assert typed_query(client, o="") == {}
    assert typed(client, u=5)["u"] == {"type": "int", "value": 5}
    assert typed(client, u="five")["u"] == {"type": "str", "value": "five"}
    assert typed(client, u2=True)["u2"]["value"] in (True, 1)
    errors = bad_fields(client.post("/types", json={"o": "x"}))
    assert "o" in errors and "int" in errors["o"]


def test_enums(client) -> None:
    assert typed(client, color="red")["color"] == {"type": "Color", "value": "red"}
    assert typed(client, level=2)["level"] == {"type": "Level", "value": 2}
    assert typed_query(client, level="1", color="BLUE") == {"level": {"type": "Level", "value": 1},
                                                            "color": {"type": "Color", "value": "blue"}}
    errors = bad_fields(client.post("/types", json={"color": "green"}))
    assert "'red'" in errors["color"] and "'blue'" in errors["color"]


def test_datetime_and_date_iso_8601(client) -> None:
    got = typed(client, when="2024-05-01T10:20:30+02:00", day="2024-05-01")
    assert got["when"] == {"type": "datetime", "value": "2024-05-01T10:20:30+02:00"}
    assert got["day"] == {"type": "date", "value": "2024-05-01"}
    query = typed_query(client, when="2024-05-01T10:20:30", day="2024-02-29")
    assert query["when"]["value"] == "2024-05-01T10:20:30" and query["day"]["type"] == "date"
    errors = bad_fields(client.post("/types", json={"when": "yesterday", "day": "2024-02-30"}))
    assert set(errors) == {"when", "day"}
    assert "ISO 8601" in errors["when"]


def test_dataclasses_from_json(client) -> None:
    got = typed(client, customer={"name": "Ann", "address": {"city": "Paris", "zip": "75001"}})
    assert got["customer"] == {"type": "Customer",
                               "value": {"name": "Ann", "address": {"city": "Paris", "zip": 75001}, "tags": []}}


def test_dataclass_errors_name_nested_fields(client) -> None:
    errors = bad_fields(client.post("/types", json={"customer": {"address": {"zip": "x"}, "extra": 1}}))
    assert set(errors) == {"customer.name", "customer.address.city", "customer.address.zip", "customer.extra"}
    assert errors["customer.name"] == "is required"


def test_pydantic_models_from_json(client) -> None:
    assert typed(client, pet={"name": "Rex", "age": "3"})["pet"] == {"type": "Pet",
                                                                     "value": {"name": "Rex", "age": 3}}
    errors = bad_fields(client.post("/types", json={"pet": {"name": "Rex", "age": "old"}}))
    assert list(errors) == ["pet.age"]


def test_422_names_every_bad_field_at_once(client) -> None:
    body = {"i": "x", "f": "y", "b": "z", "level": 9, "when": "no", "s": 3}
    errors = bad_fields(client.post("/types", json=body))
    assert set(errors) == {"i", "f", "b", "level", "when", "s"}
    response = client.post("/types", json=body).json()
    assert all(e["location"] == "body" for e in response["errors"])


def test_query_errors_say_query(client) -> None:
    body = client.get("/types", params={"i": "x"}).json()
    assert body["errors"] == [{"field": "i", "location": "query", "message": "expected an integer, got 'x'"}]


def test_non_finite_floats_are_refused(client) -> None:
    assert "f" in bad_fields(client.get("/types", params={"f": "nan"}))
    assert "f" in bad_fields(client.get("/types", params={"f": "inf"}))


def test_file_part_for_a_text_field_is_422_not_500(client) -> None:
    response = client.post("/body", files={"name": ("n.txt", b"pen"), "qty": ("q.txt", b"1")})
    assert set(bad_fields(response)) == {"name", "qty"}


def test_a_query_name_without_values_is_blank_not_a_crash() -> None:
    from coworks.testing import direct_event, rest_event

    app = Params()
    event = rest_event("GET", "/query")
    event["multiValueQueryStringParameters"] = {"q": [], "n": []}
    result = app(event, None)
    assert result["statusCode"] == 422 and '"n"' in result["body"]
    assert app(direct_event("GET", "/query", params={"q": []}), None) == {"q": "", "n": 1, "flag": False}
