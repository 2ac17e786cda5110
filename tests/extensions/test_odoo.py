"""The Odoo service against a server speaking Odoo's external API on 127.0.0.1 (odooserver.py),
over both protocols. Shapes follow Odoo's documentation and code:

- External API (odoo.com/documentation, developer/reference/external_api): ``/xmlrpc/2/common``
  ``version`` and ``authenticate(db, login, key, {})``; ``/xmlrpc/2/object`` ``execute_kw(db, uid,
  key, model, method, args, kwargs)`` with ``search_read``/``search_count``/``read``/``create``/
  ``write``/``unlink`` and their ``fields``, ``order``, ``offset``, ``limit`` keywords.
- XML-RPC faults: odoo/addons/base/controllers/rpc.py ``xmlrpc_handle_exception_int`` (codes 1-4).
- JSON-RPC errors: odoo/http.py ``serialize_exception`` and ``JsonRPCDispatcher.handle_error``.
- Messages: odoo/models.py (MissingError), odoo/service/model.py (private methods),
  odoo/osv/expression.py (bad leaves), odoo/http.py ``HttpDispatcher.handle_error`` for reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from coworks_odoo import OdooBlueprint, OdooService, check_domain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coworks import UnprocessableEntity

from .odooserver import DATABASE, USERS, OdooServer
from .smtpserver import StallingServer, free_port


@pytest.fixture(scope="module")
def odoo() -> Iterator[OdooServer]:
    server = OdooServer()
    yield server
    server.stop()


@pytest.fixture(params=["jsonrpc", "xmlrpc"])
def app(request: pytest.FixtureRequest, odoo: OdooServer, monkeypatch: pytest.MonkeyPatch) -> OdooService:
    from .odooserver import _records

    odoo.state.records = _records()
    for key, value in {"ODOO_URL": odoo.url, "ODOO_DATABASE": DATABASE, "ODOO_USER": "admin",
                       "ODOO_API_KEY": USERS["admin"][1], "ODOO_PROTOCOL": request.param,
                       "ODOO_TIMEOUT": "5"}.items():
        monkeypatch.setenv(key, value)
    return OdooService()


def as_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODOO_USER", "reader")
    monkeypatch.setenv("ODOO_API_KEY", USERS["reader"][1])


def test_version_and_settings(app: OdooService, odoo: OdooServer) -> None:
    answer = app.test_client().get("/")
    assert answer.status_code == 200
    assert answer.json() == {"url": odoo.url, "database": DATABASE, "user": "admin",
                             "protocol": app.settings.text("PROTOCOL"), "server_version": "17.0"}
    assert USERS["admin"][1] not in answer.text


def test_search_with_domain_fields_order_and_pages(app: OdooService) -> None:
    client = app.test_client()
    answer = client.post("/search/res.partner", json={
        "domain": ["|", ["city", "=", "Paris"], ["is_company", "=", True]],
        "fields": ["name", "city"], "order": "name desc", "limit": 2})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"records": [{"id": 2, "name": "Deco Addict", "city": "Paris"},
                                         {"id": 1, "name": "Azure Interior", "city": "Fremont"}],
                             "total": 3, "offset": 0, "limit": 2}
    second = client.post("/search/res.partner", json={
        "domain": ["|", ["city", "=", "Paris"], ["is_company", "=", True]], "fields": ["name"],
        "order": "name desc", "limit": 2, "offset": 2}).json()
    assert second["records"] == [{"id": 3, "name": "Ann Smith"}] and second["total"] == 3
    everyone = client.post("/search/res.partner", json={}).json()
    assert [r["id"] for r in everyone["records"]] == [1, 2, 3, 4] and everyone["total"] == 4


def test_read_create_write_delete(app: OdooService) -> None:
    client = app.test_client()
    assert client.get("/record/res.partner/3", params={"fields": ["name", "email"]}).json() == {
        "id": 3, "name": "Ann Smith", "email": "ann@example.com"}
    assert [r["name"] for r in client.get("/records/res.partner", params={"ids": [1, 4], "fields": "name"}).json()] \
        == ["Azure Interior", "Bob Stone"]
    created = client.post("/record/res.partner", json={"values": {"name": "Carla", "email": "carla@example.com"}})
    assert created.status_code == 201
    new_id = created.json()["id"]
    updated = client.put(f"/record/res.partner/{new_id}", json={"values": {"city": "Nantes"}})
    assert updated.json() == {"id": new_id, "updated": ["city"]}
    assert client.get(f"/record/res.partner/{new_id}").json()["city"] == "Nantes"
    assert client.delete(f"/record/res.partner/{new_id}").status_code == 204
    assert client.get(f"/record/res.partner/{new_id}").status_code == 404


def test_calling_a_model_method(app: OdooService) -> None:
    client = app.test_client()
    answer = client.post("/call/res.partner/check_access_rights", json={"args": ["write"],
                                                                        "kwargs": {"raise_exception": False}})
    assert answer.json() == {"result": True}
    assert client.post("/call/res.partner/name_search", json={"args": ["deco"]}).json() == {
        "result": [[2, "Deco Addict"]]}


def test_odoo_errors_become_clear_answers(app: OdooService, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    missing = client.get("/record/res.partner/999")
    assert missing.status_code == 404 and "Record does not exist or has been deleted" in missing.text
    assert client.put("/record/res.partner/999", json={"values": {"name": "x"}}).status_code == 404
    assert client.delete("/record/res.partner/999").status_code == 404
    invalid = client.post("/record/res.partner", json={"values": {"name": "X", "email": "not-an-address"}})
    assert invalid.status_code == 422 and "Invalid email address" in invalid.json()["errors"][0]["message"]
    bad_field = client.post("/search/res.partner", json={"domain": [["colour", "=", "red"]]})
    assert bad_field.status_code == 422
    assert bad_field.json()["errors"][0]["field"] == "domain" and "Invalid field res.partner.colour" in bad_field.text
    bad_order = client.post("/search/res.partner", json={"order": "colour desc"})
    assert bad_order.status_code == 422 and "Invalid \\\"order\\\"" in bad_order.text
    unknown_model = client.post("/search/res.nothing", json={})
    assert unknown_model.status_code == 404 and "no model res.nothing" in unknown_model.text
    unknown_method = client.post("/call/res.partner/fly", json={})
    assert unknown_method.status_code == 404
    for answer in (missing, invalid, bad_field, unknown_model, unknown_method):
        assert "Traceback" not in answer.text and 'File "' not in answer.text
    as_reader(monkeypatch)
    denied = client.post("/record/res.partner", json={"values": {"name": "X"}})
    assert denied.status_code == 403 and "not allowed to modify 'Contact'" in denied.text
    assert client.get("/record/res.partner/1").status_code == 200


def test_numbers_xmlrpc_cannot_carry_are_422(app: OdooService) -> None:
    answer = app.test_client().post("/record/account.move", json={"values": {"amount_total": 10**20}})
    if app.settings.text("PROTOCOL") == "xmlrpc":
        assert answer.status_code == 422 and "32 bits" in answer.text
    else:
        assert answer.status_code == 201


def test_private_methods_are_refused_before_odoo(app: OdooService, odoo: OdooServer) -> None:
    before = len(odoo.state.calls)
    answer = app.test_client().post("/call/res.partner/_compute_display_name", json={})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "method"
    assert len(odoo.state.calls) == before


def test_bad_credentials_and_database_are_502_naming_the_settings(app: OdooService,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODOO_API_KEY", "wrong-key-789")
    answer = app.test_client().post("/search/res.partner", json={})
    assert answer.status_code == 502 and "API_KEY" in answer.text and "wrong-key-789" not in answer.text
    monkeypatch.setenv("ODOO_API_KEY", USERS["admin"][1])
    monkeypatch.setenv("ODOO_DATABASE", "nope")
    answer = app.test_client().post("/search/res.partner", json={})
    assert answer.status_code == 502 and "DATABASE" in answer.text and "Traceback" not in answer.text


def test_odoo_down_is_502_and_slow_is_504(app: OdooService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODOO_URL", f"http://127.0.0.1:{free_port()}")
    down = app.test_client().post("/search/res.partner", json={})
    assert down.status_code == 502 and "connection refused" in down.text
    stalling = StallingServer()
    try:
        monkeypatch.setenv("ODOO_URL", f"http://127.0.0.1:{stalling.port}")
        monkeypatch.setenv("ODOO_TIMEOUT", "0.3")
        slow = app.test_client().post("/search/res.partner", json={})
    finally:
        stalling.stop()
    assert slow.status_code == 504 and "did not answer within 0.3 s" in slow.text


def test_a_url_that_is_not_odoo_is_502(app: OdooService, odoo: OdooServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODOO_URL", odoo.url + "/elsewhere")
    answer = app.test_client().post("/search/res.partner", json={})
    assert answer.status_code == 502 and "HTTP 404" in answer.text


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = OdooService().test_client().get("/")
    assert answer.status_code == 500 and "ODOO_URL is not set" in answer.text
    monkeypatch.setenv("ODOO_URL", "ftp://odoo")
    assert "ODOO_URL is 'ftp://odoo'" in OdooService().test_client().get("/").text


def test_report_pdf_through_a_web_session(app: OdooService, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    answer = client.get("/report/account.report_invoice/7,8")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and b"% invoices 7,8" in answer.content
    assert 'filename="report_invoice-7-8.pdf"' in answer.headers["content-disposition"]
    assert client.get("/report/account.nope/7").status_code == 404
    assert client.get("/report/account.report_invoice/7,999").status_code == 422
    assert client.get("/report/account.report_invoice/7;8").status_code == 422
    assert client.get("/report/..%2Fweb/7").status_code == 422
    as_reader(monkeypatch)
    assert client.get("/report/account.report_invoice/7").status_code == 403
    monkeypatch.setenv("ODOO_API_KEY", "wrong")
    refused = client.get("/report/account.report_invoice/7")
    assert refused.status_code == 502 and "web login" in refused.text


@pytest.mark.parametrize("body", [
    {"domain": "name = 'x'"}, {"domain": [["name", "=="]]}, {"domain": [["name", "===", 1]]},
    {"domain": ["&", ["name", "=", 1]]}, {"domain": ["|"]}, {"domain": ["and", ["id", "=", 1]]},
    {"domain": [["id", "in", 3]]}, {"domain": [["na me", "=", 1]]}, {"domain": [["id", "=", {"a": 1}]]},
    {"fields": ["na;me"]}, {"order": "name; drop table"}, {"limit": 0}, {"limit": 10**6}, {"offset": -1},
    {"domain": [], "unknown": 1}, {"limit": "ten"},
])
def test_malformed_searches_are_422_without_calling_odoo(app: OdooService, odoo: OdooServer,
                                                         body: dict[str, Any]) -> None:
    before = len(odoo.state.calls)
    answer = app.test_client().post("/search/res.partner", json=body)
    assert answer.status_code == 422, answer.text
    assert len(odoo.state.calls) == before


@pytest.mark.parametrize("path", ["/search/Res.Partner", "/search/res..partner", "/search/res.partner%3B"])
def test_bad_model_names_are_422(app: OdooService, path: str) -> None:
    assert app.test_client().post(path, json={}).status_code == 422


leaf = st.tuples(st.sampled_from(["name", "city", "id", "is_company"]),
                 st.sampled_from(["=", "!=", "ilike", "in", "not in"]),
                 st.one_of(st.text(max_size=5), st.integers(-5, 5), st.booleans(), st.lists(st.integers(0, 5)))
                 ).map(list)
domains = st.lists(st.one_of(leaf, st.sampled_from(["&", "|", "!"])), max_size=8)


@settings(max_examples=150, deadline=None)
@given(domains)
def test_check_domain_accepts_exactly_the_well_formed_domains(domain: list[Any]) -> None:
    depth = 0
    well_formed = True
    for item in reversed(domain):
        need = {"!": 1, "&": 2, "|": 2}.get(item, 0) if isinstance(item, str) else 0
        if isinstance(item, list) and item[1] in ("in", "not in") and not isinstance(item[2], list):
            well_formed = False
        if depth < need:
            well_formed = False
        depth = depth - need + 1
    try:
        checked = check_domain(domain)
    except UnprocessableEntity:
        assert not well_formed
    else:
        assert well_formed and checked == domain


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=6),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children,
                                                                                    max_size=3), max_leaves=10))
def test_any_json_domain_is_an_answer_never_a_500(app: OdooService, domain: Any) -> None:
    answer = app.test_client().post("/search/res.partner", json={"domain": domain})
    assert answer.status_code in (200, 422), answer.text


def test_a_key_by_secrets_manager_arn(app: OdooService, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from coworks_ext.secrets import _default
    from moto import mock_aws

    _default.clear()
    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="eu-west-3").create_secret(
            Name="odoo-key", SecretString=USERS["admin"][1])["ARN"]
        monkeypatch.setenv("ODOO_API_KEY", arn)
        answer = app.test_client().post("/search/res.partner", json={"limit": 1})
    _default.clear()
    assert answer.status_code == 200 and answer.json()["total"] == 4


def test_as_a_blueprint_in_a_workflow(app: OdooService) -> None:
    from coworks import TechMicroService, entry
    from coworks.biz import Ref, Task, Workflow

    class Crm(TechMicroService):
        @entry
        def get(self) -> str:
            return "crm"

    crm = Crm("crm")
    odoo = OdooBlueprint()
    crm.register_blueprint(odoo, "/odoo")
    find = Task(odoo.search, model="res.partner", domain=Ref("$.domain"), fields=["name"], result_path="$.found")
    fetch = Task(odoo.get_record, model="res.partner", record_id=Ref("$.id"), result_path="$.partner")
    wf = Workflow("partners", find >> fetch)
    ex = wf.run_local({"domain": [["city", "=", "Lyon"]], "id": 1}, services=[crm])
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output["found"]["body"]["records"] == [{"id": 4, "name": "Bob Stone"}]
    assert ex.output["partner"]["body"]["name"] == "Azure Interior"
    missing = Workflow("missing", Task(odoo.get_record, model="res.partner", record_id=Ref("$.id")))
    failed = missing.run_local({"id": 999}, services=[crm])
    assert failed.status == "FAILED" and failed.error == "HTTP404"


def test_openapi_lists_the_answers(app: OdooService) -> None:
    doc = app.openapi()
    assert {"/search/{model}", "/record/{model}/{record_id}", "/call/{model}/{method}",
            "/report/{report_name}/{ids}"} <= set(doc["paths"])
    for path in doc["paths"].values():
        for operation in path.values():
            assert {"403", "404", "422", "502", "504"} <= set(operation["responses"])
    assert USERS["admin"][1] not in json.dumps(doc)


def test_one_login_per_process_and_a_new_one_when_the_key_changes(app: OdooService, odoo: OdooServer,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from coworks_odoo.client import OdooClient

    OdooClient._uids.clear()
    before = odoo.state.authentications
    client = app.test_client()
    for _ in range(3):
        assert client.get("/record/res.partner/1").status_code == 200
    assert odoo.state.authentications == before + 1
    as_reader(monkeypatch)  # another user, another key: its own login
    assert client.get("/record/res.partner/1").status_code == 200
    assert odoo.state.authentications == before + 2


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                           | st.text(max_size=6),
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.text(max_size=4), children, max_size=3), max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["name", "email", "city", "colour", ""]), json_values, max_size=3),
       st.lists(json_values, max_size=3))
def test_any_json_values_and_arguments_are_an_answer_never_a_500(app: OdooService, values: dict[str, Any],
                                                                 args: list[Any]) -> None:
    client = app.test_client()
    assert client.post("/record/res.partner", json={"values": values}).status_code in (201, 422)
    assert client.post("/call/res.partner/name_search", json={"args": args}).status_code in (200, 422)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/record/res.partner/abc", None),
    ("GET", "/record/res.partner/1?fields=na%20me", None),
    ("GET", "/records/res.partner", None),
    ("GET", "/records/res.partner?ids=x", None),
    ("GET", "/records/res.partner?" + "&".join(f"ids={i}" for i in range(1001)), None),
    ("POST", "/record/res.partner", {}),
    ("POST", "/record/res.partner", {"values": ["name", "x"]}),
    ("PUT", "/record/res.partner/1", {"values": "name=x"}),
    ("PUT", "/record/res.partner/1", {"values": {"name": "x"}, "id": 2}),
    ("DELETE", "/record/res.partner/-1", None),
    ("DELETE", "/record/res.partner/1.5", None),
    ("POST", "/call/res.partner/name_search", {"args": "deco"}),
    ("POST", "/call/res.partner/name_search", {"kwargs": ["limit", 1]}),
    ("POST", "/call/res.partner/name-search", {}),
    ("GET", "/report/account.report_invoice/" + ",".join(["1"] * 101), None),
    ("GET", "/report/account.report_invoice/0", None),
    ("GET", "/report/" + "a." + "b" * 200 + "/1", None),
])
def test_every_entry_refuses_malformed_input(app: OdooService, odoo: OdooServer, method: str, path: str,
                                             body: Any) -> None:
    before = len(odoo.state.calls)
    answer = app.test_client().request(method, path, json=body)
    assert answer.status_code in (404, 422), (path, answer.text)  # 404: the path matches no route
    if answer.status_code == 404:
        assert answer.json() == {"message": "Not Found"}
    assert len(odoo.state.calls) == before


def test_a_connection_dropped_while_printing_is_a_502_a_workflow_retries(app: OdooService,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy or Odoo closing the connection before answering the report (RemoteDisconnected)."""
    import socket
    import threading

    from coworks_odoo import report

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def hang_up() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.close()  # no status line at all

    threading.Thread(target=hang_up, daemon=True).start()
    monkeypatch.setattr(report, "session", lambda conn: "sid")
    monkeypatch.setenv("ODOO_URL", f"http://127.0.0.1:{port}")
    try:
        answer = app.test_client().get("/report/account.report_invoice/7")
    finally:
        listener.close()
    assert answer.status_code == 502, answer.text
    assert "dropped the connection while printing the report account.report_invoice for [7]" in answer.text
