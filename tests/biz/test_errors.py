"""The biz error tree: every user mistake is a WorkflowError (a CoworksError), carrying what it is about."""

from __future__ import annotations

import pytest

from coworks.biz import Pass, Workflow, WorkflowError
from coworks.biz.errors import (
    ExpressionSyntaxError,
    IntrinsicSyntaxError,
    JsonataSyntaxError,
    PathSyntaxError,
    StateNotFoundError,
)
from coworks.biz.lang.intrinsics import parse_intrinsic
from coworks.biz.lang.jsonata import compile_jsonata
from coworks.biz.lang.paths import compile_path
from coworks.errors import CoworksError


@pytest.mark.parametrize(
    ("parse", "text", "error"),
    [
        (compile_path, "items[0]", PathSyntaxError),
        (compile_path, "$.a[?(@.b ==", PathSyntaxError),
        (parse_intrinsic, "States.Nope($.x)", IntrinsicSyntaxError),
        (parse_intrinsic, "States.Format('{}', $.a[?(@.b ==)", IntrinsicSyntaxError),
        (compile_jsonata, "$states.input.(", JsonataSyntaxError),
    ],
)
def test_syntax_errors_are_workflow_errors_and_still_value_errors(parse: object, text: str, error: type) -> None:
    with pytest.raises(error) as info:
        parse(text)  # type: ignore[operator]
    exc = info.value
    assert isinstance(exc, ExpressionSyntaxError) and isinstance(exc, WorkflowError) and isinstance(exc, CoworksError)
    assert isinstance(exc, ValueError)  # what callers caught before
    assert exc.expression == text


def test_an_unknown_state_name_is_a_workflow_error_and_a_key_error() -> None:
    wf = Workflow("w", Pass("A"))
    with pytest.raises(StateNotFoundError) as info:
        wf["Z"]
    assert isinstance(info.value, KeyError) and isinstance(info.value, WorkflowError)
    assert (info.value.workflow, info.value.state) == ("w", "Z")
    assert str(info.value) == "Workflow 'w' has no state named 'Z'."  # not quoted as a KeyError's repr
