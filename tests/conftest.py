"""What every test shares: its own Coworks home, and markers that tell the truth.

Every test runs against its own embedded clouds: a developer's running `cws cloud` (found
through $COWORKS_HOME) must never capture a test's LocalCloud(). And a test that starts the
embedded local cloud must say so (``@pytest.mark.localcloud``), so that the fast loop
``pytest -m "not localcloud and not browser"`` really starts none: an unmarked test that tries
fails with a sentence saying which marker to add.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import SAMPLES, Calls, moto_cloud, write_module

# Set at import, before any test module creates a LocalCloud at collection or in a fixture.
os.environ["COWORKS_HOME"] = tempfile.mkdtemp(prefix="coworks-test-home-")
# The SDK local Lambda workers get (boto3 at the runtime's pin) is installed once per machine, in the
# user's cache, not in each test's private one: the first test that starts a worker downloads it
# (about 15 MB), every later test and run reads it offline.
os.environ.setdefault("COWORKS_LAMBDA_LIBRARIES", os.path.join(
    os.environ.get("COWORKS_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "coworks")), "lambda-libraries"))

_marked = {"localcloud": False}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the test's fixtures: may this test start the local cloud?"""
    _marked["localcloud"] = item.get_closest_marker("localcloud") is not None


def pytest_configure(config: pytest.Config) -> None:
    from coworks.cloud.local import frontdoor

    start = frontdoor.start_front_door

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not _marked["localcloud"]:
            raise RuntimeError("This test starts the embedded local cloud: mark it @pytest.mark.localcloud "
                               "(or put pytestmark = pytest.mark.localcloud in its module).")
        return start(*args, **kwargs)

    frontdoor.start_front_door = guarded  # type: ignore[assignment]


if str(SAMPLES) not in sys.path:
    sys.path.insert(0, str(SAMPLES))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dummy credentials, no profile files, a private cache and Coworks home: nothing can reach a
    real account or a developer's running `cws cloud`."""
    home = tmp_path_factory.mktemp("home")
    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "us-east-1"),
                       ("AWS_CONFIG_FILE", str(home / "config")),
                       ("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials")),
                       ("COWORKS_CACHE", str(home / "cache")), ("COWORKS_HOME", str(home / "coworks"))):
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def aws() -> Iterator[Any]:
    """An AwsCloud on moto in this process; time never passes for real."""
    from moto import mock_aws

    with mock_aws():
        yield moto_cloud()


@pytest.fixture(scope="session")
def cloud() -> Iterator[Any]:
    """One embedded LocalCloud per test process (its tests are marked ``localcloud``)."""
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
