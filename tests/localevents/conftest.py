"""Fixtures for the local events tests: dummy credentials, the sample service importable."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).parent / "samples"
if str(SAMPLES) not in sys.path:
    sys.path.insert(0, str(SAMPLES))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dummy credentials and a private COWORKS_HOME: nothing reaches a real account or a running `cws cloud`."""
    home = tmp_path_factory.mktemp("home")
    for key, value in (("COWORKS_HOME", str(home / ".coworks")), ("AWS_ACCESS_KEY_ID", "testing"),
                       ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1"),
                       ("AWS_CONFIG_FILE", str(home / "config")),
                       ("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials")),
                       ("COWORKS_CACHE", str(home / "cache"))):
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def events() -> Iterator[Any]:
    """moto's EventBridge in this process: the events client to put rules with."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        yield boto3.client("events", region_name="us-east-1")
