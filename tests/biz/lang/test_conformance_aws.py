"""The languages as AWS documents them: intrinsic functions' arithmetic, formatting and escapes
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html), JSONata's
undefined (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html) and what
validation accepts (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html,
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coworks.biz.errors import StatesError
from coworks.biz.lang.intrinsics import compile_intrinsic, unescape
from coworks.biz.lang.jsonata import evaluate
from coworks.biz.lang.validation import check


def call(text: str, data: object = None) -> object:
    return compile_intrinsic(text)(data, {}, {})


@given(st.integers(-10**9, 10**9), st.integers(-10**9, 10**9))
def test_math_add_of_integers_is_their_sum(a: int, b: int) -> None:
    assert call("States.MathAdd($.a, $.b)", {"a": a, "b": b}) == a + b


@given(st.integers(-10**6, 10**6))
def test_math_add_rounds_halves_up_as_java_does(n: int) -> None:
    assert call("States.MathAdd($.a, 0)", {"a": n + 0.5}) == n + 1  # -2.5 is -2, 2.5 is 3
    assert call("States.MathAdd($.a, 0)", {"a": n + 0.25}) == n


def test_math_add_refuses_what_is_not_a_number() -> None:
    with pytest.raises(StatesError, match="States.IntrinsicFailure"):
        call("States.MathAdd($.a, 1)", {"a": "1"})
    assert math.floor(-2.5 + 0.5) == -2


@given(st.text(alphabet="ab{}\\'", max_size=12))
def test_an_escaped_literal_reads_back_as_written(text: str) -> None:
    escaped = "".join("\\" + c if c in "{}\\'" else c for c in text)
    assert unescape(escaped) == text
    assert call(f"States.Array('{escaped}')") == [text]


def test_format_placeholders_and_escaped_braces() -> None:
    assert call(r"States.Format('\{\} {} \\ {}', 1, 'x')") == r"{} 1 \ x"
    assert call("States.Format($.t, 2)", {"t": "n={} \\"}) == "n=2 \\"  # a template from the input has no escapes
    with pytest.raises(StatesError, match="2 placeholders but 1 arguments"):
        call("States.Format('{} {}', 1)")


def test_string_to_json_of_blank_text_is_null() -> None:
    assert call("States.StringToJson($.s)", {"s": ""}) is None
    assert call("States.StringToJson($.s)", {"s": '{"a": [1]}'}) == {"a": [1]}


def test_undefined_and_null_differ() -> None:
    bindings = {"states": {"input": {"a": None}}}
    assert evaluate("$states.input.a", bindings) is None
    with pytest.raises(StatesError, match=r"The JSONata expression '\$states.input.b' returned nothing \(undefined\)"):
        evaluate("$states.input.b", bindings)


def test_validation_accepts_a_constant_condition_and_a_legacy_iterator_with_processor_config() -> None:
    choice = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": False, "Next": "E"}], "Default": "E"},
        "E": {"Type": "Succeed"}}}
    assert check(choice) == []
    legacy = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "Iterator": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    assert check(legacy) == []
    bad = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "yes", "Next": "E"}]}, "E": {"Type": "Succeed"}}}
    assert [p.path for p in check(bad)] == ["States.C.Choices[0].Condition"]
