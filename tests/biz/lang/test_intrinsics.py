"""The eighteen intrinsic functions, with the examples of the AWS documentation."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest

from coworks.biz import Workflow
from coworks.biz.errors import StatesError
from coworks.biz.lang.intrinsics import ARITY, compile_intrinsic

from ..support import corpus


def call(expression: str, data: Any = None) -> Any:
    return compile_intrinsic(expression)(data if data is not None else {}, {}, {})


def test_there_are_eighteen() -> None:
    assert len(ARITY) == 18


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ("States.Format('Hello, my name is {}.', $.name)", {"name": "Arnav"}, "Hello, my name is Arnav."),
        ("States.Format('{} + {} = {}', 1, 2.5, true)", None, "1 + 2.5 = true"),
        ("States.Format('a \\{literal\\} {}', 'x')", None, "a {literal} x"),
        ("States.StringToJson($.s)", {"s": '{"number": 20}'}, {"number": 20}),
        ("States.JsonToString($.o)", {"o": {"name": "Foo", "year": 2020}}, '{"name":"Foo","year":2020}'),
        ("States.Array('Foo', 2020, $.o, null)", {"o": {"a": 1}}, ["Foo", 2020, {"a": 1}, None]),
        ("States.ArrayPartition($.a, 4)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
        ("States.ArrayContains($.a, $.v)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "v": 5}, True),
        ("States.ArrayRange(1, 9, 2)", None, [1, 3, 5, 7, 9]),
        ("States.ArrayGetItem($.a, $.i)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "i": 5}, 6),
        ("States.ArrayLength($.a)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, 9),
        ("States.ArrayUnique($.a)", {"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}, [1, 2, 3, 4]),
        ("States.Base64Encode($.s)", {"s": "Data to encode"}, "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode($.s)", {"s": "RGF0YSB0byBlbmNvZGU="}, "Data to encode"),
        ("States.Hash($.s, 'SHA-1')", {"s": "input data"}, hashlib.sha1(b"input data").hexdigest()),
        (
            "States.JsonMerge($.a, $.b, false)",
            {"a": {"a": {"x": 1}, "b": 2}, "b": {"a": {"y": 3}}},
            {"a": {"y": 3}, "b": 2},
        ),
        ("States.MathAdd($.v, -1)", {"v": 111}, 110),
        ("States.StringSplit($.s, $.d)", {"s": "1,2,3,4,5", "d": ","}, ["1", "2", "3", "4", "5"]),
        ("States.StringSplit($.s, '.+,=')", {"s": "This.is+a,test=string"}, ["This", "is", "a", "test", "string"]),
        ("States.ArrayLength(States.Array(1, 2, States.MathAdd(1, 2)))", None, 3),
    ],
)
def test_documented_examples(expression: str, data: Any, expected: Any) -> None:
    assert call(expression, data) == expected


def test_random_and_uuid() -> None:
    value = call("States.MathRandom(1, 999)")
    assert 1 <= value < 999
    assert call("States.MathRandom(1, 999, 42)") == call("States.MathRandom(1, 999, 42)")
    assert uuid.UUID(call("States.UUID()")).version == 4


@pytest.mark.parametrize(
    "expression",
    [
        "States.Format('{} {}', 'one')",
        "States.ArrayGetItem($.a, 10)",
        "States.Hash('x', 'CRC')",
        "States.StringToJson('not json')",
        "States.ArrayRange(1, 5000, 1)",
        "States.Nope()",
    ],
)
def test_failures_are_intrinsic_failures(expression: str) -> None:
    with pytest.raises(StatesError) as info:
        call(expression, {"a": [1]})
    assert info.value.error == "States.IntrinsicFailure"


def test_all_in_a_workflow() -> None:
    data = {
        "name": "Ada",
        "escaped": '{"a": 1}',
        "obj": {"k": 1},
        "other": {"j": 2},
        "numbers": [1, 2, 3],
        "dupes": [1, 1, 2],
        "a": 5,
        "csv": "x,y",
    }
    ex = Workflow.from_asl(corpus()["intrinsics"]).run_local(data)
    out = ex.output
    assert ex.status == "SUCCEEDED"
    assert out["greeting"] == "Hello, my name is Ada."
    assert out["chunks"] == [[1, 2], [3]] and out["range"] == [1, 3, 5, 7, 9]
    assert out["merged"] == {"k": 1, "j": 2} and out["sum"] == 4 and out["split"] == ["x", "y"]
    assert out["plain"] == "Data" and out["b64"] == "QWRh"
