"""Bad input: arbitrary and malformed events never make the handler raise or answer 500.

Every property feeds the Lambda handler ``app(event, context)`` directly. A response is always a
well-formed proxy response (statusCode int, headers dict, body str, isBase64Encoded bool) with a
4xx status for the client's mistakes, or the correct result. The only exceptions that may leave
the handler are the documented ones: ``HTTP<status>`` for direct invocations (4xx here) and the
``ServiceError`` of a scheduled event that names no ``@schedule`` method (EventBridge retries).
Authorizer events always get a policy (REST) or a simple response (HTTP API).
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import datetime as dt
import json
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coworks import DirectInvocationError, ServiceError, TechMicroService, entry
from coworks.testing import (
    LambdaContext,
    direct_event,
    function_url_event,
    http_event,
    request_authorizer_event,
    rest_event,
    token_authorizer_event,
)

#: Reproducible in CI (no example database, derandomized) and sized so that the runtime suite
#: stays well under a minute on two cores.
PROPERTY = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FEW = settings(PROPERTY, max_examples=40)


@dataclasses.dataclass
class Address:
    city: str
    zip: int = 0


class Target(TechMicroService):
    """The service under attack: one entry per kind of parameter."""

    cors = True

    def auth(self, token: str) -> Any:
        return True if token == "admin" else ["GET /item/{item_id}"] if token == "reader" else False

    @entry
    def get(self):
        return "root"

    @entry
    def get_item(self, item_id: int, *, q: str = "", n: int = 0, flag: bool = False,
                 tags: list[int] | None = None):
        return {"id": item_id, "q": q, "n": n, "flag": flag, "tags": tags}

    @entry
    def post_item(self, *, name: str, qty: int = 0, when: dt.datetime | None = None,
                  data: dict | None = None, address: Address | None = None):
        return {"name": name, "qty": qty}

    @entry
    def get_file(self, name: str):
        return {"name": name}

    @entry
    def post_echo(self, **fields: Any):
        return sorted(fields)

    @entry
    def put_blob(self, *, blob: bytes = b""):
        return {"size": len(blob)}


APP = Target()
CONTEXT = LambdaContext(function_name="target")


# -- checks ----------------------------------------------------------------------------------------


def well_formed(result: Any) -> dict[str, Any]:
    assert type(result) is dict, result
    assert type(result["statusCode"]) is int
    assert type(result["headers"]) is dict
    assert all(type(k) is str and type(v) is str for k, v in result["headers"].items())
    assert type(result["body"]) is str
    assert type(result["isBase64Encoded"]) is bool
    if result["isBase64Encoded"]:
        binascii.a2b_base64(result["body"], strict_mode=True)
    json.dumps(result)  # what the Lambda runtime does with it
    return result


def client_error(result: Any) -> dict[str, Any]:
    result = well_formed(result)
    assert 400 <= result["statusCode"] < 500, result
    return result


def not_a_server_error(result: Any) -> dict[str, Any]:
    result = well_formed(result)
    assert result["statusCode"] < 500, result
    return result


def body_of(result: dict[str, Any]) -> Any:
    raw = base64.b64decode(result["body"]) if result["isBase64Encoded"] else result["body"]
    return json.loads(raw)


def handle_anything(event: Any) -> None:
    """The contract for any event at all."""
    try:
        result = APP(event, CONTEXT)
    except DirectInvocationError as exc:
        assert type(event) is dict and "method" in event and "path" in event
        assert type(exc).__name__ == f"HTTP{exc.status_code}"
        assert 400 <= exc.status_code < 500, exc
        return
    except ServiceError:
        assert type(event) is dict and ("detail-type" in event or event.get("source") == "aws.events")
        return
    if type(result) is dict and "policyDocument" in result:
        assert result["policyDocument"]["Statement"]
        return
    if type(result) is dict and "isAuthorized" in result:
        assert type(result["isAuthorized"]) is bool
        return
    if type(result) is dict and "statusCode" in result:
        not_a_server_error(result)
        return
    assert type(event) is dict and "method" in event  # a direct invocation's parsed 2xx body


# -- strategies ------------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "get", "BREW", ""])
segments = st.text(min_size=1, max_size=12)
traversal = st.sampled_from(["..", ".", "../..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%00", "a/../b", "//", "%",
                             "%zz", "~root", "\\..\\", "item/../../x"])
paths = st.one_of(
    st.sampled_from(["/", "/item/1", "/item/x", "/item/", "/items", "/file/a", "/echo", "/blob", "//item//1"]),
    st.builds(lambda a, b: f"/{a}/{b}", st.sampled_from(["item", "file", "echo"]), segments | traversal),
    st.text(max_size=30),
)
queries = st.dictionaries(st.sampled_from(["q", "n", "flag", "tags", "item_id", "self", "x"]) | st.text(max_size=5),
                          st.lists(st.text(max_size=10), min_size=1, max_size=3), max_size=4)
headers = st.dictionaries(
    st.sampled_from(["Content-Type", "content-type", "Origin", "Cookie", "Authorization", "X-Other"]),
    st.sampled_from(["application/json", "application/x-www-form-urlencoded", "multipart/form-data",
                     "multipart/form-data; boundary=zz", "text/plain", "", "https://a.example", "a=1; b"])
    | st.text(max_size=20),
    max_size=4,
)


def deep(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


bodies = st.one_of(
    st.none(),
    st.text(max_size=50),
    json_values.map(json.dumps),
    st.fixed_dictionaries({"name": st.text(max_size=10)}, optional={"qty": json_values, "when": json_values,
                                                                     "data": json_values, "address": json_values,
                                                                     "extra": json_values}).map(json.dumps),
    st.builds(deep, st.sampled_from([1, 50, 500, 999, 1000, 1001, 5000, 100_000]), st.sampled_from(["list", "obj"])),
    st.builds(lambda d, k: '{"name": "n", "data": ' + deep(d, k) + "}",
              st.sampled_from([10, 900, 990, 1500, 50_000]), st.sampled_from(["list", "obj"])),
    st.builds(lambda n: json.dumps({"name": "x" * n}), st.sampled_from([0, 10_000, 1_000_000])),
)


def mutate(draw: st.DrawFn, event: dict[str, Any]) -> dict[str, Any]:
    """Drop keys or give them wrong types, at the top level and inside requestContext."""
    event = copy.deepcopy(event)
    for _ in range(draw(st.integers(0, 3))):
        target = event
        while True:  # walk down into a nested object now and then: headers, query, requestContext...
            inner = [k for k in sorted(target) if type(target[k]) is dict]
            if not inner or not draw(st.booleans()):
                break
            target = target[draw(st.sampled_from(inner))]
        if not target:
            continue
        key = draw(st.sampled_from(sorted(target)))
        action = draw(st.sampled_from(["drop", "replace", "add"]))
        if action == "drop":
            del target[key]
        elif action == "replace":
            target[key] = draw(json_values)
        else:
            target[draw(st.text(max_size=6))] = draw(json_values)
    return event


@st.composite
def rest_events(draw: st.DrawFn) -> dict[str, Any]:
    body = draw(bodies)
    event = rest_event(draw(methods) or "GET", draw(paths), query=draw(queries), headers=draw(headers), body=body,
                       base64=draw(st.booleans()))
    if draw(st.booleans()):
        event["resource"] = draw(st.sampled_from(["/item/{item_id}", "/file/{name}", "/{proxy+}", "/nope"]))
        event["pathParameters"] = draw(st.dictionaries(st.sampled_from(["item_id", "name", "proxy"]),
                                                       segments | traversal, max_size=2)) or None
    if draw(st.booleans()):
        values = st.lists(st.text(max_size=8), max_size=3)
        event["multiValueHeaders"] = {k: draw(values) for k in event["headers"] or {}}
    if draw(st.booleans()):  # only the single-value query map, as some proxies send
        event["multiValueQueryStringParameters"] = None
        event["queryStringParameters"] = draw(st.none() | st.dictionaries(st.sampled_from(["q", "n", "tags"]),
                                                                          json_values, max_size=3))
    return mutate(draw, event) if draw(st.booleans()) else event


@st.composite
def http_events(draw: st.DrawFn) -> dict[str, Any]:
    build = draw(st.sampled_from([http_event, function_url_event]))
    kwargs: dict[str, Any] = {"query": draw(queries | st.text(max_size=20)), "headers": draw(headers),
                              "body": draw(bodies), "cookies": draw(st.lists(st.text(max_size=8), max_size=3))}
    if build is http_event:
        kwargs["stage"] = draw(st.sampled_from(["$default", "dev", "item"]))
        kwargs["route_key"] = draw(st.sampled_from([None, "GET /item/{item_id}", "POST /item", "ANY /{proxy+}"]))
        kwargs["path_params"] = draw(st.dictionaries(st.sampled_from(["item_id", "name"]), segments | traversal,
                                                     max_size=2))
    event = build(draw(methods) or "GET", draw(paths), **kwargs)
    if draw(st.booleans()):  # a base64 body that may not be base64, or not UTF-8 once decoded
        event["isBase64Encoded"] = True
        event["body"] = draw(st.text(max_size=40) | st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()))
    return mutate(draw, event) if draw(st.booleans()) else event


@st.composite
def direct_events(draw: st.DrawFn) -> dict[str, Any]:
    event = direct_event(draw(methods) or "GET", draw(paths), params=draw(st.dictionaries(
        st.sampled_from(["q", "n", "flag", "tags", "x"]) | st.text(max_size=5), json_values, max_size=3)),
        body=draw(json_values | bodies), headers=draw(headers))
    return mutate(draw, event) if draw(st.booleans()) else event


@st.composite
def authorizer_events(draw: st.DrawFn) -> dict[str, Any]:
    token = draw(st.sampled_from(["admin", "reader", "", "nope"]) | st.text(max_size=10))
    method, path = draw(methods) or "GET", draw(paths)
    if draw(st.booleans()):
        event = token_authorizer_event(token, method, path)
    else:
        event = request_authorizer_event(token, method, path, draw(st.sampled_from(
            ["GET /item/{item_id}", "POST /item", "GET /nope", "$default"])))
    return mutate(draw, event) if draw(st.booleans()) else event


KEYS = ["httpMethod", "path", "version", "rawPath", "requestContext", "headers", "body", "isBase64Encoded",
        "type", "methodArn", "routeArn", "authorizationToken", "method", "params", "routeKey",
        "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters",
        "cookies", "rawQueryString", "identitySource", "resources", "detail-type", "source"]



def _others(*fixed: str) -> dict[str, st.SearchStrategy[Any]]:
    return {k: json_values for k in KEYS if k not in fixed}


arbitrary_events = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), json_values, max_size=8),
    st.fixed_dictionaries({"version": st.just("2.0")}, optional=_others("version")),
    st.fixed_dictionaries({"httpMethod": methods}, optional=_others("httpMethod")),
    st.fixed_dictionaries({"method": methods, "path": paths}, optional=_others("method", "path")),
)


# -- properties: no event makes the handler fail -----------------------------------------------------


@PROPERTY
@given(arbitrary_events)
def test_arbitrary_events(event: Any) -> None:
    handle_anything(event)


@PROPERTY
@given(rest_events())
def test_rest_v1_events(event: dict[str, Any]) -> None:
    not_a_server_error(APP(event, CONTEXT))


@PROPERTY
@given(http_events())
def test_http_v2_and_function_url_events(event: dict[str, Any]) -> None:
    not_a_server_error(APP(event, CONTEXT))


@PROPERTY
@given(direct_events())
def test_direct_invocations(event: dict[str, Any]) -> None:
    handle_anything(event)


@PROPERTY
@given(authorizer_events())
def test_authorizer_events_always_get_a_decision(event: dict[str, Any]) -> None:
    kind = event.get("type")
    if not (kind == "TOKEN" or (kind == "REQUEST" and ("methodArn" in event or "routeArn" in event))):
        handle_anything(event)  # mutated beyond recognition: no longer an authorizer event
        return
    result = APP(event, CONTEXT)
    if "routeArn" in event:
        assert set(result) == {"isAuthorized", "context"} and type(result["isAuthorized"]) is bool
    else:
        statements = result["policyDocument"]["Statement"]
        assert result["policyDocument"]["Version"] == "2012-10-17"
        assert all(s["Effect"] in ("Allow", "Deny") for s in statements)


@FEW
@given(st.text(max_size=20))
def test_authorizer_denies_every_token_but_the_good_ones(token: str) -> None:
    result = APP(token_authorizer_event(token, "GET", "/item/1"), CONTEXT)
    effects = {s["Effect"] for s in result["policyDocument"]["Statement"]}
    assert effects == ({"Allow"} if token in ("admin", "reader") else {"Deny"})


# -- properties: the right answer, or a 4xx that says why -------------------------------------------


def item_events(item_id: int, q: str, n: int) -> list[Any]:
    query = {"q": q, "n": str(n)}
    return [
        rest_event("GET", f"/item/{item_id}", query=query),
        rest_event("GET", f"/item/{item_id}", query=query, resource="/item/{item_id}",
                   path_params={"item_id": str(item_id)}),
        http_event("GET", f"/item/{item_id}", query=query, stage="dev"),
        http_event("GET", f"/item/{item_id}", query=query, route_key="GET /item/{item_id}",
                   path_params={"item_id": str(item_id)}),
        function_url_event("GET", f"/item/{item_id}", query=urlencode(query)),
    ]


@PROPERTY
@given(st.integers(), st.text(), st.integers(-(10**30), 10**30))
def test_valid_requests_get_the_correct_result_in_every_payload(item_id: int, q: str, n: int) -> None:
    expected = {"id": item_id, "q": q, "n": n, "flag": False, "tags": None}
    for event in item_events(item_id, q, n):
        result = well_formed(APP(event, CONTEXT))
        assert result["statusCode"] == 200, result
        assert body_of(result) == expected
    assert APP(direct_event("GET", f"/item/{item_id}", params={"q": q, "n": n}), CONTEXT) == expected


@PROPERTY
@given(st.text(min_size=1) | traversal)
def test_path_parameters_arrive_verbatim_whatever_they_hold(name: str) -> None:
    encoded = quote(name, safe="")
    for event in (rest_event("GET", f"/file/{encoded}"), http_event("GET", f"/file/{encoded}"),
                  rest_event("GET", f"/file/{encoded}", resource="/file/{name}", path_params={"name": name}),
                  http_event("GET", f"/file/{encoded}", route_key="GET /file/{name}", path_params={"name": name})):
        result = well_formed(APP(event, CONTEXT))
        assert result["statusCode"] == 200, (event, result)
        assert body_of(result) == {"name": name}


@PROPERTY
@given(st.text(), st.integers(-(2**63), 2**63), st.booleans(), st.sampled_from(["rest", "http"]))
def test_json_bodies_plain_or_base64(name: str, qty: int, encode: bool, kind: str) -> None:
    text = json.dumps({"name": name, "qty": qty})
    headers = {"Content-Type": "application/json"}
    if kind == "rest":
        event = rest_event("POST", "/item", body=text, headers=headers, base64=encode)
    else:
        event = http_event("POST", "/item", body=text, headers=headers)
        if encode:
            event["body"], event["isBase64Encoded"] = base64.b64encode(text.encode()).decode(), True
    result = well_formed(APP(event, CONTEXT))
    assert (result["statusCode"], body_of(result)) == (200, {"name": name, "qty": qty})


@PROPERTY
@given(st.text(min_size=1).filter(lambda s: not _is_base64(s)), st.sampled_from(["rest", "http"]))
def test_invalid_base64_is_400(body: str, kind: str) -> None:
    build = rest_event if kind == "rest" else http_event
    event = build("POST", "/item", headers={"content-type": "application/json"})
    event["body"], event["isBase64Encoded"] = body, True
    result = client_error(APP(event, CONTEXT))
    assert result["statusCode"] == 400
    assert "base64" in body_of(result)["message"]


def _is_base64(text: str) -> bool:
    try:
        binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return True


def _invalid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@PROPERTY
@given(st.binary(min_size=1).filter(_invalid_utf8),
       st.sampled_from(["application/json", "application/x-www-form-urlencoded", "",
                        "multipart/form-data; boundary=b"]),
       st.sampled_from(["rest", "http"]))
def test_invalid_utf8_bodies_are_4xx(data: bytes, ctype: str, kind: str) -> None:
    build = rest_event if kind == "rest" else http_event
    event = build("POST", "/item", body=data, headers={"content-type": ctype} if ctype else None)
    assert event["isBase64Encoded"] is True
    client_error(APP(event, CONTEXT))


@FEW
@given(st.sampled_from([1, 10, 100, 900, 1000, 2000, 100_000, 1_000_000]), st.sampled_from(["list", "obj"]),
       st.sampled_from(["/item", "/echo"]))
def test_deeply_nested_json_is_4xx_or_answered(depth: int, kind: str, path: str) -> None:
    for text in (deep(depth, kind), '{"name": "n", "data": ' + deep(depth, kind) + "}"):
        event = http_event("POST", path, body=text, headers={"content-type": "application/json"})
        result = not_a_server_error(APP(event, CONTEXT))
        if result["statusCode"] == 200:
            assert body_of(result) in ({"name": "n", "qty": 0}, ["data", "name"], ["a"])


def test_huge_bodies_are_413() -> None:
    huge = "x" * (10 * 1024 * 1024 + 1)
    for event in (rest_event("POST", "/item", body=huge, headers={"content-type": "application/json"}),
                  http_event("POST", "/item", body=huge, headers={"content-type": "text/plain"}),
                  rest_event("PUT", "/blob", body=huge.encode(), base64=True,
                             headers={"content-type": "application/x-www-form-urlencoded"})):
        assert client_error(APP(event, CONTEXT))["statusCode"] == 413


def test_large_bodies_under_the_limit_are_answered() -> None:
    text = json.dumps({"name": "y" * (3 * 1024 * 1024)})
    result = well_formed(APP(http_event("POST", "/item", body=text, headers={"content-type": "application/json"}),
                             CONTEXT))
    assert result["statusCode"] == 200 and body_of(result)["name"] == "y" * (3 * 1024 * 1024)


@PROPERTY
@given(st.dictionaries(st.text(max_size=8), st.lists(st.text(max_size=8), min_size=1, max_size=3), max_size=5))
def test_multi_value_query_strings_in_both_payloads(query: dict[str, list[str]]) -> None:
    expected = sorted(k for k in query if k not in ("self",))
    for event in (rest_event("DELETE", "/echo", query=query), http_event("DELETE", "/echo", query=query)):
        result = not_a_server_error(APP(event, CONTEXT))
        assert result["statusCode"] == 405  # echo is a POST: the query never matters for the verb
    for event in (rest_event("POST", "/echo", query=query), http_event("POST", "/echo", query=query)):
        result = not_a_server_error(APP(event, CONTEXT))
        if "self" in query:
            assert result["statusCode"] == 422
        else:
            assert (result["statusCode"], body_of(result)) == (200, expected)


@PROPERTY
@given(st.lists(st.text(max_size=12).filter(lambda t: "\r" not in t and "\n" not in t), max_size=4),
       st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data"]))
def test_form_bodies(values: list[str], ctype: str) -> None:
    client = APP.test_client()
    fields = {"name": values or ""}
    if ctype.startswith("multipart"):
        response = client.post("/item", data=fields, files={"address": ("a.json", b'{"city": "x"}')})
    else:
        response = client.post("/item", data=fields)
    assert response.status_code < 500
    if response.status_code == 200:
        assert response.json() == {"name": values[-1] if values else "", "qty": 0}


@FEW
@given(st.binary(max_size=200), st.text(max_size=30))
def test_hostile_multipart_bodies_are_4xx_or_answered(data: bytes, boundary: str) -> None:
    ctype = f"multipart/form-data; boundary={boundary}"
    event = http_event("POST", "/item", body=data, headers={"content-type": ctype})
    not_a_server_error(APP(event, CONTEXT))
