"""The Jinja service: inline, uploaded and stored templates (a directory, and S3 through boto3
against moto), the sandbox against the usual escapes and resource bombs, limits, and errors that
name the variable or the line."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from coworks_jinja import JinjaBlueprint, JinjaService, money
from coworks_jinja.filters import FilterError, date
from hypothesis import given, settings
from hypothesis import strategies as st

from coworks import TechMicroService, entry


def render(body: dict[str, Any], app: JinjaService | None = None) -> Any:
    return (app or JinjaService()).test_client().post("/render", json=body)


def test_inline_text_and_html() -> None:
    answer = render({"template": "Hi {{ name }} & co", "context": {"name": "<Ann>"}})
    assert (answer.status_code, answer.text, answer.headers["content-type"]) == (
        200, "Hi <Ann> & co", "text/plain; charset=utf-8")
    answer = render({"template": "<p>{{ name }}</p>{{ safe | safe }}", "context": {"name": "<Ann>", "safe": "<b>"},
                     "output": "html"})
    assert (answer.text, answer.headers["content-type"]) == ("<p>&lt;Ann&gt;</p><b>", "text/html; charset=utf-8")


def test_an_uploaded_template() -> None:
    answer = JinjaService().test_client().post("/render", data={"context": json.dumps({"who": "you"})},
                                               files={"file": ("t.txt", b"Hello {{ who }}\n")})
    assert (answer.status_code, answer.text) == (200, "Hello you\n")
    bad = JinjaService().test_client().post("/render", files={"file": ("t.txt", b"\xff\xfe")})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "file"


def test_stored_templates_from_a_directory(template_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINJA_TEMPLATES", str(template_dir))
    answer = render({"template_name": "welcome.html", "context": {"name": "Ann", "shop": "B&B"}, "output": "html"})
    assert answer.text == "<h1>B&amp;B</h1><p>Hello Ann</p>"
    inline_include = render({"template": "{% include 'header.html' %}!", "context": {"shop": "S"}})
    assert inline_include.text == "<h1>S</h1>!"
    for name in ("nope.html", "../etc/passwd", "/etc/passwd"):
        missing = render({"template_name": name})
        assert missing.status_code == 404, name
    broken = render({"template_name": "broken.html"})
    assert broken.status_code == 422 and broken.json()["errors"][0] == {
        "field": "template_name", "location": "body", "line": 2,
        "message": "broken.html, line 2: syntax error: Expected an expression, got 'end of statement block'"}


def test_stored_templates_from_s3_through_boto3() -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="shop-templates")
        s3.put_object(Bucket="shop-templates", Key="mail/invoice.txt", Body=b"Total {{ total | money('USD') }}")
        s3.put_object(Bucket="shop-templates", Key="mail/base.txt", Body=b"[{% block b %}{% endblock %}]")
        s3.put_object(Bucket="shop-templates", Key="mail/child.txt",
                      Body=b"{% extends 'base.txt' %}{% block b %}child{% endblock %}")
        app = JinjaService(environ={"JINJA_TEMPLATES": "s3://shop-templates/mail/"})
        assert render({"template_name": "invoice.txt", "context": {"total": 12}}, app).text == "Total $12.00"
        assert render({"template_name": "child.txt"}, app).text == "[child]"
        assert render({"template_name": "other.txt"}, app).status_code == 404
        assert app.test_client().get("/").json()["templates"] == "s3://shop-templates/mail/"
        nobucket = JinjaService(environ={"JINJA_TEMPLATES": "s3://no-such-bucket/"})
        answer = render({"template_name": "x.txt"}, nobucket)
        assert answer.status_code == 500 and "NoSuchBucket" in answer.text


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ ''|attr('__class__') }}",
    "{{ '{0.__class__.__base__}'.format(1) }}",
    "{{ range.__self__ }}",
    "{{ x.__class__ }}",
    "{% set l = [] %}{{ l.append(1) }}",
    "{{ {}.update(a=1) }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "{{ config }}{{ request }}",
    "{{ lipsum.__globals__ }}",
    "{{ x.mro() }}",
    "{{ dict.__base__ }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_the_sandbox_holds_against_the_usual_escapes(source: str) -> None:
    answer = render({"template": source, "context": {"x": "text"}})
    assert answer.status_code == 422, answer.text
    assert "subclasses" not in answer.text.replace(source, "") and "<class" not in answer.text
    assert answer.json()["errors"][0]["field"] == "template"


BOMBS = [
    "{{ 'x' * 100000000 }}",
    "{{ 100000000 * 'x' }}",
    "{{ [1] * 100000000 }}",
    "{{ 9 ** 999999999 }}",
    "{{ '%999999999s' % 1 }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ 'x'.center(999999999) }}",
    "{{ 'x'.ljust(999999999) }}",
    "{{ 'x' | center(999999999) }}",
    "{{ 'x' | indent(999999999) }}",
    "{{ '%999999999d' | format(1) }}",
    "{{ range(10000000) | list }}",
    "{% for i in range(100000) %}{{ 'xxxxxxxxxxxxxxxxxxxx' }}{% endfor %}",
    "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
    # doubling, each step under the limit but not the result: memory, not output, is what they aim at
    "{% set a = 'x' * 90000 %}{% set b = a ~ a %}{{ b | length }}",
    "{% set a = 'x' * 60000 %}{{ (a + a) | length }}",
    "{% set a = 'x' * 60000 %}{{ [a, a] | join | length }}",
    "{% set a = 'x' * 60000 %}{{ ''.join([a, a]) | length }}",
    "{% set a = 'x' * 400 %}{{ a.replace('x', a) | length }}",
    "{% set a = 'x' * 400 %}{{ a | replace('x', a) | length }}",
    "{% set a = 'x' * 60000 %}{{ ('%s%s' % (a, a)) | length }}",
    "{% set a = 'x' * 60000 %}{{ '{}{}'.format(a, a) | length }}",
    "{% set l = [1] * 60000 %}{{ (l + l) | length }}",
    "{% macro d(s, n) %}{% if n %}{% set t %}{{ s }}{{ s }}{% endset %}{{ d(t, n - 1) }}{% else %}{{ s | length }}"
    "{% endif %}{% endmacro %}{{ d('x', 40) }}",
    "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% endif %}{% endmacro %}{{ d('x', 40) }}",
]


def test_the_guarded_operations_still_work_within_the_limit() -> None:
    source = ("{% set a = 'ab' %}{{ a ~ a }} {{ a + a }} {{ a * 2 }} {{ [1, 2] | join(',') }} "
              "{{ a | replace('b', 'c') }} {{ '{}-{}'.format(1, 2) }} {{ '%s!' % a }} {{ a.center(4, '.') }} "
              "{{ 2 ** 10 }} {{ [1] + [2] }} "
              "{% set t %}{{ a }}{{ a }}{% endset %}{{ t }} {{ ','.join(['x', 'y']) }}")
    assert render({"template": source}).text == "abab abab abab 1,2 ac 1-2 ab! .ab. 1024 [1, 2] abab x,y"
    assert render({"template": "<i>{{ a ~ b }}</i>", "context": {"a": "<", "b": "&"}, "output": "html"}).text == \
        "<i>&lt;&amp;</i>"


@pytest.mark.parametrize("source", BOMBS)
def test_resource_bombs_are_refused_not_run(source: str) -> None:
    app = JinjaService(environ={"JINJA_MAX_OUTPUT": "100000", "JINJA_MAX_SECONDS": "5"})
    answer = render({"template": source}, app)
    assert answer.status_code == 422, answer.text[:300]


def test_a_render_that_runs_too_long_is_stopped() -> None:
    environ = {"JINJA_MAX_SECONDS": "0.2"}
    app = JinjaService(environ=environ)
    silent = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    answer = render({"template": silent}, app)
    assert answer.status_code == 422 and "did not finish rendering within 0.2 s" in answer.text
    environ["JINJA_MAX_SECONDS"] = "60"  # a busy machine must not make the next check flaky
    assert render({"template": "still {{ 'fine' }}"}, app).text == "still fine"  # the thread is usable after


def test_output_over_the_limit_is_refused() -> None:
    app = JinjaService(environ={"JINJA_MAX_OUTPUT": "10"})
    assert render({"template": "0123456789"}, app).status_code == 200
    answer = render({"template": "0123456789!"}, app)
    assert answer.status_code == 422 and "more than 10 characters" in answer.text


def test_errors_name_the_variable_and_the_line() -> None:
    answer = render({"template": "line one\n{{ customer.name }}", "context": {}})
    assert answer.json()["errors"] == [{"field": "template", "location": "body", "line": 2,
                                        "message": "line 2: 'customer' is undefined"}]
    answer = render({"template": "a\nb\n{% for x in %}"})
    assert answer.json()["errors"][0]["line"] == 3 and "syntax error" in answer.text
    answer = render({"template": "\n\n{{ 1 / 0 }}"})
    assert answer.json()["errors"][0]["line"] == 3 and "ZeroDivisionError" in answer.text
    answer = render({"template": "{{ 'abc' | money }}"})
    assert answer.status_code == 422 and "money expects a number" in answer.text


@pytest.mark.parametrize("body", [
    {}, {"template": "x", "template_name": "y"}, {"template": 3}, {"template": "x", "context": []},
    {"template": "x", "output": "pdf"}, {"template": "x", "extra": 1}, {"template": "x" * 300_000},
])
def test_malformed_requests_are_422(body: dict[str, Any]) -> None:
    assert render(body).status_code == 422


def test_money_and_dates() -> None:
    assert money(1234.5) == "€1,234.50"
    assert money("1234.565", "USD") == "$1,234.57"
    assert money(-3, "GBP") == "-£3.00"
    assert money(1234567, "JPY") == "¥1,234,567"
    assert money(1234.5, "EUR", "fr") == "1\u202f234,50\u00a0€"
    assert money(1234.5, "EUR", "de") == "1.234,50\u00a0€"
    assert money(2, "XYZ") == "XYZ\u00a02.00"
    for bad in (True, "abc", float("nan"), float("inf"), 10**30):
        with pytest.raises(FilterError):
            money(bad)
    assert date("2024-03-01T10:00:00Z", "%d/%m/%Y") == "01/03/2024"
    assert date(dt.date(2024, 3, 1)) == "2024-03-01"
    assert date(0) == "1970-01-01"
    with pytest.raises(FilterError):
        date("yesterday")
    answer = render({"template": "{{ d | datetime('%H:%M') }} {{ d | date }}", "context": {"d": "2024-03-01 08:30"}})
    assert answer.text == "08:30 2024-03-01"


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2, allow_nan=False))
def test_money_keeps_every_digit(amount: Decimal) -> None:
    text = money(amount, "EUR")
    assert Decimal(text.replace("€", "").replace(",", "")) == amount


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4))
def test_any_template_text_is_an_answer_never_a_500(source: str, context: dict[str, str]) -> None:
    answer = render({"template": source, "context": context})
    assert answer.status_code in (200, 404, 422), answer.text


def test_as_a_blueprint_and_from_a_workflow() -> None:
    from coworks.biz import Ref, Task, Workflow

    class Shop(TechMicroService):
        requirements = JinjaBlueprint.requirements

        @entry
        def get(self) -> str:
            return "open"

    app = Shop("shop")
    blueprint = JinjaBlueprint()
    app.register_blueprint(blueprint, "/jinja")
    assert app.test_client().post("/jinja/render", json={"template": "{{ 1 + 1 }}"}).text == "2"
    task = Task(blueprint.render, template="Dear {{ name }}", context=Ref("$.customer"), result_path="$.letter")
    wf = Workflow("letters", task)
    asl = wf.to_asl()
    state = asl["States"]["render"]
    assert state["Parameters"]["FunctionName"] == "shop"
    assert state["Parameters"]["Payload"]["path"] == "/jinja/render"
    ex = wf.run_local({"customer": {"name": "Ann"}}, services=[app])
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output["letter"]["body"] == "Dear Ann"


def test_openapi() -> None:
    doc = JinjaService().openapi()
    operation = doc["paths"]["/render"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(operation["requestBody"]["content"])
    assert {"404", "422"} <= set(operation["responses"])
