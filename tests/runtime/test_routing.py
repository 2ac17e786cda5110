"""Routes from @entry methods: verb and path from the name, overrides, duplicates, blueprints."""

from __future__ import annotations

import pytest

from coworks import Blueprint, RouteDefinitionError, TechMicroService, entry


class Shop(TechMicroService):
    """A shop."""

    @entry
    def get(self):
        return "root"

    @entry
    def get_item(self, item_id: int):
        return {"get_item": item_id}

    @entry
    def put_item_price(self, item_id: int, *, price: float):
        return {"item": item_id, "price": price}

    @entry
    def delete_item(self, item_id: int):
        return None

    @entry
    def patch_item(self, item_id: int, *, qty: int = 0):
        return {"patched": item_id}

    @entry
    def checkout(self, *, total: int = 0):
        return {"checkout": total}

    @entry
    def get_pair(self, a: str):
        return {"arity": 1, "a": a}

    @entry
    def get_pair_(self, a: str, b: str):
        return {"arity": 2, "a": a, "b": b}

    @entry(path="/x/{a}/y")
    def custom(self, a: str):
        return {"custom": a}

    @entry(path="/static/{a}", method="get")
    def anything(self, a: int):
        return {"anything": a}


@pytest.fixture(scope="module")
def client():
    return Shop().test_client()


def keys(app: TechMicroService) -> dict[str, str]:
    return {f"{r.method} {r.path}": r.name for r in app.routes}


def test_names_give_verb_and_path() -> None:
    table = keys(Shop())
    assert table["GET /"] == "get"
    assert table["GET /item/{item_id}"] == "get_item"
    assert table["PUT /item/price/{item_id}"] == "put_item_price"
    assert table["DELETE /item/{item_id}"] == "delete_item"
    assert table["PATCH /item/{item_id}"] == "patch_item"


def test_name_without_verb_prefix_is_a_post() -> None:
    assert keys(Shop())["POST /checkout"] == "checkout"


def test_routes_are_method_path_function_triples() -> None:
    app = Shop()
    method, path, func = next(r for r in app.routes if r.name == "get_item")
    assert (method, path) == ("GET", "/item/{item_id}")
    assert func is Shop.get_item


def test_trailing_underscore_shares_a_path_with_another_arity(client) -> None:
    table = keys(Shop())
    assert table["GET /pair/{a}"] == "get_pair"
    assert table["GET /pair/{a}/{b}"] == "get_pair_"
    assert client.get("/pair/1").json() == {"arity": 1, "a": "1"}
    assert client.get("/pair/1/2").json() == {"arity": 2, "a": "1", "b": "2"}


def test_entry_path_overrides_the_derived_path(client) -> None:
    table = keys(Shop())
    assert table["POST /x/{a}/y"] == "custom"
    assert client.post("/x/abc/y").json() == {"custom": "abc"}
    assert table["GET /static/{a}"] == "anything"
    assert client.get("/static/7").json() == {"anything": 7}


def test_each_verb_reaches_its_method(client) -> None:
    assert client.get("/").text == "root"
    assert client.get("/item/3").json() == {"get_item": 3}
    assert client.put("/item/price/3", json={"price": 2.5}).json() == {"item": 3, "price": 2.5}
    assert client.delete("/item/3").status_code == 204
    assert client.patch("/item/3", json={"qty": 1}).json() == {"patched": 3}
    assert client.post("/checkout", json={"total": 5}).json() == {"checkout": 5}


def test_literal_segments_win_over_placeholders() -> None:
    class Items(TechMicroService):
        @entry
        def get_item(self, item_id: str):
            return "param"

        @entry(path="/item/special")
        def get_special(self):
            return "literal"

    client = Items().test_client()
    assert client.get("/item/special").text == "literal"
    assert client.get("/item/other").text == "param"


def test_literal_segments_win_among_templated_routes() -> None:
    class Items(TechMicroService):
        @entry(path="/item/{item_id}/{field}")
        def get_field(self, item_id: str, field: str):
            return "param"

        @entry(path="/item/{item_id}/price")
        def get_price(self, item_id: str):
            return "literal"

    client = Items().test_client()
    assert client.get("/item/1/price").text == "literal"
    assert client.get("/item/1/name").text == "param"


def test_trailing_slash_is_the_same_route(client) -> None:
    assert client.get("/item/3/").json() == {"get_item": 3}


