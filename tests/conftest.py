"""What every test shares: its own Coworks home, and markers that tell the truth.

Every test runs against its own embedded clouds: a developer's running `cws cloud` (found
through $COWORKS_HOME) must never capture a test's LocalCloud(). And a test that starts the
embedded local cloud must say so (``@pytest.mark.localcloud``), so that the fast loop
``pytest -m "not localcloud and not browser"`` really starts none: an unmarked test that tries
fails with a sentence saying which marker to add.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import pytest

# Set at import, before any test module creates a LocalCloud at collection or in a fixture.
os.environ["COWORKS_HOME"] = tempfile.mkdtemp(prefix="coworks-test-home-")

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
