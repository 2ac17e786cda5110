"""A LocalCloud per module with the probe service deployed from a module file, as a user would."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PROBE = '''
import os
import time

from coworks import TechMicroService, entry


class Probe(TechMicroService):
    """Answers with what the local cloud gives it."""

    timeout = 1

    @entry
    def get_pid(self):
        return {"pid": os.getpid(), "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}

    @entry
    def get_echo(self, n: int, *, tag: str = ""):
        print(f"echo {n} {tag}")
        return {"n": n, "tag": tag}

    @entry
    def get_environment(self):
        return {"endpoint": os.environ.get("AWS_ENDPOINT_URL", ""), "path": os.environ.get("PATH", "")}

    @entry
    def get_sleep(self):
        print("going to sleep")
        time.sleep(5)
        return "woke up"

    @entry
    def get_boom(self):
        print('{"level": "ERROR", "what": "about to fail"}')
        raise ValueError("kaboom")


app = Probe("probe")
'''

_modules = itertools.count(1)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dummy credentials and a private COWORKS_HOME: a developer's running `cws cloud` stays out of it."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COWORKS_HOME", str(home / ".coworks"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    monkeypatch.setenv("COWORKS_CACHE", str(home / "cache"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def write_module(directory: Path, source: str = PROBE) -> str:
    """The source as an importable module in ``directory``; its ``module:app`` string."""
    name = f"probe_{next(_modules)}"
    (directory / f"{name}.py").write_text(source)
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    return f"{name}:app"


@pytest.fixture(scope="session")
def cloud() -> Iterator[Any]:
    from coworks.cloud import LocalCloud

    with LocalCloud(sleep=lambda s: None) as local:  # no shared cloud in this COWORKS_HOME: embedded
        yield local


@pytest.fixture(scope="session")
def probe_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("probe")
    target = write_module(directory)
    yield target
    sys.modules.pop(target.partition(":")[0], None)


@pytest.fixture
def probe(cloud: Any, probe_target: str) -> Any:
    """The probe service deployed at stage dev (its Deployment), deployed again when it is gone.

    moto's backends are global to the process: an in-process ``mock_aws`` test that ran on the
    same xdist worker since the last test reset them, and another module may have updated it.
    """
    deployment = cloud.deploy(probe_target, stage="dev")
    if not cloud.status("probe").rows:
        deployment.apply()
    return deployment
