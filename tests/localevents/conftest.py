"""Fixtures for the local events tests: dummy credentials, the sample service importable."""

from __future__ import annotations

import sys
from pathlib import Path

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
