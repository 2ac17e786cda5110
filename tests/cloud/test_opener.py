"""Which cloud: real AWS only when asked for, the shared local cloud when it runs, else a sentence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from coworks.cloud import AwsCloud, ConfigurationError
from coworks.cloud.local.shared import endpoint_file
from coworks.cloud.opener import describe, open_cloud


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every AwsCloud made, recorded before it can reach anything."""
    made: list[Any] = []
    original = AwsCloud.__init__

    def record(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append((args, kwargs))
        original(self, *args, **kwargs)

    monkeypatch.setattr(AwsCloud, "__init__", record)
    return made


def test_asked_for_nothing_with_no_shared_cloud_opens_none_and_says_how(no_aws: list[Any],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "work")  # set for every other tool: not a request for AWS
    with pytest.raises(ConfigurationError) as caught:
        open_cloud()
    assert "`cws cloud`" in str(caught.value) and "open_cloud('aws')" in str(caught.value)
    assert no_aws == []
    with pytest.raises(ConfigurationError, match="--aws, --profile NAME or --region NAME"):
        open_cloud(flags=True)  # the command line's words: its flags, no Python
    with pytest.raises(ConfigurationError) as caught:
        open_cloud(flags=True)
    assert "open_cloud" not in str(caught.value)


def test_a_stale_endpoint_file_is_reported_and_kept(no_aws: list[Any]) -> None:
    endpoint_file().parent.mkdir(parents=True, exist_ok=True)
    endpoint_file().write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 2 ** 22 + 1}))
    said: list[str] = []
    with pytest.raises(ConfigurationError, match="no shared local cloud runs"):
        open_cloud(say=said.append)
    assert len(said) == 1 and "http://127.0.0.1:9" in said[0] and "does not answer" in said[0]
    assert endpoint_file().exists() and no_aws == []


@pytest.mark.parametrize("asked", [{"aws": True}, {"profile": None, "region": "eu-west-3"}, {"name": "aws"}])
def test_aws_when_asked_for(asked: dict[str, Any], no_aws: list[Any]) -> None:
    cloud = open_cloud(**asked)
    assert type(cloud) is AwsCloud and len(no_aws) == 1


def test_the_environment_setting_chooses_and_a_wrong_one_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COWORKS_CLOUD", "aws")
    assert type(open_cloud()) is AwsCloud
    monkeypatch.setenv("COWORKS_CLOUD", "azure")
    with pytest.raises(ConfigurationError, match=r"Unknown cloud 'azure' in \$COWORKS_CLOUD"):
        open_cloud()


def test_an_aws_cloud_is_described_by_its_account_and_region() -> None:
    from moto import mock_aws

    with mock_aws():
        assert describe(open_cloud(aws=True)) == "AWS account 123456789012 in us-east-1"


@pytest.mark.localcloud
def test_the_shared_cloud_is_used_when_it_runs(cloud: Any, no_aws: list[Any]) -> None:
    import os

    endpoint_file().parent.mkdir(parents=True, exist_ok=True)
    endpoint_file().write_text(json.dumps({"url": cloud.endpoint_url, "pid": os.getpid()}))
    try:
        opened = open_cloud()
        assert opened.endpoint_url == cloud.endpoint_url
        assert describe(opened) == f"local at {cloud.endpoint_url} (shared, `cws cloud`)"
    finally:
        endpoint_file().unlink()


def test_the_shared_cloud_warms_every_service_a_plan_reads_before_it_announces_itself() -> None:
    from coworks.cloud.clients import SERVICES
    from coworks.cloud.local.shared import _WARM_READS

    # each first call through the front door builds moto's backend for its service: seconds that
    # fell on the user's first `cws plan` (12 s measured) unless the server made it at start
    assert set(SERVICES) <= {service for service, _, _ in _WARM_READS}
    assert all(method.startswith(("get_", "list_", "describe_")) for _, method, _ in _WARM_READS)  # reads only
