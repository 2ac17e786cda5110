"""Payload templates: ``"key.$"`` entries read a path or call an intrinsic; constants stay as they are."""

from __future__ import annotations

from coworks.biz.lang.templates import compile_expression, compile_template


def test_static_templates_are_returned_as_they_are() -> None:
    template = {"a": 1, "nested": {"list": [1, {"b": "c"}]}}
    assert compile_template(template)({"x": 1}, {}, {}) is template


def test_dynamic_entries_read_input_context_and_variables() -> None:
    template = {
        "id.$": "$.id",
        "run.$": "$$.Execution.Name",
        "limit.$": "$limit",
        "greeting.$": "States.Format('hi {}', $.name)",
        "fixed": "$.not-a-path",
        "deep": [{"n.$": "$.id"}, 2],
    }
    value = compile_template(template)({"id": 7, "name": "Ann"}, {"Execution": {"Name": "e1"}}, {"limit": 3})
    assert value == {
        "id": 7,
        "run": "e1",
        "limit": 3,
        "greeting": "hi Ann",
        "fixed": "$.not-a-path",
        "deep": [{"n": 7}, 2],
    }


def test_an_expression_is_a_path_or_an_intrinsic_call() -> None:
    assert compile_expression("$.a.b")({"a": {"b": 2}}, {}, {}) == 2
    assert compile_expression("States.ArrayLength($.items)")({"items": [1, 2, 3]}, {}, {}) == 3
