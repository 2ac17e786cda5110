"""The endpoint caller and the service's route table, driven without a browser."""

from __future__ import annotations

import dataclasses
import enum
import json

import pytest

from coworks import NotFound, TechMicroService, entry, tokens_equal
from coworks.notebook import EndpointCaller, route_table

SECRET = "s3cr3t-token-value"


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Shop(TechMicroService):
    """A shop."""

    def auth(self, token: str) -> bool:
        return tokens_equal(token, SECRET)

    @entry(no_auth=True)
    def get(self) -> str:
        """Health."""
        return "ok"

    @entry
    def get_item(self, item_id: int, colour: Colour = Colour.RED) -> dict[str, object]:
        """One item."""
        if item_id > 100:
            raise NotFound(f"No item {item_id}.")
        return {"id": item_id, "colour": colour.value}

    @entry
    def post_item(self, *, name: str, qty: int = 0) -> tuple[dict[str, object], int]:
        return {"name": name, "qty": qty}, 201


@pytest.fixture
def caller() -> EndpointCaller:
    c = EndpointCaller(Shop(), headers={"Authorization": SECRET})
    yield c
    c.close()


def test_route_table_lists_verb_path_typed_parameters_auth_and_description() -> None:
    table = route_table(Shop())
    text = str(table)
    assert "GET   /item/{item_id}  item_id: int, colour: Colour = <Colour.RED: 'red'>  token  One item." in text
    assert "open" in text.splitlines()[3]  # GET / is no_auth
    html = table._repr_html_()
    assert "<table" in html and "/item/{item_id}" in html and "post_item" not in html


def test_send_in_process_returns_status_body_and_keeps_history(caller: EndpointCaller) -> None:
    caller.select("GET /item/{item_id}")
    caller.fill(item_id=3, colour="blue")
    result = caller.send()
    assert (result.status, result.json()) == (200, {"id": 3, "colour": "blue"})
    caller.select("post_item")
    caller.fill(name="pen", qty=2)
    assert caller.send().status == 201
    assert [c.status for c in caller.history] == [200, 201]
    again = caller.resend(0)
    assert (again.status, again.json(), len(caller.history)) == (200, {"id": 3, "colour": "blue"}, 3)


def test_send_over_the_local_server_gives_the_same_answers(caller: EndpointCaller) -> None:
    caller.use("local server")
    caller.select("get_item")
    caller.fill(item_id=999)
    result = caller.send()
    assert result.status == 404 and result.json() == {"message": "No item 999."}
    caller.fill(item_id=7)
    assert caller.send().json() == {"id": 7, "colour": "red"}


def test_credentials_are_never_shown(caller: EndpointCaller) -> None:
    caller.select("get_item")
    caller.fill(item_id=1)
    result = caller.send()
    assert result.status == 200
    assert SECRET not in repr(result) and result.request_headers["Authorization"] == "••••"
    view = caller.widget
    assert SECRET not in repr(view)


def test_unknown_route_and_target_are_named_errors(caller: EndpointCaller) -> None:
    with pytest.raises(ValueError, match="is not a route of shop"):
        caller.select("GET /nope")
    with pytest.raises(ValueError, match="Unknown target"):
        caller.use("mars")


def test_widget_form_follows_the_route_and_the_send_button_calls(caller: EndpointCaller) -> None:
    box = caller.widget
    view = caller._view
    caller.select("get_item")
    assert list(view.inputs) == ["item_id", "colour"]
    view.inputs["item_id"].value = 5
    view.send.click()
    assert caller.history[-1].json() == {"id": 5, "colour": "red"}
    assert "200" in view.status.value and "coworks-status" in view.status.value
    assert len(view.history.children) == 1
    assert box is caller.widget


def test_service_magic_defines_serves_and_shows_routes() -> None:
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "coworks")
    cell = (
        "from coworks import TechMicroService, entry\n"
        "class Hello(TechMicroService):\n"
        "    @entry\n"
        "    def get(self):\n"
        "        return 'hi'\n"
    )
    table = ip.run_cell_magic("service", "", cell)
    import urllib.request

    url = ip.user_ns["hello_url"]
    try:
        assert urllib.request.urlopen(url + "/").read() == b"hi"
        assert "GET" in str(table)
    finally:
        ip.user_ns["_coworks_servers"]["Hello"].stop()


class Size(enum.Enum):
    S = "s"
    L = "l"


@dataclasses.dataclass
class Line:
    sku: str
    qty: int = 1


@dataclasses.dataclass
class Order:
    customer: str
    size: Size
    lines: list[Line]


class Orders(TechMicroService):
    @entry
    def post_order(self, order: Order):
        return {"customer": order.customer, "size": order.size.value, "lines": len(order.lines)}, 201


def test_a_model_body_gets_a_json_editor_from_its_schema_and_valid_input_is_sent() -> None:
    caller = EndpointCaller(Orders())
    caller.widget  # noqa: B018
    editor = caller._view.inputs["order"]
    assert json.loads(editor.value) == {"customer": "", "size": "s", "lines": []}  # from the schema
    editor.value = json.dumps({"customer": "Ann", "size": "l", "lines": [{"sku": "pen", "qty": 2}]})
    caller._view.send.click()
    assert caller.history[-1].status == 201 and caller.history[-1].json() == {"customer": "Ann", "size": "l",
                                                                               "lines": 1}
    editor.value = json.dumps({"customer": "Ann", "size": "xl", "lines": [{"qty": "two"}]})
    caller._view.send.click()
    assert len(caller.history) == 1  # refused before it left, each problem named
    assert caller.problems == ["order.lines.0: 'sku' is a required property",
                               "order.lines.0.qty: 'two' is not of type 'integer'",
                               "order.size: 'xl' is not one of ['s', 'l']"]
    assert "Not sent: fix these first" in caller._view.status.value
    editor.value = "{oops"
    caller._view.send.click()
    assert caller.problems[0].startswith("order: not JSON") and len(caller.history) == 1


def test_given_a_url_the_caller_targets_it_shown_in_full() -> None:
    url = "http://127.0.0.1:9/_aws/execute-api/abcdef1234/dev"
    caller = EndpointCaller(Shop(), url=url)
    assert caller.target == url and caller.widget is not None
    assert caller._view.target.value == url and caller._view.target.layout.width == "auto"
    assert url in caller._repr_html_()
