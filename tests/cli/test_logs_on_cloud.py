"""``cws logs``: prefixes, colour, pretty JSON, patterns and follow, on a LocalCloud that served calls."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from coworks.cli import options as commands
from coworks.cli.app import cli

pytestmark = pytest.mark.localcloud

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def called(probe: Any) -> Any:
    """The probe after one good and one failing call."""
    requests.get(probe.url + "/echo/7", params={"tag": "cli"}, timeout=10)
    requests.get(probe.url + "/boom", timeout=10)
    return probe


def cws(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_records_come_with_their_stream_and_pretty_json(cloud: Any, called: Any) -> None:
    shown = cws("logs", "probe", "--stage", "dev", "--since", "10m", "--endpoint-url", cloud.endpoint_url)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    echo = next(line for line in lines if line.endswith("echo 7 cli"))
    assert re.match(r"^\d\d:\d\d:\d\d\.\d{3} \[\d+\][0-9a-f]{6} echo 7 cli$", echo)
    assert any(" START RequestId: " in line for line in lines) and any(" REPORT RequestId: " in line for line in lines)
    opening = lines.index(next(line for line in lines if re.search(r"\][0-9a-f]{6} \{$", line)))
    assert lines[opening + 1].strip().startswith('"level": ')  # one field per line, under the prefix
    assert lines[opening + 1].startswith(" " * 24)
    assert not ANSI.search(shown.output)  # no terminal, no colour


def test_colour_marks_errors_and_streams(cloud: Any, called: Any) -> None:
    shown = cws("logs", "probe", "--since", "10m", "--color", "--pattern", "?ERROR ?echo",
                "--endpoint-url", cloud.endpoint_url)
    assert shown.exit_code == 0, shown.output
    assert "\x1b[31m" in shown.output  # red errors
    assert "\x1b[36m" in shown.output  # the first stream's colour
    plain = ANSI.sub("", shown.output)
    assert "echo 7 cli" in plain and "START RequestId" not in plain  # the pattern is applied, locally


def test_an_unknown_target_is_one_sentence(cloud: Any) -> None:
    shown = CliRunner().invoke(cli, ["logs", "ghost", "--endpoint-url", cloud.endpoint_url])
    assert shown.exit_code == 1 and "Error: No logs for 'ghost'" in shown.output


def test_follow_prints_until_interrupted(cloud: Any, probe: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    before, during = uuid.uuid4().hex, uuid.uuid4().hex
    requests.get(probe.url + "/echo/9", params={"tag": before}, timeout=10)
    polls: list[float] = []

    def interrupt_after_two_polls(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 1:  # a call between the first and the second poll must show up once
            requests.get(probe.url + "/echo/8", params={"tag": during}, timeout=10)
            return
        raise KeyboardInterrupt

    opened = commands.open_cloud

    def with_fake_sleep(*args: Any) -> Any:
        opened_cloud = opened(*args)
        opened_cloud.sleep = interrupt_after_two_polls
        return opened_cloud

    monkeypatch.setattr(commands, "open_cloud", with_fake_sleep)
    shown = cws("logs", "probe", "--since", "10m", "--follow", "--endpoint-url", cloud.endpoint_url)
    assert shown.exit_code == 0, shown.output
    assert len(polls) == 2
    assert shown.output.count(f"echo 9 {before}") == 1 and shown.output.count(f"echo 8 {during}") == 1
