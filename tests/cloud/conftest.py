"""Fixtures for the cloud tests: services defined like notebook cells, moto, call counting."""

from __future__ import annotations

import functools
import itertools
import linecache
from typing import Any

import pytest

_cells = itertools.count(1)

SAMPLE = '''
from coworks import TechMicroService, entry, schedule

class Inventory(TechMicroService):
    """Stock of items."""

    @entry
    def get(self):
        return "ready"

    @entry
    def get_item(self, item_id: int):
        return {"id": item_id}

    @entry
    def post_item(self, *, name: str, qty: int = 0):
        return {"name": name, "qty": qty}, 201
'''


def cell(code: str, name: str | None = None) -> Any:
    """Run ``code`` the way IPython runs a cell (source registered in linecache) and return ``app``.

    ``name`` names the instance; without it the code must create ``app`` itself.
    """
    filename = f"<ipython-input-{next(_cells)}-cloudtest>"
    if name is not None:
        cls = next(line.split()[1].split("(")[0] for line in code.splitlines() if line.startswith("class "))
        code = code + f"\napp = {cls}({name!r})\n"
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(code, filename, "exec"), namespace)
    return namespace["app"]


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dummy credentials, no profile files, no shared local cloud: nothing can reach a real account."""
    home = tmp_path_factory.mktemp("aws")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("COWORKS_CACHE", str(home / "cache"))
    monkeypatch.setenv("COWORKS_HOME", str(home / "coworks"))  # a developer's `cws cloud` stays out of it


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


@pytest.fixture
def calls() -> Calls:
    return Calls()


@functools.cache
def shared_session() -> Any:
    """One boto3 session per test process: it keeps the service models it has loaded (about a
    fifth of a second per service), and moto intercepts its clients like any other."""
    import boto3

    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def moto_cloud() -> Any:
    from coworks.cloud import AwsCloud

    return AwsCloud(region="us-east-1", session=shared_session(), sleep=lambda s: None)


@pytest.fixture
def aws() -> Any:
    """An AwsCloud on moto in this process; time never passes for real."""
    from moto import mock_aws

    with mock_aws():
        yield moto_cloud()