def test_path_override_with_mismatched_placeholders_fails_at_class_creation() -> None:
    with pytest.raises(RouteDefinitionError, match=r"/x/\{b\}") as info:

        class Bad(TechMicroService):
            @entry(path="/x/{b}")
            def get_x(self, a: str):
                return a

    assert "Bad.get_x" in str(info.value)


def test_path_override_without_the_parameter_fails() -> None:
    with pytest.raises(RouteDefinitionError):

        class Bad(TechMicroService):
            @entry(path="/x")
            def get_x(self, a: str):
                return a


def test_duplicate_routes_fail_naming_both_methods() -> None:
    with pytest.raises(RouteDefinitionError) as info:

        class Dup(TechMicroService):
            @entry
            def get_item(self, item_id: str):
                return item_id

            @entry(path="/item/{other}", method="GET")
            def fetch(self, other: str):
                return other

    message = str(info.value)
    assert "Dup.get_item" in message and "Dup.fetch" in message


def test_trailing_underscore_with_the_same_arity_is_a_duplicate() -> None:
    with pytest.raises(RouteDefinitionError) as info:

        class Dup(TechMicroService):
            @entry
            def get_item(self, item_id: str):
                return item_id

            @entry
            def get_item_(self, other: str):
                return other

    assert "Dup.get_item " in str(info.value) and "Dup.get_item_ " in str(info.value)


def test_unknown_http_method_is_refused() -> None:
    with pytest.raises(RouteDefinitionError, match="FETCH"):
        entry(method="FETCH")


def test_varargs_entries_are_refused() -> None:
    with pytest.raises(RouteDefinitionError, match=r"\*args"):

        class Bad(TechMicroService):
            @entry
            def get_x(self, *args):
                return args


def test_unsupported_annotation_fails_at_class_creation() -> None:
    with pytest.raises(RouteDefinitionError, match="Unsupported annotation"):

        class Bad(TechMicroService):
            @entry
            def get_x(self, *, a: 3):  # type: ignore[valid-type]
                return a


def test_subclass_overrides_and_inherits_entries() -> None:
    class Base(TechMicroService):
        @entry
        def get(self):
            return "base"

        @entry
        def get_other(self):
            return "other"

    class Child(Base):
        @entry
        def get(self):
            return "child"

        def get_other(self):  # no longer an entry
            return "plain"

    client = Child().test_client()
    assert client.get("/").text == "child"
    assert client.get("/other").status_code == 404


def test_route_of_finds_entries_by_name_or_method() -> None:
    app = Shop()
    assert app.route_of("get_item").path == "/item/{item_id}"
    assert app.route_of(app.get_item).key == "GET /item/{item_id}"


def test_service_name_defaults_to_kebab_case() -> None:
    class MyShopService(TechMicroService):
        pass

    assert MyShopService().name == "my-shop-service"
    assert MyShopService("custom").name == "custom"


# -- blueprints ------------------------------------------------------------------------------


class Admin(Blueprint):
    @entry
    def get_users(self):
        return {"service": self.service.name, "path": self.request.path}

    @entry
    def get_user(self, user_id: int):
        return {"user": user_id}


def test_blueprint_is_mounted_under_its_prefix() -> None:
    app = Shop()
    app.register_blueprint(Admin(), prefix="/admin")
    table = keys(app)
    assert table["GET /admin/users"] == "get_users"
    assert table["GET /admin/user/{user_id}"] == "get_user"
    client = app.test_client()
    assert client.get("/admin/users").json() == {"service": "shop", "path": "/admin/users"}
    assert client.get("/admin/user/4").json() == {"user": 4}
    assert client.get("/users").status_code == 404


def test_blueprint_in_payload_1() -> None:
    app = Shop()
    app.register_blueprint(Admin(), prefix="/admin")
    assert app.test_client(payload="1.0").get("/admin/user/4").json() == {"user": 4}


def test_blueprint_clash_is_refused_naming_both() -> None:
    class Items(Blueprint):
        @entry
        def get(self, item_id: str):
            return item_id

    app = Shop()
    with pytest.raises(RouteDefinitionError) as info:
        app.register_blueprint(Items(), prefix="/item")
    assert "Shop.get_item" in str(info.value) and "Items.get" in str(info.value)


def test_blueprint_prefix_must_start_with_slash() -> None:
    with pytest.raises(RouteDefinitionError, match="/admin"):
        Shop().register_blueprint(Admin(), prefix="admin")
