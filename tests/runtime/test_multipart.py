"""multipart/form-data bodies (``coworks/runtime/multipart.py``): every part of a big form read
right, more parts than the service's ``max_form_parts`` refused (413) before any is read, any body
a real encoder writes read back as it was written, and a malformed body a 400 with a sentence."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3 import encode_multipart_formdata

from coworks import ServiceError, TechMicroService, UploadedFile, entry
from coworks.runtime.errors import BadRequest, PayloadTooLarge
from coworks.runtime.multipart import parse_multipart
from coworks.testing import LambdaContext, http_event

PROPERTY = settings(max_examples=200, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def shown(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {"filename": value.filename, "type": value.content_type,
                "content": base64.b64encode(value.content).decode()}
    return value


class Forms(TechMicroService):
    @entry
    def post_form(self):
        return {name: [shown(v) for v in values] for name, values in self.request.form().items()}


class BigForms(Forms):
    max_form_parts = 50_000


@pytest.fixture(scope="module")
def server():
    handle = Forms().serve(port=0)
    yield handle
    handle.stop()


def thousand_fields() -> list[tuple[str, Any]]:
    fields: list[tuple[str, Any]] = []
    for i in range(1000):
        if i % 2:
            fields.append((f"file{i}", (f"f{i}.bin", bytes([i % 256]) * (i % 50) + b"\r\n--x", "application/x-test")))
        else:
            fields.append((f"field{i}" if i % 10 else "same", f"välue {i}\r\nline two"))
    return fields


def expected(fields: list[tuple[str, Any]]) -> dict[str, list[Any]]:
    want: dict[str, list[Any]] = {}
    for name, value in fields:
        if isinstance(value, tuple):
            value = {"filename": value[0], "type": value[2], "content": base64.b64encode(value[1]).decode()}
        want.setdefault(name, []).append(value)
    return want


def test_a_thousand_parts_arrive_whole_over_http(server) -> None:
    fields = thousand_fields()
    body, ctype = encode_multipart_formdata(fields)
    response = requests.post(server.url + "/form", data=body, headers={"Content-Type": ctype}, timeout=30)
    assert response.status_code == 200, response.text
    got = response.json()
    assert got == expected(fields)
    assert len(got["same"]) == 100 and sum(len(v) for v in got.values()) == 1000


def many_parts(count: int, *, broken_at: int | None = None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for i in range(count):
        head = "X-Nothing: here" if i == broken_at else f'Content-Disposition: form-data; name="f{i}"'
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n{i}\r\n")
    return "".join(parts).encode() + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_more_parts_than_the_limit_are_413_before_any_is_read(server) -> None:
    # Part 2 has no Content-Disposition: reading the parts would answer 400 on it.
    body, ctype = many_parts(40_000, broken_at=2)
    response = requests.post(server.url + "/form", data=body, headers={"Content-Type": ctype}, timeout=30)
    assert response.status_code == 413
    assert "more than 1000 parts" in response.text and "max_form_parts" in response.text
    body, ctype = many_parts(1001)
    assert requests.post(server.url + "/form", data=body, headers={"Content-Type": ctype},
                         timeout=30).status_code == 413
    body, ctype = many_parts(1000)
    assert requests.post(server.url + "/form", data=body, headers={"Content-Type": ctype},
                         timeout=30).status_code == 200


def test_a_service_raises_its_limit_with_max_form_parts() -> None:
    body, ctype = many_parts(40_000)
    event = http_event("POST", "/form", body=body, headers={"content-type": ctype})
    result = BigForms()(event, LambdaContext())
    assert result["statusCode"] == 200
    got = json.loads(result["body"])
    assert len(got) == 40_000 and got["f39999"] == ["39999"]
    assert Forms()(event, LambdaContext())["statusCode"] == 413  # the default still holds for others
    broken, ctype = many_parts(40_000, broken_at=2)
    answer = BigForms()(http_event("POST", "/form", body=broken, headers={"content-type": ctype}), LambdaContext())
    assert answer["statusCode"] == 400 and "Content-Disposition" in answer["body"]


@pytest.mark.parametrize("value", [0, -1, 1.5, "1000", None])
def test_max_form_parts_is_a_positive_whole_number(value: Any) -> None:
    cls = type("Odd", (Forms,), {"max_form_parts": value})
    with pytest.raises(ServiceError, match=r"Odd.max_form_parts is .*: make it a whole number of parts"):
        cls()


# -- round trips through real encoders ----------------------------------------------------------

# Browsers and urllib3 send '"', CR and LF in names as %22, %0D, %0A and nothing else escaped, so a
# literal "%22" in a name cannot be told apart: such names are left out.
names = st.text(min_size=1, max_size=12).filter(lambda t: "%" not in t)
texts = st.text(max_size=40)
files = st.tuples(names, st.binary(max_size=200),
                  st.sampled_from(["text/plain", "application/octet-stream", "image/png", "application/json"]))
forms = st.lists(st.tuples(names, st.one_of(texts, files)), max_size=12)


def encode(fields: list[tuple[str, Any]], encoder: str) -> tuple[bytes, str]:
    if encoder == "urllib3":
        return encode_multipart_formdata(fields)
    parts = [(n, (None, v) if isinstance(v, str) else v) for n, v in fields] or [("x", (None, ""))]
    prepared = requests.Request("POST", "http://127.0.0.1/", files=parts).prepare()
    assert isinstance(prepared.body, bytes)
    return prepared.body, str(prepared.headers["Content-Type"])


@PROPERTY
@given(forms, st.sampled_from(["urllib3", "requests"]))
def test_what_an_encoder_writes_reads_back_as_written(fields: list[tuple[str, Any]], encoder: str) -> None:
    body, ctype = encode(fields, encoder)
    got = {name: [shown(v) for v in values] for name, values in parse_multipart(body, ctype).items()}
    assert got == expected(fields or ([("x", "")] if encoder == "requests" else []))


# -- malformed bodies ---------------------------------------------------------------------------

GOOD = b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n'
MALFORMED = {
    "no closing boundary": (b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1', "closing boundary"),
    "no boundary in the body": (b"just some text", "does not contain its boundary"),
    "no Content-Disposition": (b"--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--\r\n", "no Content-Disposition"),
    "no headers at all": (b"--b\r\n\r\n1\r\n--b--\r\n", "no Content-Disposition"),
    "no name": (b"--b\r\nContent-Disposition: form-data\r\n\r\n1\r\n--b--\r\n", "no name"),
    "a header line without a colon": (b"--b\r\nContent-Disposition form-data\r\n\r\n1\r\n--b--\r\n", "Name: value"),
    "headers that never end": (b'--b\r\nContent-Disposition: form-data; name="a"\r\n' + b"X: y\r\n" * 5000,
                               "blank line"),
    "the boundary inside the data": (b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--bogus\r\n--b--',
                                     "boundary appears inside a part"),
    "a charset it is not": (b'--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: text/plain; '
                            b'charset=ascii\r\n\r\n\xff\r\n--b--\r\n', "not valid ascii"),
    "an unknown charset": (b'--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: text/plain; '
                           b'charset=nope\r\n\r\nx\r\n--b--\r\n', "not valid nope"),
    "bad base64": (b'--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
                   b"a\r\n--b--\r\n", "not valid base64"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_body_is_a_400_with_a_sentence(case: str) -> None:
    body, words = MALFORMED[case]
    event = http_event("POST", "/form", body=body, headers={"content-type": "multipart/form-data; boundary=b"})
    result = Forms()(event, LambdaContext())
    assert result["statusCode"] == 400, (case, result)
    assert words in result["body"], result["body"]


@pytest.mark.parametrize("ctype", ["multipart/form-data", "multipart/form-data; boundary=",
                                   "multipart/form-data; boundary=" + "x" * 71])
def test_a_content_type_without_a_usable_boundary_is_a_400(ctype: str) -> None:
    result = Forms()(http_event("POST", "/form", body=GOOD, headers={"content-type": ctype}), LambdaContext())
    assert result["statusCode"] == 400 and "boundary" in result["body"]


def test_browser_spellings_are_read_as_browsers_mean_them() -> None:
    body = (b'preamble\r\n--b\r\n'  # a preamble before the first delimiter is ignored
            b'Content-Disposition: form-data; name="a%22b;c=d"; filename="C:\\x\\%22q%22.txt"\r\n\r\nfile\r\n'
            b"--b  \t\r\nContent-Disposition: form-data; name=plain\r\n\r\n\r\n"
            b"--b\r\nContent-Disposition: form-data; name=\"u\"; filename*=UTF-8''%E2%82%AC.txt\r\n\r\n\xe2\x82\xac\r\n"
            b'--b\r\nContent-Disposition: form-data; name="q"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
            b'a=3Db\r\n--b--\r\nepilogue')
    form = parse_multipart(body, 'multipart/form-data; boundary="b"')
    assert list(form) == ['a"b;c=d', "plain", "u", "q"]
    assert (form['a"b;c=d'][0].filename, form['a"b;c=d'][0].content) == ('C:\\x\\"q".txt', b"file")
    assert form["plain"] == [""] and form["u"][0].filename == "€.txt" and form["q"] == ["a=b"]


bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda cut, junk, at: GOOD[:cut] + junk + GOOD[cut + at:], st.integers(0, len(GOOD)),
              st.binary(max_size=8) | st.sampled_from([b"\r\n", b"--b", b"\r\n--b", b'"', b";", b":"]),
              st.integers(0, 4)),
)


@PROPERTY
@given(bodies, st.sampled_from(["b", '"b"', "", "b; charset=x"]), st.integers(1, 3))
def test_any_body_is_parsed_or_refused_with_coworks_error(body: bytes, boundary: str, limit: int) -> None:
    try:
        form = parse_multipart(body, "multipart/form-data; boundary=" + boundary, max_parts=limit)
    except (BadRequest, PayloadTooLarge) as exc:
        assert str(exc).endswith(".")
    else:
        assert all(isinstance(k, str) and v for k, v in form.items())
