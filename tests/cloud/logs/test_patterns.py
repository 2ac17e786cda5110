"""Filter patterns select the events AWS would select: the documented examples, then properties."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coworks.cloud.errors import CloudError
from coworks.cloud.logs.patterns import FilterPatternError, Pattern, compile_pattern

# The unstructured events of AWS's filter-pattern examples.
E400 = "[ERROR 400] BAD REQUEST"
E401 = "[ERROR 401] UNAUTHORIZED REQUEST"
E419 = "[ERROR 419] MISSING ARGUMENTS"
E420 = "[ERROR 420] INVALID ARGUMENTS"
E500 = "[ERROR 500] INTERNAL SERVER ERROR"
OK200 = "[SUCCESS 200] AUTHORIZED REQUEST"
UNSTRUCTURED = [E400, E401, E419, E420, E500, OK200]

# A JSON event in the shape of the documentation's example.
EVENT = json.dumps({
    "eventType": "UpdateTrail",
    "sourceIPAddress": "123.123.123.123",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
    "ThisFlag": True,
    "ThatFlag": False,
    "bandwidth": 80,
    "latency": 20,
    "refreshRate": 60,
    "responseTime": 4,
    "errorCode": 400,
    "number": [1000],
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1], [2, 3]],
})

# The space-delimited example: an Apache common-log line.
ACCESS = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'

TABLE = [
    # terms
    ("ERROR", E400, True),
    ("ERROR", OK200, False),
    ("error", E400, False),  # case-sensitive, as AWS
    ("ERROR ARGUMENTS", E419, True),
    ("ERROR ARGUMENTS", E400, False),
    ("?ERROR ?ARGUMENTS", E420, True),
    ("?ERROR ?ARGUMENTS", E500, True),
    ("?ARGUMENTS ?SERVER", E400, False),
    ('"INTERNAL SERVER ERROR"', E500, True),
    ('"INTERNAL SERVER ERROR"', E400, False),
    ('"SERVER INTERNAL"', E500, False),
    ("ERROR -ARGUMENTS", E400, True),
    ("ERROR -ARGUMENTS", E419, False),
    ("-ERROR", OK200, True),
    ("-ERROR", E401, False),
    ('-"BAD REQUEST"', E401, True),
    ('-"BAD REQUEST"', E400, False),
    ("AUTHORIZED", E401, True),  # a term is a substring: UNAUTHORIZED holds AUTHORIZED
    ("ERR*QUEST", E400, True),
    ("ERR*QUEST", E419, False),
    ("%AUTHORIZED%", OK200, True),
    ("%^\\[ERROR 4\\d\\d\\]%", E419, True),
    ("%^\\[ERROR 4\\d\\d\\]%", E500, False),
    ("ERROR ?MISSING ?INVALID -419", E420, True),
    ("ERROR ?MISSING ?INVALID -419", E419, False),
    ("ERROR ?MISSING ?INVALID -419", E400, False),
    ("", E400, True),
    ("   ", "", True),
    # JSON: strings, wildcards, arrays
    ('{ $.eventType = "UpdateTrail" }', EVENT, True),
    ("{ $.eventType = UpdateTrail }", EVENT, True),
    ('{ $.eventType = "Update*" }', EVENT, True),
    ('{ $.eventType = "*Trail" }', EVENT, True),
    ('{ $.eventType = "Update" }', EVENT, False),
    ('{ $.eventType != "UpdateTrail" }', EVENT, False),
    ("{ $.sourceIPAddress != 123.123.* }", EVENT, False),
    ("{ $.sourceIPAddress != 111.111.* }", EVENT, True),
    ("{ $.sourceIPAddress = 123.123.* }", EVENT, True),
    ('{ $.arrayKey[0] = "value" }', EVENT, True),
    ('{ $.arrayKey[1] = "value" }', EVENT, False),
    ('{ $.arrayKey[5] = "value" }', EVENT, False),
    ("{ $.objectList[1].id = 2 }", EVENT, True),
    ("{ $.objectList[0].id = 2 }", EVENT, False),
    ("{ $.coordinates[1][0] = 2 }", EVENT, True),
    ("{ $.eventType = %Upd.*l$% }", EVENT, True),
    # JSON: null, existence, booleans
    ("{ $.SomeObject IS NULL }", EVENT, True),
    ("{ $.eventType IS NULL }", EVENT, False),
    ("{ $.SomeOtherObject IS NULL }", EVENT, False),
    ("{ $.SomeOtherObject NOT EXISTS }", EVENT, True),
    ("{ $.SomeObject NOT EXISTS }", EVENT, False),
    ("{ $.ThisFlag IS TRUE }", EVENT, True),
    ("{ $.ThatFlag IS TRUE }", EVENT, False),
    ("{ $.ThatFlag IS FALSE }", EVENT, True),
    ("{ $.SomeOtherObject != 1 }", EVENT, False),  # a missing field compares with nothing
    # JSON: numbers
    ("{ $.bandwidth > 75 }", EVENT, True),
    ("{ $.latency < 50 }", EVENT, True),
    ("{ $.refreshRate <= 60 }", EVENT, True),
    ("{ $.refreshRate < 60 }", EVENT, False),
    ("{ $.responseTime >= 4 }", EVENT, True),
    ("{ $.errorCode = 400 }", EVENT, True),
    ("{ $.errorCode != 500 }", EVENT, True),
    ("{ $.errorCode = 4* }", EVENT, True),
    ("{ $.number[0] = 1e+3 }", EVENT, True),
    ("{ $.number[0] > 1e+3 }", EVENT, False),
    ("{ $.eventType > 3 }", EVENT, False),  # a string is not a number
    # JSON: && || and parentheses
    ('{ ($.user.id = 1 && $.users[0].email = "John.Doe@example.com") || $.actions[2] = "GET" }', EVENT, True),
    ('{ ($.user.id = 2 && $.users[0].email = "John.Doe@example.com") || $.actions[2] = "GET" }', EVENT, False),
    ('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
     EVENT, False),
    ('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = DELETE }',
     EVENT, True),
    ("{ $.latency < 50 || $.bandwidth < 50 && $.errorCode = 500 }", EVENT, True),  # && binds tighter
    ("{($.latency<50)&&($.bandwidth>=80)}", EVENT, True),
    # JSON patterns never match text that is not JSON
    ('{ $.eventType = "UpdateTrail" }', "UpdateTrail", False),
    ("{ $.x NOT EXISTS }", "not json at all", False),
    ("{ $.x NOT EXISTS }", "{broken", False),
    # space-delimited
    ("[ip, user, username, timestamp, request, status_code, bytes]", ACCESS, True),
    ("[ip, user, username, timestamp, request, status_code]", ACCESS, False),  # one field short
    ("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", ACCESS, True),
    ("[ip, user, username, timestamp, request = *png*, status_code = 4*, bytes]", ACCESS, False),
    ("[ip, user, username, timestamp, request, status_code = 4*, bytes > 1000]", ACCESS, True),
    ("[ip, user, username, timestamp, request, status_code = 4*, bytes > 2000]", ACCESS, False),
    ("[ip, user, username, timestamp, request, status_code != 404, bytes]", ACCESS, False),
    ("[ip, user, username, timestamp, request, status_code = 404, bytes <= 1534]", ACCESS, True),
    ('[ip, user, username = frank, timestamp, request = "GET /index.html HTTP/1.0", ...]', ACCESS, True),
    ("[ip = 127.0.0.1, ...]", ACCESS, True),
    ("[..., status_code = 404, bytes]", ACCESS, True),
    ("[ip, user, ..., status_code, bytes]", ACCESS, True),
    ("[..., status_code = 500, bytes]", ACCESS, False),
    ("[..., request = *html*, ...]", ACCESS, True),
    ("[ip, ..., status_code = 5* || status_code = 4*, bytes]", ACCESS, True),
    ("[ip, ..., status_code = 4* && status_code != 404, bytes]", ACCESS, False),
    ("[ip, ..., status_code >= 400 && status_code < 500, bytes]", ACCESS, True),
    ("[ip, ..., timestamp = 10/Oct/2000*, request, status_code, bytes]", ACCESS, True),
    ("[ip, ..., bytes = %^15\\d\\d$%]", ACCESS, True),
]


@pytest.mark.parametrize(("pattern", "message", "expected"), TABLE)
def test_documented_examples_select_the_same_events_as_aws(pattern: str, message: str, expected: bool) -> None:
    assert compile_pattern(pattern).matches(message) is expected


def test_pattern_kind_tells_which_form_was_parsed() -> None:
    assert compile_pattern("").kind == "all"
    assert compile_pattern(None).kind == "all"
    assert compile_pattern("ERROR").kind == "terms"
    assert compile_pattern("{ $.a = 1 }").kind == "json"
    assert compile_pattern("[a, ...]").kind == "delimited"


MALFORMED = [
    ('"unclosed phrase', 0, '"unclosed'),
    ("ERROR ?", 6, "?"),
    ("ERROR - x", 6, "-"),
    ("{ $.level = }", 12, "}"),
    ("{ level = 1 }", 2, "level"),
    ("{ $.a = 1", 9, ""),
    ("{ $.a = 1 } trailing", 12, "trailing"),
    ("{ $.latency > fast }", 14, "fast"),
    ("{ $.a IS MAYBE }", 9, "MAYBE"),
    ("{ $.a NOT THERE }", 10, "THERE"),
    ("{ $.a[x] = 1 }", 5, "[x]"),
    ("{ ($.a = 1 }", 11, "}"),
    ("{ $.a = 1 && }", 13, "}"),
    ("{ $.a }", 6, "}"),
    ("[a, b", 5, ""),
    ("[a, a]", 5, "]"),
    ("[a = 1 || b = 2]", 10, "b"),
    ("[a > big]", 5, "big]"),
    ("[a, ]", 4, "]"),
    ("%(unclosed%", 0, "%(unclosed%"),
    ("%no end", 0, "%no"),
    ('ERR"OR', 3, '"OR'),
]


@pytest.mark.parametrize(("pattern", "position", "token"), MALFORMED)
def test_malformed_pattern_is_one_sentence_naming_token_and_position(pattern: str, position: int, token: str) -> None:
    with pytest.raises(FilterPatternError) as caught:
        compile_pattern(pattern)
    error = caught.value
    assert isinstance(error, CloudError)
    assert (error.position, error.token) == (position, token)
    text = str(error)
    assert f"position {position}" in text
    assert text.count(". ") == 0 and text.endswith(".")
    assert "\n" not in text


# -- properties ------------------------------------------------------------------------------------------

_PATTERNS = [compile_pattern(row[0]) for row in TABLE]
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
_messages = st.one_of(
    st.text(),
    _json_values.map(json.dumps),
    st.lists(st.sampled_from(["404", "1534", '"GET /"', "[x y]", "frank", "-", " ", "[", '"']), max_size=10).map(
        " ".join
    ),
)


@settings(max_examples=150, deadline=None)
@given(_messages)
def test_matching_never_fails_on_any_message(message: str) -> None:
    for pattern in _PATTERNS:
        assert pattern.matches(message) in (True, False)


_words = st.text(st.sampled_from("abcXYZ019_.:/@"), min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(_words, st.text(st.sampled_from("abcXYZ019_.:/@ \n-"), max_size=30))
def test_term_matches_iff_it_is_a_case_sensitive_substring(term: str, message: str) -> None:
    assert compile_pattern(term).matches(message) is (term in message)
    assert compile_pattern(f'"{term}"').matches(message) is (term in message)
    assert compile_pattern(f"-{term}").matches(message) is (term not in message)


@settings(max_examples=100, deadline=None)
@given(st.lists(_words, min_size=1, max_size=4), st.text(st.sampled_from("abcXYZ019 "), max_size=30))
def test_term_lists_are_and_question_marks_are_or(terms: list[str], message: str) -> None:
    assert compile_pattern(" ".join(terms)).matches(message) is all(t in message for t in terms)
    assert compile_pattern(" ".join("?" + t for t in terms)).matches(message) is any(t in message for t in terms)


_pattern_chars = st.sampled_from(list('{}[]()$.=!<>&|"%*?-, \\') + ["&&", "||", "...", "IS", "NULL", "NOT EXISTS"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(_pattern_chars, st.text("ab1", max_size=2)), max_size=16).map("".join)))
def test_malformed_patterns_raise_only_filter_pattern_error(text: str) -> None:
    try:
        pattern = compile_pattern(text)
    except FilterPatternError as error:
        assert 0 <= error.position <= len(text)
        return
    assert isinstance(pattern, Pattern)
    pattern.matches(text)
