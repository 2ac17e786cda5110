"""``read_logs`` / ``follow_logs`` against the control plane's CloudWatch Logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coworks.cloud.clients import Clients
from coworks.cloud.errors import CloudError
from coworks.cloud.logs.patterns import FilterPatternError
from coworks.cloud.logs.reader import follow_logs, read_logs

pytestmark = pytest.mark.localcloud

NOW = datetime.now(UTC).replace(microsecond=0)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture(scope="module")
def clients(front_door: Any) -> Iterator[Clients]:
    import boto3

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    found = Clients(session, front_door.url)
    logs = found.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/logshop-dev")
    for stream in ("2026/11/30/[1]aaaa", "2026/11/30/[1]bbbb"):
        logs.create_log_stream(logGroupName="/aws/lambda/logshop-dev", logStreamName=stream)
    events = [
        ("2026/11/30/[1]aaaa", NOW - timedelta(hours=3), "old line"),
        ("2026/11/30/[1]aaaa", NOW - timedelta(minutes=10), json.dumps({"level": "INFO", "status": 200})),
        ("2026/11/30/[1]bbbb", NOW - timedelta(minutes=9), json.dumps({"level": "ERROR", "status": 500})),
        ("2026/11/30/[1]aaaa", NOW - timedelta(minutes=8), "ERROR something broke"),
        ("2026/11/30/[1]bbbb", NOW - timedelta(minutes=7), "all good"),
    ]
    for stream, moment, message in events:
        logs.put_log_events(logGroupName="/aws/lambda/logshop-dev", logStreamName=stream,
                            logEvents=[{"timestamp": ms(moment), "message": message}])
    yield found
    # moto's backends are the process's: an untagged group left here would refuse a later deploy of
    # a service with that function name.
    logs.delete_log_group(logGroupName="/aws/lambda/logshop-dev")


def test_relative_range_interleaves_streams_oldest_first(clients: Clients) -> None:
    records = read_logs(clients, "logshop", stage="dev", since="15m", now=NOW)
    assert [r.message.split()[0] for r in records][-2:] == ["ERROR", "all"]
    assert len(records) == 4 and "old line" not in [r.message for r in records]
    assert records[0].json == {"level": "INFO", "status": 200}
    assert {r.stream for r in records} == {"2026/11/30/[1]aaaa", "2026/11/30/[1]bbbb"}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("ERROR", ['{"level": "ERROR", "status": 500}', "ERROR something broke"]),
        ('"something broke"', ["ERROR something broke"]),
        ("?broke ?good", ["ERROR something broke", "all good"]),
        ("-ERROR", None),  # every non-ERROR line of the range: checked below
        ('{ $.level = "ERROR" }', ['{"level": "ERROR", "status": 500}']),
        ("{ $.status >= 200 && $.status < 300 }", ['{"level": "INFO", "status": 200}']),
        ("[word, rest]", None),
    ],
)
def test_filter_patterns_match_as_cloudwatch_does(clients: Clients, pattern: str, expected: list[str] | None) -> None:
    records = read_logs(clients, "/aws/lambda/logshop-dev", since="15m", pattern=pattern, now=NOW)
    messages = [r.message for r in records]
    if pattern == "-ERROR":
        assert messages == ['{"level": "INFO", "status": 200}', "all good"]
    elif pattern.startswith("["):
        assert messages == ["all good"]  # exactly two space-delimited fields
    else:
        assert messages == expected


def test_absolute_iso_range(clients: Clients) -> None:
    since = (NOW - timedelta(hours=4)).isoformat()
    until = (NOW - timedelta(hours=2)).isoformat()
    records = read_logs(clients, "logshop-dev", since=since, until=until, now=NOW)
    assert [r.message for r in records] == ["old line"]


def test_unknown_target_and_bad_pattern_are_one_sentence(clients: Clients) -> None:
    with pytest.raises(CloudError, match="No logs for 'ghost'"):
        read_logs(clients, "ghost", now=NOW)
    with pytest.raises(FilterPatternError):
        read_logs(clients, "logshop", pattern='{ $.level = }', now=NOW)


def test_follow_yields_each_event_once_as_they_arrive(clients: Clients) -> None:
    logs = clients.client("logs")
    sleeps: list[float] = []
    written = iter(range(3))

    def sleep(seconds: float) -> None:  # the injected clock: each "wait" lets one new event in
        sleeps.append(seconds)
        n = next(written, None)
        if n is not None:
            logs.put_log_events(logGroupName="/aws/lambda/logshop-dev", logStreamName="2026/11/30/[1]bbbb",
                                logEvents=[{"timestamp": ms(NOW - timedelta(minutes=5)), "message": f"new {n}"}])

    seen = [r.message for r in follow_logs(clients, "logshop", since="7m30s", now=NOW, sleep=sleep, polls=5)]
    assert seen == ["all good", "new 0", "new 1", "new 2"]
    assert len(sleeps) == 4
