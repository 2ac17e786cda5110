"""Fixtures for the workflow deploy tests: the sample services and workflow, moto, call counting,
and an inventory of what a cloud holds with its Coworks tags (state machines included)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).parent / "samples"
if str(SAMPLES) not in sys.path:
    sys.path.insert(0, str(SAMPLES))

ORDERS = {"orders": [{"id": 3}, {"id": 7}, {"id": 503}]}


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dummy credentials, no profile files: nothing can reach a real account."""
    home = tmp_path_factory.mktemp("aws")
    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "us-east-1"),
                       ("AWS_CONFIG_FILE", str(home / "config")),
                       ("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials")),
                       ("COWORKS_CACHE", str(home / "cache"))):
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


class Calls:
    """Counts AWS calls by operation name, via botocore's before-call event."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, model: Any = None, **_: Any) -> None:
        self.names.append(model.name)

    @property
    def mutating(self) -> list[str]:
        from coworks.cloud.clients import is_mutating

        return [n for n in self.names if is_mutating(n)]


@functools.cache
def shared_session() -> Any:
    import boto3

    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


@pytest.fixture
def aws() -> Iterator[Any]:
    """An AwsCloud on moto in this process, the two sample services deployed at ``dev``."""
    from moto import mock_aws
    from sample_inventory import app as inventory
    from sample_invoicing import app as invoicing

    from coworks.cloud import AwsCloud

    with mock_aws():
        cloud = AwsCloud(region="us-east-1", session=shared_session(), sleep=lambda s: None)
        for service in (inventory, invoicing):
            cloud.deploy(service, stage="dev").apply()
        yield cloud


def holdings(session: Any, endpoint_url: str | None = None) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, name, tags) for every role, log group, state machine and rule."""
    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint_url)

    found: list[tuple[str, str, dict[str, str]]] = []
    iam = client("iam")
    for role in iam.list_roles()["Roles"]:
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
        found.append(("role", role["RoleName"], tags))
    logs = client("logs")
    for group in logs.describe_log_groups()["logGroups"]:
        found.append(("log group", group["logGroupName"],
                      logs.list_tags_log_group(logGroupName=group["logGroupName"])["tags"]))
    states = client("stepfunctions")
    for machine in states.list_state_machines()["stateMachines"]:
        tags = states.list_tags_for_resource(resourceArn=machine["stateMachineArn"])["tags"]
        found.append(("state machine", machine["name"], {t["key"]: t["value"] for t in tags}))
    events = client("events")
    for rule in events.list_rules()["Rules"]:
        tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]}
        found.append(("rule", rule["Name"], tags))
    return found


def tagged_for(session: Any, name: str, stage: str, endpoint_url: str | None = None) -> list[tuple[str, str]]:
    return sorted((kind, item) for kind, item, tags in holdings(session, endpoint_url)
                  if tags.get("coworks:service") == name and tags.get("coworks:stage") == stage
                  and tags.get("coworks:managed") == "true")
