"""JSONPath: the fast reader of simple paths agrees with jsonpath-ng; ResultPath copies on write."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonpath_ng.ext import parse

from coworks.biz.errors import PathSyntaxError, StatesError
from coworks.biz.lang.paths import compile_path, put

keys = st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=6)
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
documents = st.recursive(
    leaves,
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(keys, inner, min_size=1, max_size=3),
    max_leaves=10,
)


@st.composite
def document_and_path(draw: Any) -> tuple[Any, str]:
    """A document and a path to one of its nodes, in dot or bracket notation."""
    doc = draw(documents)
    node, path = doc, "$"
    while isinstance(node, dict | list) and draw(st.booleans()):
        if isinstance(node, dict):
            key = draw(st.sampled_from(sorted(node)))
            path += draw(st.sampled_from([f".{key}", f"['{key}']"]))
            node = node[key]
        else:
            index = draw(st.integers(0, len(node) - 1))
            path += f"[{index}]"
            node = node[index]
    return doc, path


@settings(max_examples=300, deadline=None)
@given(document_and_path())
def test_simple_paths_agree_with_jsonpath_ng(case: tuple[Any, str]) -> None:
    doc, text = case
    path = compile_path(text)
    assert path.simple
    expected = [m.value for m in parse(text).find(doc)]
    assert [path.get(doc, {}, {})] == expected


def test_complex_paths_go_to_jsonpath_ng() -> None:
    doc = {"items": [{"id": 1, "ok": True}, {"id": 2, "ok": False}, {"id": 3, "ok": True}]}
    assert compile_path("$.items[*].id").get(doc, {}, {}) == [1, 2, 3]
    assert compile_path("$.items[?(@.ok == true)].id").get(doc, {}, {}) == [1, 3]
    assert compile_path("$..id").get(doc, {}, {}) == [1, 2, 3]
    assert compile_path("$.items[0:2].id").get(doc, {}, {}) == [1, 2]


def test_roots_context_and_variables() -> None:
    assert compile_path("$$.Execution.Name").get({}, {"Execution": {"Name": "n"}}, {}) == "n"
    assert compile_path("$total.sum").get({}, {}, {"total": {"sum": 3}}) == 3
    with pytest.raises(StatesError, match="variable 'nope' is not defined"):
        compile_path("$nope").get({}, {}, {})
    with pytest.raises(StatesError, match=r"Invalid path '\$.a.b' : No results for path: \$\['a'\]\['b'\]"):
        compile_path("$.a.b").get({"a": 1}, {}, {})


def test_malformed_paths() -> None:
    for bad in ("a.b", "$.a[?(@.b==", "$[", 3):
        with pytest.raises(PathSyntaxError):
            compile_path(bad)  # type: ignore[arg-type]


def test_put_copies_on_write_and_creates_objects() -> None:
    data = {"a": {"b": 1}, "keep": [1]}
    out = put(data, compile_path("$.a.c.d"), 5)
    assert out == {"a": {"b": 1, "c": {"d": 5}}, "keep": [1]}
    assert data == {"a": {"b": 1}, "keep": [1]}
    assert out["keep"] is data["keep"]
    assert put(data, compile_path("$"), 7) == 7
    assert put({"l": [0, 1]}, compile_path("$.l[1]"), 9) == {"l": [0, 9]}
    for bad_data, bad_path in (("text", "$.a"), ({"l": [0]}, "$.l[3]")):
        with pytest.raises(StatesError) as info:
            put(bad_data, compile_path(bad_path), 1)
        assert info.value.error == "States.ResultPathMatchFailure"


def test_a_path_field_holding_other_json_is_a_syntax_error() -> None:
    for value in ([], {"a": 1}, 3, None):
        with pytest.raises(PathSyntaxError, match="starts with"):
            compile_path(value)
